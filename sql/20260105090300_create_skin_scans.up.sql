-- A scan is an immutable record of one analysed photo, so it keeps the model version that produced its scores.
CREATE TABLE skin_scans (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    image_uri TEXT NOT NULL,
    model_name TEXT NOT NULL,
    model_version TEXT NOT NULL,
    results JSONB NOT NULL DEFAULT '{}',
    overall_score NUMERIC(5,2),
    hydration_score NUMERIC(5,2),
    oiliness_score NUMERIC(5,2),
    redness_score NUMERIC(5,2),
    captured_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT skin_scans_pkey PRIMARY KEY (id),
    CONSTRAINT skin_scans_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT skin_scans_results_check CHECK (jsonb_typeof(results) = 'object'),
    CONSTRAINT skin_scans_overall_score_check CHECK (overall_score BETWEEN 0 AND 100),
    CONSTRAINT skin_scans_hydration_score_check CHECK (hydration_score BETWEEN 0 AND 100),
    CONSTRAINT skin_scans_oiliness_score_check CHECK (oiliness_score BETWEEN 0 AND 100),
    CONSTRAINT skin_scans_redness_score_check CHECK (redness_score BETWEEN 0 AND 100)
);

-- Leads with user_id, so it also covers the foreign key; serves "a user's scans, newest first".
CREATE INDEX idx_skin_scans_user_id_captured_at ON skin_scans (user_id, captured_at DESC);

COMMENT ON TABLE skin_scans IS 'Analysed skin photos of a user; append-only, removed with the user.';
COMMENT ON COLUMN skin_scans.image_uri IS 'Object-storage key of the photo; the image itself is never stored in the database.';
COMMENT ON COLUMN skin_scans.model_version IS 'Version of the analysis model, so scores from different models are never compared blindly.';
COMMENT ON COLUMN skin_scans.results IS 'Full model output as a JSON object; the *_score columns are the queryable extract, each 0 to 100.';
COMMENT ON COLUMN skin_scans.captured_at IS 'When the photo was taken (device clock), as opposed to created_at, when it was stored.';
