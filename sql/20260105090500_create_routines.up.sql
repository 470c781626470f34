-- A user's named skincare routine; its steps are an ordered JSON array because they are always read and written as a whole.
CREATE TABLE routines (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    user_id UUID NOT NULL,
    name TEXT NOT NULL,
    time_of_day TEXT NOT NULL,
    steps JSONB NOT NULL DEFAULT '[]',
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT routines_pkey PRIMARY KEY (id),
    CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT routines_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT routines_time_of_day_check CHECK (time_of_day IN ('morning', 'evening', 'any')),
    CONSTRAINT routines_steps_check CHECK (jsonb_typeof(steps) = 'array')
);

CREATE INDEX idx_routines_user_id ON routines (user_id);

COMMENT ON TABLE routines IS 'Skincare routines of a user; removed with the user.';
COMMENT ON COLUMN routines.steps IS 'Ordered JSON array of steps, e.g. [{"product_id": "...", "instruction": "..."}]; product ids inside are not foreign keys.';

CREATE TRIGGER routines_set_updated_at
    BEFORE UPDATE ON routines
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
