import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/one-change-per-migration.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);' };

ruleTester(rule, {
  valid: [
    { name: 'a type created for the one table that uses it is part of that table', up: "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (m mood);" },
    { name: 'a sequence created for the column default of one table is part of that table', up: "CREATE TABLE t (id bigint NOT NULL);\nCREATE SEQUENCE t_id_seq;\nALTER TABLE t ALTER COLUMN id SET DEFAULT nextval('t_id_seq');" },
    { name: 'a trigger function created for its trigger is part of the table', up: 'CREATE TABLE t (id int, at timestamptz);\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();' },
    { name: 'a table with its own indexes, constraints, comments, trigger and grant', before: [{ up: 'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;' }], up: "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX idx_t_a ON t (a);\nALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '');\nCOMMENT ON TABLE t IS 'x';\nCOMMENT ON COLUMN t.a IS 'y';\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\nGRANT SELECT ON t TO PUBLIC;" },
    { name: 'data changes count as changing their table', before: [products], up: "ALTER TABLE products ADD COLUMN sku text;\nUPDATE products SET sku = 'x' WHERE sku IS NULL;" },
    { name: 'one function with its comment', up: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCOMMENT ON FUNCTION f() IS 'one';" },
    { name: 'a comment on an index of an earlier table belongs to that table', before: [{ up: 'CREATE TABLE t (a int);\nCREATE INDEX idx_t_a ON t (a);' }], up: "ALTER TABLE t ADD COLUMN b int;\nCOMMENT ON INDEX idx_t_a IS 'x';" },
    { name: 'public.x and x are the same subject', up: 'CREATE TABLE public.x (a int);\nCREATE INDEX idx_x ON x (a);' },
    { name: 'a materialized view with its own index', before: [products], up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;\nCREATE UNIQUE INDEX idx_product_names_id ON product_names (id);\nCOMMENT ON MATERIALIZED VIEW product_names IS $$Names.$$;' },
    { name: 'a view with its comment, grant and INSTEAD OF trigger', before: [products, { up: 'CREATE FUNCTION product_names_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;' }], up: "CREATE VIEW product_names AS SELECT id, name FROM products;\nCOMMENT ON VIEW product_names IS 'Names.';\nGRANT SELECT ON product_names TO PUBLIC;\nCREATE TRIGGER product_names_insert INSTEAD OF INSERT ON product_names FOR EACH ROW EXECUTE FUNCTION product_names_insert();" },
    { name: 'a table with the sequence it owns (ALTER SEQUENCE ... OWNED BY)', up: "CREATE TABLE t (id bigint NOT NULL);\nCREATE SEQUENCE t_id_seq;\nALTER SEQUENCE t_id_seq OWNED BY t.id;\nALTER TABLE ONLY t ALTER COLUMN id SET DEFAULT nextval('t_id_seq'::regclass);" },
    { name: 'a sequence created first, then the table that owns it', up: 'CREATE SEQUENCE t_id_seq;\nCREATE TABLE t (id bigint NOT NULL);\nALTER SEQUENCE t_id_seq OWNED BY t.id;' },
    { name: "renaming-table's pattern: the rename and the view that keeps the old name", before: [products], up: 'ALTER TABLE products RENAME TO items;\nCREATE VIEW products AS SELECT * FROM items;' },
    { name: 'a renamed table changed further under its new name', before: [products], up: 'ALTER TABLE products RENAME TO items;\nALTER TABLE items ADD COLUMN sku text;\nCREATE INDEX idx_items_sku ON items (sku);' },
    { name: 'statements with no subject (SET, SELECT) do not count', up: "SET statement_timeout = '5s';\nCREATE TABLE x (a int);\nSELECT 1;" },
  ],
  invalid: [
    { name: 'a type two tables use is a change of its own', up: "CREATE TABLE a (id int);\nCREATE TYPE mood AS ENUM ('a');\nALTER TABLE a ADD COLUMN m mood;\nCREATE TABLE b (m mood);", errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'two tables', up: '-- two tables\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);', errors: [{ messageId: 'secondSubject', line: 4, column: 1, message: 'table b' }] },
    { name: 'altering another table after creating one', before: [products], up: 'CREATE TABLE brands (id int);\n  ALTER TABLE products ADD COLUMN brand_id int;', errors: [{ messageId: 'secondSubject', line: 2, column: 3 }] },
    { name: 'an insert into another table', before: [products], up: "CREATE TABLE brands (id int);\nINSERT INTO products (id, name) VALUES (1, 'x');", errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'reported once, at the first statement of a second subject', up: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);', errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'an index on an earlier materialized view is that view, not a table', before: [products, { up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;' }], up: 'ALTER TABLE products ADD COLUMN sku text;\nCREATE INDEX idx_product_names_id ON product_names (id);', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'This statement changes view product_names, but the migration already changes table products' }] },
    { name: 'a sequence owned by another table is that table', before: [products], up: 'CREATE TABLE t (id bigint NOT NULL);\nCREATE SEQUENCE products_id_seq OWNED BY products.id;', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'This statement changes table products, but the migration already changes table t' }] },
    { name: 'a view under another name than the renamed table is a second subject', before: [products], up: 'ALTER TABLE products RENAME TO items;\nCREATE VIEW product_list AS SELECT * FROM items;', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'view product_list' }] },
    { name: 'an event trigger is named by its kind', up: "DROP EVENT TRIGGER IF EXISTS issue_pg_net_access;\nCREATE FUNCTION grant_pg_net_access() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;", errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'changes function grant_pg_net_access, but the migration already changes event trigger issue_pg_net_access' }] },
    { name: 'a database is named by its kind', up: 'GRANT ALL ON DATABASE postgres TO postgres;\nGRANT ALL ON SCHEMA auth TO postgres;', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'changes schema auth, but the migration already changes database postgres' }] },
    { name: 'GRANT ON ALL TABLES IN SCHEMA changes the schema', up: 'GRANT ALL ON ALL TABLES IN SCHEMA auth TO postgres;\nGRANT ALL ON ALL TABLES IN SCHEMA extensions TO postgres;', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'changes schema extensions, but the migration already changes schema auth' }] },
    { name: 'a publication and a foreign table by their kinds', up: 'DROP PUBLICATION IF EXISTS pub;\nDROP FOREIGN TABLE IF EXISTS remote_orders;', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'changes foreign table remote_orders, but the migration already changes publication pub' }] },
    { name: 'schemas are distinct', up: 'CREATE TABLE public.a (id int);\nCREATE TABLE audit.a (id int);', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'table audit.a' }] },
  ],
});
