import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/one-change-per-migration.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);' };

ruleTester(rule, {
  valid: [
    { name: 'a table with its own indexes, constraints, comments, trigger and grant', before: [{ up: 'CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;' }], up: "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX idx_t_a ON t (a);\nALTER TABLE t ADD CONSTRAINT t_a_check CHECK (a <> '');\nCOMMENT ON TABLE t IS 'x';\nCOMMENT ON COLUMN t.a IS 'y';\nCREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION touch();\nGRANT SELECT ON t TO PUBLIC;" },
    { name: 'data changes count as changing their table', before: [products], up: "ALTER TABLE products ADD COLUMN sku text;\nUPDATE products SET sku = 'x' WHERE sku IS NULL;" },
    { name: 'one function with its comment', up: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCOMMENT ON FUNCTION f() IS 'one';" },
    { name: 'a comment on an index of an earlier table belongs to that table', before: [{ up: 'CREATE TABLE t (a int);\nCREATE INDEX idx_t_a ON t (a);' }], up: "ALTER TABLE t ADD COLUMN b int;\nCOMMENT ON INDEX idx_t_a IS 'x';" },
    { name: 'public.x and x are the same subject', up: 'CREATE TABLE public.x (a int);\nCREATE INDEX idx_x ON x (a);' },
    { name: 'statements with no subject (SET, SELECT) do not count', up: "SET statement_timeout = '5s';\nCREATE TABLE x (a int);\nSELECT 1;" },
  ],
  invalid: [
    { name: 'two tables', up: '-- two tables\nCREATE TABLE a (id int);\n\nCREATE TABLE b (id int);', errors: [{ messageId: 'secondSubject', line: 4, column: 1, message: 'table b' }] },
    { name: 'a table and a type', up: "CREATE TYPE mood AS ENUM ('a');\nCREATE TABLE t (m mood);", errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'altering another table after creating one', before: [products], up: 'CREATE TABLE brands (id int);\n  ALTER TABLE products ADD COLUMN brand_id int;', errors: [{ messageId: 'secondSubject', line: 2, column: 3 }] },
    { name: 'an insert into another table', before: [products], up: "CREATE TABLE brands (id int);\nINSERT INTO products (id, name) VALUES (1, 'x');", errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'reported once, at the first statement of a second subject', up: 'CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int);', errors: [{ messageId: 'secondSubject', line: 2, column: 1 }] },
    { name: 'schemas are distinct', up: 'CREATE TABLE public.a (id int);\nCREATE TABLE audit.a (id int);', errors: [{ messageId: 'secondSubject', line: 2, column: 1, message: 'table audit.a' }] },
  ],
});
