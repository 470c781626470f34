-- Undoes 20260105090000_create_function_set_updated_at: drops set_updated_at().
DROP FUNCTION set_updated_at();
