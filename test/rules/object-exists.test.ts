import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/object-exists.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, barcode text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'IF NOT EXISTS and OR REPLACE are meant for what exists', before: [products, { up: 'CREATE VIEW v AS SELECT id FROM products;' }], up: 'CREATE TABLE IF NOT EXISTS products (id int);\nALTER TABLE products ADD COLUMN IF NOT EXISTS barcode text;\nCREATE OR REPLACE VIEW v AS SELECT id, name FROM products;\nCREATE INDEX IF NOT EXISTS products_pkey ON products (id);', down: 'SELECT 1;' },
    { name: 'a column dropped and added again in one statement', before: [products], up: 'ALTER TABLE products DROP COLUMN barcode, ADD COLUMN barcode bigint;', down: 'ALTER TABLE products DROP COLUMN barcode, ADD COLUMN barcode text;' },
    { name: 'the down sees the schema the up left: it re-adds what the up dropped', before: [products], up: 'ALTER TABLE products DROP COLUMN barcode;', down: 'ALTER TABLE products ADD COLUMN barcode text;' },
    { name: 'a table the model cannot vouch for (dynamic SQL) is not judged', before: [products, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE products DROP COLUMN barcode'; END $$;" }], up: 'ALTER TABLE products ADD COLUMN barcode text;', down: 'ALTER TABLE products DROP COLUMN barcode;' },
  ],
  invalid: [
    { name: 'ADD COLUMN of a column the table has', before: [products], up: 'ALTER TABLE products ADD COLUMN barcode text;', down: 'ALTER TABLE products DROP COLUMN barcode;', errors: [{ messageId: 'exists', line: 1, column: 33, endLine: 1, endColumn: 45, message: 'PostgreSQL stops the migration here: column "barcode" of relation "products" already exists.' }] },
    { name: 'CREATE TABLE of a table that exists', before: [products], up: 'CREATE TABLE products (id int);', down: 'SELECT 1;', errors: [{ messageId: 'exists', line: 1, column: 14, endLine: 1, endColumn: 31, message: 'relation "products" already exists' }] },
    { name: 'CREATE INDEX with the name of an existing relation (a generated constraint index)', before: [products], up: 'CREATE INDEX products_pkey ON products (name);', down: 'SELECT 1;', errors: [{ messageId: 'exists', line: 1, column: 1, endLine: 1, endColumn: 46, message: 'relation "products_pkey" already exists' }] },
    { name: 'CREATE TYPE, enum label, constraint and rename onto existing names', before: [products, { up: "CREATE TYPE mood AS ENUM ('a');\nALTER TABLE products ADD CONSTRAINT name_set CHECK (name <> '');" }], up: "ALTER TYPE mood ADD VALUE 'a';\nCREATE TYPE mood AS ENUM ('b');\nALTER TABLE products ADD CONSTRAINT name_set CHECK (name IS NOT NULL);\nALTER TABLE products RENAME COLUMN name TO barcode;", down: 'SELECT 1;', errors: [
      { messageId: 'exists', line: 1, column: 1, endLine: 1, endColumn: 30, message: 'enum label "a" already exists' },
      { messageId: 'exists', line: 2, column: 1, endLine: 2, endColumn: 31, message: 'type "mood" already exists' },
      { messageId: 'exists', line: 3, column: 26, endLine: 3, endColumn: 70, message: 'constraint "name_set" for relation "products" already exists' },
      { messageId: 'exists', line: 4, column: 1, endLine: 4, endColumn: 51, message: 'column "barcode" of relation "products" already exists' },
    ] },
    { name: 'CREATE DOMAIN of a type that exists (named by domainname, not its base type)', before: [{ up: 'CREATE DOMAIN positive AS int CHECK (VALUE > 0);' }], up: 'CREATE DOMAIN positive AS bigint;', down: 'SELECT 1;', errors: [{ messageId: 'exists', line: 1, column: 1, endLine: 1, endColumn: 33, message: 'type "positive" already exists' }] },
    { name: 'the down creates what the up did not drop', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;', down: 'ALTER TABLE products DROP COLUMN sku;\nCREATE TABLE products (id int);', errors: [{ messageId: 'exists', line: 2, column: 14, endLine: 2, endColumn: 31, file: 'down' }] },
  ],
});
