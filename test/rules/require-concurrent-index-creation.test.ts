import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-concurrent-index-creation.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, brand text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'CONCURRENTLY in a no-transaction migration', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_name ON products (name);' },
    { name: 'a unique index built CONCURRENTLY', before: [products], up: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY idx_products_brand ON products (brand);' },
    { name: 'a table created in the same file', up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\nCREATE INDEX idx_products_name ON products (name);' },
    { name: 'a table created in the up, indexed again by the down of the same migration', up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);', down: 'CREATE INDEX idx_products_name ON products (name);\nDROP TABLE products;' },
    { name: 'quoted mixed-case table created in the same migration', up: 'CREATE TABLE "Orders" (id bigint PRIMARY KEY, "Total" numeric);\nCREATE INDEX "Idx_Total" ON "Orders" ("Total");' },
    { name: 'schema-qualified table created in the same migration, named without its schema case', up: 'CREATE SCHEMA shop;\nCREATE TABLE Shop.Items (id bigint PRIMARY KEY, sku text);\nCREATE INDEX ON SHOP.items (sku);' },
    { name: 'a materialized view created in the same migration', before: [products], up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;\nCREATE UNIQUE INDEX idx_product_names_id ON product_names (id);' },
    { name: 'a CREATE TABLE AS table created in the same migration', before: [products], up: 'CREATE TABLE product_copy AS SELECT * FROM products;\nCREATE INDEX idx_product_copy_name ON product_copy (name);' },
    { name: 'ON ONLY a partitioned parent builds nothing', before: [{ up: 'CREATE TABLE events (id bigint, at timestamptz) PARTITION BY RANGE (at);' }], up: 'CREATE INDEX idx_events_at ON ONLY events (at);' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE products (id bigint PRIMARY KEY, name text);\nDO $$ BEGIN EXECUTE 'ALTER TABLE products ADD COLUMN sku text'; END $$;" }], up: 'CREATE INDEX idx_products_sku ON products (sku);' },
  ],
  invalid: [
    { name: 'a table created in an earlier migration', before: [products], up: 'CREATE INDEX idx_products_name ON products (name);', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 50, message: 'Building index idx_products_name takes a SHARE lock on products' }] },
    { name: 'a table the history never created counts as existing', up: '-- Speed up lookups by email.\nCREATE INDEX IF NOT EXISTS idx_users_email ON users (email);', errors: [{ messageId: 'createIndex', line: 2, column: 1, endLine: 2, endColumn: 60, message: 'on users' }] },
    { name: 'a materialized view created in an earlier migration', before: [products, { up: 'CREATE MATERIALIZED VIEW product_names AS SELECT id, name FROM products;', down: 'DROP MATERIALIZED VIEW product_names;' }], up: 'CREATE UNIQUE INDEX idx_product_names_id ON product_names (id);', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 63, message: 'Building index idx_product_names_id takes a SHARE lock on product_names' }] },
    { name: 'an unnamed unique index', before: [products], up: 'CREATE UNIQUE INDEX ON products (brand);', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 40, message: 'Building this index' }] },
    { name: 'schema-qualified, mixed-case names resolve to the earlier table', before: [{ up: 'CREATE SCHEMA shop;\nCREATE TABLE Shop.Items (id bigint PRIMARY KEY, sku text);' }], up: 'CREATE INDEX Idx_Sku ON SHOP.ITEMS (sku);', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 41, message: 'index shop.idx_sku takes a SHARE lock on shop.items' }] },
    { name: 'a quoted table created earlier', before: [{ up: 'CREATE TABLE "Orders" (id bigint PRIMARY KEY, "Total" numeric);' }], up: 'CREATE INDEX "Idx_Total" ON "Orders" ("Total");', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 47, message: 'on Orders' }] },
    { name: 'a new table of the same name in another schema does not make the old one new', before: [products], up: 'CREATE SCHEMA archive;\nCREATE TABLE archive.products (id bigint PRIMARY KEY, name text);\nCREATE INDEX idx_products_name ON public.products (name);', errors: [{ messageId: 'createIndex', line: 3, column: 1, endLine: 3, endColumn: 57 }] },
    { name: 'a down that rebuilds an index the up dropped', before: [products, { up: 'CREATE INDEX idx_products_name ON products (name);' }], up: '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_products_name;', down: 'CREATE INDEX idx_products_name ON products (name);', errors: [{ messageId: 'createIndex', line: 1, column: 1, endLine: 1, endColumn: 50, file: 'down' }] },
    { name: 'a concurrent index in a transaction is another rule; the second, plain one is this rule', before: [products], up: 'CREATE INDEX CONCURRENTLY idx_a ON products (name);\n    CREATE INDEX idx_b ON products (brand);', errors: [{ messageId: 'createIndex', line: 2, column: 5, endLine: 2, endColumn: 43 }] },
  ],
});
