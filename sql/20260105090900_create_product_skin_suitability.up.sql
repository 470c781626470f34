-- Audit migration 3: how well a product suits a skin type, optionally narrowed to one Fitzpatrick type, one row per combination.
CREATE TABLE product_skin_suitability (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    product_id UUID NOT NULL,
    skin_type TEXT NOT NULL,
    fitzpatrick_type SMALLINT,
    suitability_score NUMERIC(3,2) NOT NULL,
    rationale TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT product_skin_suitability_pkey PRIMARY KEY (id),
    -- NULLS NOT DISTINCT (PostgreSQL 15+) so only one "all Fitzpatrick types" row exists per product and skin type; leads with product_id, so it also covers the foreign key.
    CONSTRAINT product_skin_suitability_product_skin_fitzpatrick_key UNIQUE NULLS NOT DISTINCT (product_id, skin_type, fitzpatrick_type),
    CONSTRAINT product_skin_suitability_product_id_fkey FOREIGN KEY (product_id) REFERENCES products (id) ON DELETE RESTRICT,
    CONSTRAINT product_skin_suitability_skin_type_check CHECK (skin_type IN ('normal', 'dry', 'oily', 'combination', 'sensitive')),
    CONSTRAINT product_skin_suitability_fitzpatrick_type_check CHECK (fitzpatrick_type BETWEEN 1 AND 6),
    CONSTRAINT product_skin_suitability_score_check CHECK (suitability_score BETWEEN 0 AND 1)
);

COMMENT ON TABLE product_skin_suitability IS 'Curated suitability of a product per skin type and Fitzpatrick type; a product with ratings cannot be deleted (RESTRICT).';
COMMENT ON COLUMN product_skin_suitability.fitzpatrick_type IS 'Fitzpatrick phototype 1 (I) to 6 (VI); NULL means the rating applies to all types.';
COMMENT ON COLUMN product_skin_suitability.suitability_score IS 'From 0.00 (unsuitable) to 1.00 (ideal).';

CREATE TRIGGER product_skin_suitability_set_updated_at
    BEFORE UPDATE ON product_skin_suitability
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
