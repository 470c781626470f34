// Authoring as a DBA lives it: make new's templates, helps that say what to write.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';
import { createMigration } from '../runner/migration-files.js';

async function verifyFolder(dir: string) {
  return (await verify({ paths: [dir], rules, cache: false })).violations;
}

t.test("make new's untouched templates fail make verify as the runner would refuse them", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-template-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const created = createMigration(dir, 'add_products_barcode', new Date(Date.UTC(2026, 0, 5, 9, 0, 0)));
  const found = (await verifyFolder(dir)).filter((v) => v.severity === 'error').map((v) => `${v.file.split('/').pop()} ${v.rule}`);
  t.same(found, ['20260105090000_add_products_barcode.up.sql empty-migration'], 'one finding: the empty down of an empty up is no second problem');
  writeFileSync(created.upFile, '-- Barcodes for the scanner.\nALTER TABLE products ADD COLUMN barcode text;\n');
  writeFileSync(created.downFile, 'ALTER TABLE products DROP COLUMN barcode;\n');
  t.same((await verifyFolder(dir)).filter((v) => v.rule === 'empty-migration'), [], 'written: quiet');
});

t.test('require-enum-value-ordering names the last label to append after on purpose, and AFTER it is quiet', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-enum-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_create_status.up.sql'), "CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');\n");
  writeFileSync(join(dir, '20260101000000_create_status.down.sql'), 'DROP TYPE order_status;\n');
  writeFileSync(join(dir, '20260102000000_add_archived.up.sql'), "-- verify:irreversible Postgres cannot drop an enum value\nALTER TYPE order_status ADD VALUE 'archived';\n");
  writeFileSync(join(dir, '20260102000000_add_archived.down.sql'), 'SELECT 1;\n');
  const [finding] = (await verifyFolder(dir)).filter((v) => v.rule === 'require-enum-value-ordering');
  t.equal(finding?.help, "Say where it goes: ADD VALUE 'archived' BEFORE '<label>', or AFTER 'shipped' when last is its meaning.");
  writeFileSync(join(dir, '20260102000000_add_archived.up.sql'), "-- verify:irreversible Postgres cannot drop an enum value\nALTER TYPE order_status ADD VALUE 'archived' AFTER 'shipped';\n");
  t.same((await verifyFolder(dir)).filter((v) => v.rule === 'require-enum-value-ordering'), []);
});

t.test('foreign-key-needs-index: on a table in use the help says CONCURRENTLY before, and doing so satisfies every index rule', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-fk-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_create_tables.up.sql'), 'CREATE TABLE brands (id bigint PRIMARY KEY);\nCREATE TABLE products (id bigint PRIMARY KEY, brand_id bigint);\n');
  writeFileSync(join(dir, '20260101000000_create_tables.down.sql'), 'DROP TABLE products;\nDROP TABLE brands;\n');
  writeFileSync(join(dir, '20260102000000_products_brand_fk.up.sql'), 'ALTER TABLE products ADD CONSTRAINT products_brand_id_fkey FOREIGN KEY (brand_id) REFERENCES brands (id) NOT VALID;\n');
  writeFileSync(join(dir, '20260102000000_products_brand_fk.down.sql'), 'ALTER TABLE products DROP CONSTRAINT products_brand_id_fkey;\n');
  const indexRules = new Set(['foreign-key-needs-index', 'require-concurrent-index-creation', 'ban-concurrent-index-creation-in-transaction']);
  const found = async () => (await verifyFolder(dir)).filter((v) => indexRules.has(v.rule)).map((v) => `${v.rule}: ${v.help}`);
  t.same(await found(), ['foreign-key-needs-index: Create an index on products (brand_id) CONCURRENTLY in a no-transaction migration before this one; a primary key or unique constraint leading with those columns also counts.']);
  writeFileSync(join(dir, '20260101120000_index_products_brand_id.up.sql'), '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS products_brand_id_idx ON products (brand_id);\n');
  writeFileSync(join(dir, '20260101120000_index_products_brand_id.down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS products_brand_id_idx;\n');
  t.same(await found(), [], 'the help followed: no rule objects');
});

