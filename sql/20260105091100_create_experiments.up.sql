-- Audit migration 5: A/B experiments, addressed by a stable key, with a status and a start/end window the database keeps consistent.
CREATE TABLE experiments (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    hypothesis TEXT,
    status TEXT NOT NULL DEFAULT 'draft',
    variants JSONB NOT NULL DEFAULT '[]',
    started_at TIMESTAMPTZ,
    ended_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT experiments_pkey PRIMARY KEY (id),
    CONSTRAINT experiments_key_key UNIQUE (key),
    CONSTRAINT experiments_key_check CHECK (key ~ '^[a-z][a-z0-9_-]{0,99}$'),
    CONSTRAINT experiments_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT experiments_status_check CHECK (status IN ('draft', 'running', 'paused', 'completed', 'archived')),
    CONSTRAINT experiments_variants_check CHECK (jsonb_typeof(variants) = 'array'),
    CONSTRAINT experiments_started_when_running_check CHECK (status IN ('draft', 'archived') OR started_at IS NOT NULL),
    CONSTRAINT experiments_ended_when_completed_check CHECK (status <> 'completed' OR ended_at IS NOT NULL),
    CONSTRAINT experiments_ended_after_started_check CHECK (ended_at >= started_at),
    CONSTRAINT experiments_ended_needs_started_check CHECK (ended_at IS NULL OR started_at IS NOT NULL)
);

COMMENT ON TABLE experiments IS 'A/B experiments run on the platform.';
COMMENT ON COLUMN experiments.key IS 'Stable identifier used by the application code; never reused.';
COMMENT ON COLUMN experiments.variants IS 'JSON array of variants, e.g. [{"key": "control", "weight": 50}, {"key": "treatment", "weight": 50}].';

CREATE TRIGGER experiments_set_updated_at
    BEFORE UPDATE ON experiments
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
