-- One trigger function keeps updated_at honest on every table that has it, instead of trusting each caller to set it.
CREATE FUNCTION set_updated_at()
RETURNS TRIGGER
LANGUAGE plpgsql
AS $$
BEGIN
    NEW.updated_at := now();
    RETURN NEW;
END;
$$;

COMMENT ON FUNCTION set_updated_at() IS 'BEFORE UPDATE row trigger: stamps NEW.updated_at with the transaction time.';
