import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/destructive-needs-flag.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name varchar(50), qty int, price numeric(8,2), code char(4));' };

ruleTester(rule, {
  valid: [
    { name: 'a down dropping the table its up created', up: 'CREATE TABLE t (id int);', down: 'DROP TABLE t;' },
    { name: 'a down dropping the column its up added', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;', down: 'ALTER TABLE products DROP COLUMN sku;' },
    { name: 'a down dropping the type its up created, with CASCADE', up: "CREATE TYPE mood AS ENUM ('a');", down: 'DROP TYPE mood CASCADE;' },
    { name: 'allowed by a directive above the statement', before: [products], up: '-- verify:allow-destructive unused since 2026-03\nALTER TABLE products DROP COLUMN code;' },
    { name: 'allowed for the whole file before the first statement', before: [products, { up: 'CREATE TABLE old (id int);' }], up: '-- verify:allow-destructive retired feature, archived\n\nDROP TABLE old;\nTRUNCATE products;' },
    { name: 'allowed by --allow-destructive', before: [products], up: 'ALTER TABLE products DROP COLUMN code;', allowDestructive: true },
    { name: 'varchar(50) to varchar(100) is a widening', before: [products], up: 'ALTER TABLE products ALTER COLUMN name TYPE varchar(100);' },
    { name: 'varchar to text is a widening', before: [products], up: 'ALTER TABLE products ALTER COLUMN name TYPE text;' },
    { name: 'int to bigint is a widening', before: [products], up: 'ALTER TABLE products ALTER COLUMN qty TYPE bigint;' },
    { name: 'numeric(8,2) to numeric(12,2) is a widening', before: [products], up: 'ALTER TABLE products ALTER COLUMN price TYPE numeric(12,2);' },
    { name: 'DELETE with WHERE', before: [products], up: 'DELETE FROM products WHERE id = 1;' },
    { name: "a materialized view's rows are derived: dropping it loses no data", before: [products, { up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;' }], up: 'DROP MATERIALIZED VIEW product_names;' },
    { name: 'DROP TABLE IF EXISTS of a table an earlier migration dropped does nothing', before: [products, { up: 'CREATE TABLE old (id int);' }, { up: '-- verify:allow-destructive retired\nDROP TABLE old;' }], up: 'DROP TABLE IF EXISTS old;' },
    { name: 'dropping an index loses no data', before: [products, { up: 'CREATE INDEX idx_p ON products (name);' }], up: 'DROP INDEX idx_p;' },
  ],
  invalid: [
    { name: 'DROP TABLE', before: [products], up: 'DROP TABLE products;', errors: [{ messageId: 'drop', line: 1, column: 1, endLine: 1, endColumn: 20 }] },
    { name: 'DROP COLUMN', before: [products], up: '-- Remove code.\nALTER TABLE products DROP COLUMN code;', errors: [{ messageId: 'dropColumn', line: 2, column: 1, endLine: 2, endColumn: 38 }] },
    { name: 'TRUNCATE', before: [products], up: 'TRUNCATE products;', errors: [{ messageId: 'truncate', line: 1, column: 1, endLine: 1, endColumn: 18 }] },
    { name: 'DELETE without WHERE', before: [products], up: 'DELETE FROM products;', errors: [{ messageId: 'deleteAll', line: 1, column: 1, endLine: 1, endColumn: 21 }] },
    { name: 'varchar(50) to varchar(20) narrows', before: [products], up: 'ALTER TABLE products ALTER COLUMN name TYPE varchar(20);', errors: [{ messageId: 'typeChange', line: 1, column: 1, endLine: 1, endColumn: 56, message: 'from varchar(50) to varchar(20)' }] },
    { name: 'bigint to int narrows', before: [{ up: 'CREATE TABLE t (a bigint);' }], up: 'ALTER TABLE t ALTER COLUMN a TYPE int;', errors: [{ messageId: 'typeChange', line: 1, column: 1, endLine: 1, endColumn: 38 }] },
    { name: 'a type change on a column the model does not know', up: 'ALTER TABLE elsewhere ALTER COLUMN a TYPE text;', errors: [{ messageId: 'typeChangeUnknown', line: 1, column: 1, endLine: 1, endColumn: 47 }] },
    { name: 'DROP ... CASCADE', before: [products], up: 'DROP TABLE products CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 28 }] },
    { name: 'DROP MATERIALIZED VIEW ... CASCADE still drops what depends on it', before: [products, { up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;' }], up: 'DROP MATERIALIZED VIEW product_names CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 45 }] },
    { name: 'DROP TABLE IF EXISTS of a table that still exists', before: [products], up: 'DROP TABLE IF EXISTS products;', errors: [{ messageId: 'drop', line: 1, column: 1, endLine: 1, endColumn: 30, message: 'Dropping table products deletes its data for good.' }] },
    { name: 'DROP SCHEMA and DROP TYPE', before: [{ up: "CREATE SCHEMA s;\nCREATE TYPE mood AS ENUM ('a');" }], up: 'DROP SCHEMA s;\nDROP TYPE mood;', errors: [{ messageId: 'drop', line: 1, column: 1, endLine: 1, endColumn: 14 }, { messageId: 'drop', line: 2, column: 1, endLine: 2, endColumn: 15 }] },
    { name: 'a down dropping what its up did not create', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;', down: 'ALTER TABLE products DROP COLUMN sku;\nALTER TABLE products DROP COLUMN code;', errors: [{ messageId: 'dropColumn', line: 2, column: 1, endLine: 2, endColumn: 38, file: 'down' }] },
    { name: 'a directive further up does not cover a later statement', before: [products], up: 'SELECT 1;\n-- verify:allow-destructive only the next statement\nSELECT 2;\nALTER TABLE products DROP COLUMN code;', errors: [{ messageId: 'dropColumn', line: 4, column: 1, endLine: 4, endColumn: 38 }] },
  ],
});
