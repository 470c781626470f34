-- Audit migration 4: measured skin outcomes of a user over time, optionally tied to the product, routine or scan that explains them.
CREATE TABLE user_skin_outcomes (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    product_id UUID,
    routine_id UUID,
    skin_scan_id UUID,
    metric TEXT NOT NULL,
    value NUMERIC NOT NULL,
    source TEXT NOT NULL,
    measured_at TIMESTAMPTZ NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT user_skin_outcomes_pkey PRIMARY KEY (id),
    CONSTRAINT user_skin_outcomes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT user_skin_outcomes_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE SET NULL,
    CONSTRAINT user_skin_outcomes_routine_id_fkey FOREIGN KEY (routine_id) REFERENCES routines (id) ON DELETE SET NULL,
    CONSTRAINT user_skin_outcomes_skin_scan_id_fkey FOREIGN KEY (skin_scan_id) REFERENCES skin_scans (id) ON DELETE SET NULL,
    CONSTRAINT user_skin_outcomes_metric_check CHECK (metric ~ '^[a-z][a-z0-9_]{0,62}$'),
    CONSTRAINT user_skin_outcomes_source_check CHECK (source IN ('scan', 'self_report', 'clinician'))
);

-- Leads with user_id, so it also covers that foreign key; serves "one metric of a user over time".
CREATE INDEX idx_user_skin_outcomes_user_id_metric ON user_skin_outcomes (user_id, metric, measured_at);
CREATE INDEX idx_user_skin_outcomes_product_id ON user_skin_outcomes (product_id);
CREATE INDEX idx_user_skin_outcomes_routine_id ON user_skin_outcomes (routine_id);
CREATE INDEX idx_user_skin_outcomes_skin_scan_id ON user_skin_outcomes (skin_scan_id);

COMMENT ON TABLE user_skin_outcomes IS 'Time series of measured skin outcomes per user (digital twin input); removed with the user.';
COMMENT ON COLUMN user_skin_outcomes.metric IS 'snake_case metric name, e.g. hydration, redness, acne_count.';
COMMENT ON COLUMN user_skin_outcomes.value IS 'Measured value in the metric''s own unit.';
COMMENT ON COLUMN user_skin_outcomes.source IS 'How the value was obtained: scan, self_report or clinician.';
COMMENT ON COLUMN user_skin_outcomes.product_id IS 'Product the outcome is attributed to; set to NULL if the product leaves the catalogue.';
