import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-concurrent-index-deletion.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, brand text);\nCREATE INDEX idx_products_name ON products (name);\nCREATE INDEX idx_products_brand ON products (brand);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'CONCURRENTLY in a no-transaction migration', before: [products], up: '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_products_name;' },
    { name: 'an index on a table created in the same migration', up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\nCREATE INDEX idx_products_name ON products (name);\nDROP INDEX idx_products_name;' },
    { name: 'a down that drops what its up created, table included', up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE INDEX idx_tags_label ON tags (label);', down: 'DROP INDEX idx_tags_label;\nDROP TABLE tags;' },
    { name: 'quoted, schema-qualified index on a table created in the same migration', up: 'CREATE SCHEMA shop;\nCREATE TABLE shop."Items" (id bigint PRIMARY KEY, sku text);\nCREATE INDEX "Idx_Sku" ON shop."Items" (sku);\nDROP INDEX IF EXISTS shop."Idx_Sku";' },
    { name: 'a table changed by dynamic SQL is not judged', before: [products, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE products ADD COLUMN sku text'; END $$;" }], up: 'DROP INDEX idx_products_name;' },
    { name: 'IF EXISTS of an index an earlier migration dropped with its column', before: [products, { up: 'ALTER TABLE products ADD COLUMN d bigint;' }, { up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS products_d ON products (d);' }, { up: '-- verify:allow-destructive test\nALTER TABLE products DROP COLUMN d;' }], up: 'DROP INDEX IF EXISTS products_d;' },
    { name: 'IF EXISTS of INCLUDE, expression and partial indexes dropped with the column they used', before: [products, { up: 'ALTER TABLE products ADD COLUMN sku text;' }, { up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_products_name_inc ON products (name) INCLUDE (sku);' }, { up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_products_lower_sku ON products (lower(sku));' }, { up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_products_partial ON products (brand) WHERE sku IS NOT NULL;' }, { up: '-- verify:allow-destructive test\nALTER TABLE products DROP COLUMN sku;' }], up: 'DROP INDEX IF EXISTS idx_products_name_inc;\nDROP INDEX IF EXISTS idx_products_lower_sku, idx_products_partial;' },
    { name: 'IF EXISTS of an index dropped with its table earlier', before: [{ up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE INDEX idx_tags_label ON tags (label);' }, { up: '-- verify:allow-destructive retired\nDROP TABLE tags;' }], up: 'DROP INDEX IF EXISTS idx_tags_label;' },
    { name: 'dropping a table drops its indexes without this rule', before: [products], up: '-- verify:allow-destructive test\nDROP TABLE products;' },
  ],
  invalid: [
    { name: 'an index created in an earlier migration', before: [products], up: 'DROP INDEX idx_products_name;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 29, message: 'Dropping index idx_products_name takes an ACCESS EXCLUSIVE lock on products' }] },
    { name: 'IF EXISTS does not make it safe', before: [products], up: '-- Unused since the search rewrite.\nDROP INDEX IF EXISTS public.idx_products_name;', errors: [{ messageId: 'dropIndex', line: 2, column: 1, endLine: 2, endColumn: 46 }] },
    { name: 'an index the history never created sits on an existing table', up: 'DROP INDEX idx_legacy;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 22, message: 'on its table' }] },
    { name: 'mixed-case names resolve to the earlier index', before: [products], up: 'DROP INDEX Public.IDX_Products_Name;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 36, message: 'on products' }] },
    { name: 'IF EXISTS of an index on a column other than the dropped one', before: [products, { up: 'ALTER TABLE products ADD COLUMN d bigint;' }, { up: '-- verify:allow-destructive test\nALTER TABLE products DROP COLUMN d;' }], up: 'DROP INDEX IF EXISTS idx_products_brand;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 40, message: 'on products' }] },
    { name: 'two indexes in one statement, each reported', before: [products], up: 'DROP INDEX idx_products_name, idx_products_brand;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 49, message: 'idx_products_name' }, { messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 49, message: 'idx_products_brand' }] },
    { name: 'a down that drops an index its up built concurrently', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_products_both ON products (name, brand);', down: 'DROP INDEX idx_products_both;', errors: [{ messageId: 'dropIndex', line: 1, column: 1, endLine: 1, endColumn: 29, file: 'down' }] },
  ],
});
