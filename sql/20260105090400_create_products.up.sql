-- The product catalogue that routines, suitability scores and outcomes refer to; a barcode identifies at most one product.
CREATE TABLE products (
    id UUID NOT NULL DEFAULT gen_random_uuid(),
    name TEXT NOT NULL,
    brand TEXT NOT NULL,
    barcode TEXT,
    category TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    CONSTRAINT products_pkey PRIMARY KEY (id),
    CONSTRAINT products_barcode_key UNIQUE (barcode),
    CONSTRAINT products_name_check CHECK (btrim(name) <> ''),
    CONSTRAINT products_brand_check CHECK (btrim(brand) <> ''),
    CONSTRAINT products_barcode_check CHECK (barcode ~ '^[0-9]{8,14}$'),
    CONSTRAINT products_category_check CHECK (
        category IN (
            'cleanser',
            'toner',
            'serum',
            'moisturizer',
            'sunscreen',
            'exfoliant',
            'mask',
            'eye_care',
            'treatment',
            'other'
        )
    )
);

CREATE INDEX idx_products_brand_name ON products (brand, name);

COMMENT ON TABLE products IS 'Skincare product catalogue.';
COMMENT ON COLUMN products.barcode IS 'GTIN (EAN-8/UPC-A/EAN-13/GTIN-14 digits); unique when present, several products may have none.';

CREATE TRIGGER products_set_updated_at
    BEFORE UPDATE ON products
    FOR EACH ROW
    EXECUTE FUNCTION set_updated_at();
