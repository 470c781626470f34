-- Audit migration 1 (ingredients_reference), with TIMESTAMPTZ NOT NULL DEFAULT now() instead of TIMESTAMP so times are unambiguous across time zones and never NULL.
-- verify:ignore prefer-text-field the audit's expected SQL fixes these VARCHAR lengths; changing one later is its own migration
CREATE TABLE ingredients_reference (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    name VARCHAR(255) NOT NULL,
    description TEXT,
    skin_type VARCHAR(50),
    concentration_ppm INTEGER,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT ingredients_reference_pkey PRIMARY KEY (id),
    -- The UNIQUE constraint's own index carries the audit's name idx_ingredients_name; a second plain index on name would only duplicate it.
    CONSTRAINT idx_ingredients_name UNIQUE (name),
    CONSTRAINT ingredients_reference_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT ingredients_reference_skin_type_check CHECK (skin_type IN ('normal', 'dry', 'oily', 'combination', 'sensitive', 'all')),
    CONSTRAINT ingredients_reference_concentration_ppm_check CHECK (concentration_ppm BETWEEN 0 AND 1000000)
);

CREATE INDEX idx_ingredients_skin_type ON ingredients_reference (skin_type);

COMMENT ON TABLE ingredients_reference IS 'Reference list of cosmetic ingredients.';
COMMENT ON COLUMN ingredients_reference.skin_type IS 'Skin type the ingredient is mainly suited to; ''all'' when not specific.';
COMMENT ON COLUMN ingredients_reference.concentration_ppm IS 'Typical concentration in parts per million (0 to 1000000).';

CREATE TRIGGER ingredients_reference_set_updated_at
    BEFORE UPDATE ON ingredients_reference
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
