import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/down-reverses-up.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, price numeric DEFAULT 0);' };

ruleTester(rule, {
  valid: [
    { name: 'dropping a table drops its indexes, constraints, comments and triggers', up: "CREATE TABLE t (id int PRIMARY KEY, a text);\nCREATE INDEX idx_t ON t (a);\nALTER TABLE t ADD CONSTRAINT c CHECK (a <> '');\nCOMMENT ON TABLE t IS 'x';", down: 'DROP TABLE t;' },
    { name: 'an index dropped implicitly with its column', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;\nCREATE INDEX idx_products_sku ON products (sku);\nCOMMENT ON COLUMN products.sku IS $$Stock unit$$;', down: 'ALTER TABLE products DROP COLUMN sku;' },
    { name: 'a rename reversed', before: [products], up: 'ALTER TABLE products RENAME COLUMN name TO title;', down: 'ALTER TABLE products RENAME COLUMN title TO name;' },
    { name: 'a table rename reversed, with quoting and schema', before: [products], up: 'ALTER TABLE public.products RENAME TO catalogue;', down: 'ALTER TABLE "catalogue" RENAME TO PRODUCTS;' },
    { name: 'SET NOT NULL and DROP NOT NULL', before: [products], up: 'ALTER TABLE products ALTER COLUMN name SET NOT NULL;', down: 'ALTER TABLE products ALTER COLUMN name DROP NOT NULL;' },
    { name: 'a changed default restored to the previous one', before: [products], up: 'ALTER TABLE products ALTER COLUMN price SET DEFAULT 1;', down: 'ALTER TABLE products ALTER COLUMN price SET DEFAULT 0;' },
    { name: 'a new default dropped', before: [products], up: "ALTER TABLE products ALTER COLUMN name SET DEFAULT '';", down: 'ALTER TABLE products ALTER COLUMN name DROP DEFAULT;' },
    { name: 'a comment put back to NULL', before: [products], up: "COMMENT ON TABLE products IS 'Catalogue';", down: 'COMMENT ON TABLE products IS NULL;' },
    { name: 'a type change reversed', before: [products], up: 'ALTER TABLE products ALTER COLUMN price TYPE numeric(12,2);', down: 'ALTER TABLE products ALTER COLUMN price TYPE numeric;' },
    { name: 'row level security enabled then disabled', before: [products], up: 'ALTER TABLE products ENABLE ROW LEVEL SECURITY;', down: 'ALTER TABLE products DISABLE ROW LEVEL SECURITY;' },
    { name: 'a function, a type, a view, a sequence, an extension', up: "CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql AS 'SELECT a';", down: 'DROP FUNCTION f(int);' },
    { name: 'inserted reference data deleted', before: [products], up: "INSERT INTO products (id, name) VALUES (1, 'a');", down: 'DELETE FROM products WHERE id = 1;' },
    { name: 'an irreversible migration says so', before: [{ up: "CREATE TYPE mood AS ENUM ('a');" }], up: "ALTER TYPE mood ADD VALUE 'b';", down: '-- verify:irreversible Postgres cannot drop an enum value' },
    { name: 'a constraint dropped with the column it uses', before: [products], up: 'ALTER TABLE products ADD COLUMN qty int;\nALTER TABLE products ADD CONSTRAINT products_qty_check CHECK (qty >= 0);', down: 'ALTER TABLE products DROP COLUMN qty;' },
    { name: 'a trigger and a policy dropped explicitly', before: [products, { up: 'CREATE FUNCTION tg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;' }], up: 'CREATE TRIGGER t BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION tg();\nCREATE POLICY p ON products USING (true);', down: 'DROP POLICY p ON products;\nDROP TRIGGER t ON products;' },
  ],
  invalid: [
    { name: 'no down file', up: 'CREATE TABLE t (id int);', errors: [{ messageId: 'missingDown', line: 1, column: 1 }] },
    { name: 'a down with only comments', up: '-- make t\nCREATE TABLE t (id int);', down: '-- nothing to do\n', errors: [{ messageId: 'emptyDown', line: 2, column: 1 }] },
    { name: 'an index the down never drops', up: 'CREATE TABLE t (id int, a text);\nCREATE INDEX idx_a ON other (a);', down: 'DROP TABLE t;', errors: [{ messageId: 'notUndone', line: 2, column: 1, message: 'Up creates index idx_a; down never drops it.' }] },
    { name: 'a column the down never drops', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;\nALTER TABLE products ADD COLUMN ean text;', down: 'ALTER TABLE products DROP COLUMN sku;', errors: [{ messageId: 'notUndone', line: 2, column: 1, message: 'adds column products.ean' }] },
    { name: 'a rename not reversed (renamed further instead)', before: [products], up: 'ALTER TABLE products RENAME COLUMN name TO title;', down: 'ALTER TABLE products RENAME COLUMN title TO label;', errors: [{ messageId: 'notUndone', line: 1, column: 1 }] },
    { name: 'NOT NULL set but never dropped', before: [products], up: 'ALTER TABLE products ALTER COLUMN name SET NOT NULL;', down: "COMMENT ON TABLE products IS NULL;", errors: [{ messageId: 'notUndone', line: 1, column: 1 }] },
    { name: 'a default set where there was none, and the down sets another', before: [products], up: "ALTER TABLE products ALTER COLUMN name SET DEFAULT 'a';", down: "ALTER TABLE products ALTER COLUMN name SET DEFAULT 'b';", errors: [{ messageId: 'notUndone', line: 1, column: 1 }] },
    { name: 'an enum value added without saying the down is irreversible', before: [{ up: "CREATE TYPE mood AS ENUM ('a');" }], up: "ALTER TYPE mood ADD VALUE 'b';", down: 'SELECT 1;', errors: [{ messageId: 'cannotUndo', line: 1, column: 1 }] },
    { name: 'a table in another schema is not the public one', up: 'CREATE TABLE audit.t (id int);', down: 'DROP TABLE t;', errors: [{ messageId: 'notUndone', line: 1, column: 1 }] },
    { name: 'a quoted mixed-case name is not its lower-case twin', up: 'CREATE TABLE "Tags" (id int);', down: 'DROP TABLE tags;', errors: [{ messageId: 'notUndone', line: 1, column: 1 }] },
  ],
});