t.test('one finding per problem: the more specific rule stands alone at a place, other places keep theirs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-one-finding-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE brands (id bigint PRIMARY KEY);\nCREATE TABLE items (sku text NOT NULL, brand_id bigint);\n');
  writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE items;\nDROP TABLE brands;\n');
  writeFileSync(join(dir, '20260102000000_fk.down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS items_brand_id_idx;\n');
  writeFileSync(join(dir, '20260102000000_fk.up.sql'), '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS items_brand_id_idx ON items (brand_id);\n');
  writeFileSync(join(dir, '20260103000000_constraints.up.sql'), 'ALTER TABLE items ADD CONSTRAINT items_brand_fk FOREIGN KEY (brand_id) REFERENCES brands (id), ADD CONSTRAINT sku_len CHECK (length(sku) < 40);\n');
  writeFileSync(join(dir, '20260103000000_constraints.down.sql'), 'ALTER TABLE items DROP CONSTRAINT sku_len, DROP CONSTRAINT items_brand_fk;\n');
  writeFileSync(join(dir, '20260104000000_pk.up.sql'), 'ALTER TABLE items ADD PRIMARY KEY (sku);\n');
  writeFileSync(join(dir, '20260104000000_pk.down.sql'), 'ALTER TABLE items DROP CONSTRAINT items_pkey;\n');
  const found = (await verifyFolder(dir)).filter((v) => v.severity === 'error').map((v) => `${v.file.split('/').pop()}:${v.line}:${v.column} ${v.rule}`);
  t.same(found, [
    '20260101000000_t.up.sql:2:1 one-change-per-migration',
    // The foreign key: adding-foreign-key-constraint says what constraint-missing-not-valid would; the CHECK keeps its own.
    '20260103000000_constraints.up.sql:1:23 adding-foreign-key-constraint',
    '20260103000000_constraints.up.sql:1:100 constraint-missing-not-valid',
    // ADD PRIMARY KEY: adding-serial-primary-key-field, not disallowed-unique-constraint as well.
    '20260104000000_pk.up.sql:1:23 adding-serial-primary-key-field',
  ]);
});

t.test('one-change-per-migration: what a file creates only for one table is part of that table\'s change', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-one-change-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, up: string, down: string) => {
    writeFileSync(join(dir, `${name}.up.sql`), up);
    writeFileSync(join(dir, `${name}.down.sql`), down);
  };
  write('20260101000000_t', 'CREATE TABLE products (id bigint PRIMARY KEY, updated_at timestamptz);\nCREATE TABLE tags (id bigint PRIMARY KEY);\n', 'DROP TABLE tags;\nDROP TABLE products;\n');
  write(
    '20260102000000_touch',
    'CREATE FUNCTION touch_products() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n    RETURN NEW;\nEND;\n$$;\nCREATE TRIGGER products_touch BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION touch_products();\n',
    'DROP TRIGGER products_touch ON products;\nDROP FUNCTION touch_products();\n',
  );
  write('20260103000000_mood', "CREATE TYPE product_mood AS ENUM ('calm', 'bright');\nALTER TABLE products ADD COLUMN mood product_mood;\n", 'ALTER TABLE products DROP COLUMN mood;\nDROP TYPE product_mood;\n');
  write('20260104000000_code', "CREATE SEQUENCE product_codes;\nALTER TABLE products ADD COLUMN code bigint DEFAULT nextval('product_codes');\n", 'ALTER TABLE products DROP COLUMN code;\nDROP SEQUENCE product_codes;\n');
  // A type two tables use is a change of its own.
  write('20260105000000_shade', "CREATE TYPE shade AS ENUM ('light', 'dark');\nALTER TABLE products ADD COLUMN shade shade;\nALTER TABLE tags ADD COLUMN shade shade;\n", 'ALTER TABLE tags DROP COLUMN shade;\nALTER TABLE products DROP COLUMN shade;\nDROP TYPE shade;\n');
  const found = (await verifyFolder(dir)).filter((v) => v.rule === 'one-change-per-migration').map((v) => `${v.file.split('/').pop()}:${v.line} ${v.message}`);
  t.same(found, [
    '20260101000000_t.up.sql:2 This statement changes table tags, but the migration already changes table products: a rollback of one would undo both.',
    '20260105000000_shade.up.sql:2 This statement changes table products, but the migration already changes type shade: a rollback of one would undo both.',
  ]);
});

t.test('UPDATE without WHERE needs the destructive flag like DELETE without WHERE (not on a table the migration created)', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'authoring-update-all-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE products (id bigint PRIMARY KEY, name text, active boolean);\n');
  writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE products;\n');
  writeFileSync(join(dir, '20260102000000_u.up.sql'), "UPDATE products SET active = true, name = 'x';\nCREATE TABLE scratch (a int);\nUPDATE scratch SET a = 1;\n");
  writeFileSync(join(dir, '20260102000000_u.down.sql'), 'DROP TABLE scratch;\n');
  const found = (await verifyFolder(dir)).filter((v) => v.rule === 'destructive-needs-flag').map((v) => `${v.line}:${v.column} ${v.message}`);
  t.same(found, ['1:1 UPDATE without WHERE overwrites active, name in every row of products.']);
});
