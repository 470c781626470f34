import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-robust-stmts.js';

const NO_TX = '-- migrate:no-transaction\n';
const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, legacy text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'CREATE INDEX CONCURRENTLY IF NOT EXISTS', before: [products], up: `${NO_TX}CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_name ON products (name);`, down: `${NO_TX}DROP INDEX CONCURRENTLY IF EXISTS idx_products_name;` },
    { name: 'a transactional migration rolls back as a whole, so it needs no guards', before: [products], up: 'CREATE TABLE tags (id bigint PRIMARY KEY);\nCREATE INDEX idx_products_name ON products (name);\nALTER TABLE products DROP COLUMN legacy;', down: 'DROP TABLE tags;' },
    { name: 'every guarded form', before: [products], up: `${NO_TX}CREATE TABLE IF NOT EXISTS tags (id bigint);\nCREATE SEQUENCE IF NOT EXISTS tag_seq;\nCREATE SCHEMA IF NOT EXISTS archive;\nCREATE EXTENSION IF NOT EXISTS pg_trgm;\nCREATE MATERIALIZED VIEW IF NOT EXISTS mv AS SELECT 1;\nALTER TABLE products ADD COLUMN IF NOT EXISTS sku text, DROP COLUMN IF EXISTS legacy, DROP CONSTRAINT IF EXISTS products_name_check;\nDROP TABLE IF EXISTS old_tags;` },
    { name: 'OR REPLACE for views, functions and triggers', up: `${NO_TX}CREATE OR REPLACE VIEW v AS SELECT 1;\nCREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE OR REPLACE TRIGGER t BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION f();` },
    { name: 'statements that have no guard to add', before: [products], up: `${NO_TX}CREATE TYPE mood AS ENUM ('ok');\nALTER TABLE products VALIDATE CONSTRAINT products_name_check;\nUPDATE products SET name = lower(name);` },
    { name: 'ADD VALUE is left to enum-add-value-safety', up: `${NO_TX}ALTER TYPE mood ADD VALUE 'sad';` },
  ],
  invalid: [
    { name: 'CREATE INDEX CONCURRENTLY without IF NOT EXISTS', before: [products], up: `${NO_TX}CREATE INDEX CONCURRENTLY idx_products_name ON products (name);`, errors: [{ messageId: 'createIndex', line: 2, column: 1, message: 'Creating index idx_products_name without IF NOT EXISTS fails when this no-transaction migration runs again' }] },
    { name: 'an unnamed index is built twice', before: [products], up: `${NO_TX}CREATE INDEX CONCURRENTLY ON products (name);`, errors: [{ messageId: 'unnamedIndex', line: 2, column: 1, message: 'on products builds a second, duplicate index' }] },
    { name: 'DROP INDEX CONCURRENTLY without IF EXISTS, in a down', before: [products], up: `${NO_TX}CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_name ON products (name);`, down: `${NO_TX}DROP INDEX CONCURRENTLY idx_products_name;`, errors: [{ messageId: 'drop', line: 2, column: 1, file: 'down', message: 'Dropping index idx_products_name without IF EXISTS' }] },
    { name: 'the directive in the up makes the down no-transaction too', up: `${NO_TX}CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON products (name);`, down: 'DROP INDEX CONCURRENTLY idx_a;', errors: [{ messageId: 'drop', line: 1, column: 1, file: 'down' }] },
    { name: 'a table created in the same file still exists on the second run', up: `${NO_TX}CREATE TABLE tags (id bigint PRIMARY KEY);`, errors: [{ messageId: 'create', line: 2, column: 1, message: 'Creating table tags' }] },
    { name: 'schema-qualified, mixed-case names', up: `${NO_TX}CREATE SCHEMA Archive;\nCREATE TABLE Archive."Tags" (id bigint);\nCREATE MATERIALIZED VIEW archive.mv AS SELECT 1;`, errors: [{ messageId: 'create', line: 2, column: 1, message: 'schema archive' }, { messageId: 'create', line: 3, column: 1, message: 'table archive.Tags' }, { messageId: 'create', line: 4, column: 1, message: 'materialized view archive.mv' }] },
    { name: 'sequences and extensions', up: `${NO_TX}CREATE SEQUENCE tag_seq;\nCREATE EXTENSION pg_trgm;`, errors: [{ messageId: 'create', line: 2, column: 1 }, { messageId: 'create', line: 3, column: 1, message: 'extension pg_trgm' }] },
    { name: 'views, functions and procedures without OR REPLACE', up: `${NO_TX}CREATE VIEW v AS SELECT 1;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';`, errors: [{ messageId: 'replace', line: 2, column: 1 }, { messageId: 'replace', line: 3, column: 1, message: 'function f' }, { messageId: 'replace', line: 4, column: 1, message: 'procedure p' }] },
    { name: 'ADD COLUMN, DROP COLUMN and DROP CONSTRAINT without guards', before: [products], up: `${NO_TX}ALTER TABLE products ADD COLUMN sku text, DROP COLUMN legacy, DROP CONSTRAINT products_name_check;`, errors: [{ messageId: 'addColumn', line: 2, column: 1 }, { messageId: 'dropColumn', line: 2, column: 1 }, { messageId: 'dropConstraint', line: 2, column: 1 }] },
    { name: 'DROP TABLE and DROP TYPE name what they drop', up: `${NO_TX}DROP TABLE archive.old_tags, legacy;\nDROP TYPE mood;`, errors: [{ messageId: 'drop', line: 2, column: 1, message: 'Dropping table archive.old_tags, legacy' }, { messageId: 'drop', line: 3, column: 1, message: 'type mood' }] },
  ],
});
