import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/object-missing.js';
import { verify } from '../../verify/engine.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, barcode text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'an unknown name that is no near miss may come from a baseline: quiet', before: [products], up: 'ALTER TABLE customers ADD COLUMN note text;\nDROP TABLE legacy_orders;', down: 'SELECT 1;' },
    { name: 'IF EXISTS is meant for what may be missing', before: [products], up: 'DROP TABLE IF EXISTS prodcts;\nALTER TABLE IF EXISTS prodcts ADD COLUMN x int;\nALTER TABLE products DROP COLUMN IF EXISTS barcod;', down: 'SELECT 1;' },
    { name: 'what the statement itself adds first', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text, ALTER COLUMN sku SET NOT NULL;', down: 'ALTER TABLE products DROP COLUMN sku;' },
    { name: 'the down sees the schema the up left', before: [products], up: 'CREATE TABLE product_tags (id int);', down: 'DROP TABLE product_tags;' },
  ],
  invalid: [
    { name: 'a near miss of a known table', before: [products], up: 'ALTER TABLE prodcts ADD COLUMN sku text;', down: 'SELECT 1;', errors: [{ messageId: 'nearMiss', line: 1, column: 13, endLine: 1, endColumn: 40, message: 'PostgreSQL stops the migration here: relation "prodcts" does not exist (did you mean products?).' }] },
    { name: 'near misses of a column, a constraint, an index and a type', before: [products, { up: "CREATE INDEX idx_products_name ON products (name);\nCREATE TYPE colour AS ENUM ('red');\nALTER TABLE products ADD CONSTRAINT name_set CHECK (name <> '');" }], up: "ALTER TABLE products DROP COLUMN barcod;\nALTER TABLE products DROP CONSTRAINT name_sett;\nDROP INDEX idx_product_name;\nDROP TYPE color;\nINSERT INTO prodcts VALUES (1);", down: 'SELECT 1;', errors: [
      { messageId: 'nearMiss', line: 1, column: 1, endLine: 1, endColumn: 40, message: 'column "barcod" of relation "products" does not exist (did you mean barcode?)' },
      { messageId: 'nearMiss', line: 2, column: 1, endLine: 2, endColumn: 47, message: 'constraint "name_sett" of relation "products" does not exist (did you mean name_set?)' },
      { messageId: 'nearMiss', line: 3, column: 1, endLine: 3, endColumn: 28, message: 'index "idx_product_name" does not exist (did you mean idx_products_name?)' },
      { messageId: 'nearMiss', line: 4, column: 1, endLine: 4, endColumn: 16, message: 'type "color" does not exist (did you mean colour?)' },
      { messageId: 'nearMiss', line: 5, column: 13, endLine: 5, endColumn: 31, message: 'relation "prodcts" does not exist (did you mean products?)' },
    ] },
    { name: 'a quoted mixed-case name is a near miss of its lower-case twin', before: [products], up: 'ALTER TABLE "Products" ADD COLUMN sku text;', down: 'SELECT 1;', errors: [{ messageId: 'nearMiss', line: 1, column: 13, endLine: 1, endColumn: 43, message: 'relation "Products" does not exist (did you mean products?)' }] },
    { name: 'an index the down already dropped with its column (seen dropped, nothing took the name since)', before: [products, { up: 'ALTER TABLE products ADD COLUMN deleted bigint;\nCREATE UNIQUE INDEX products_name ON products (name) WHERE deleted IS NULL;' }], up: 'SELECT 1;', down: 'ALTER TABLE products DROP COLUMN deleted;\nDROP INDEX products_name;', errors: [{ messageId: 'missing', line: 2, column: 1, endLine: 2, endColumn: 25, file: 'down', message: 'PostgreSQL stops the migration here: index "products_name" does not exist.' }] },
    { name: 'an index on a column that is a near miss', before: [products], up: 'CREATE INDEX idx_products_barcode ON products (barcod);', down: 'DROP INDEX idx_products_barcode;', errors: [{ messageId: 'nearMiss', line: 1, column: 1, endLine: 1, endColumn: 55, message: 'column "barcod" does not exist (did you mean barcode?)' }] },
  ],
});

t.test('a history that starts from an empty database: what it never created does not exist', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'object-missing-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_products.up.sql'), products.up);
  writeFileSync(join(dir, '20260101000000_products.down.sql'), products.down);
  writeFileSync(join(dir, '20260102000000_more.up.sql'), 'ALTER TABLE customers ADD COLUMN note text;\nALTER TABLE products ALTER COLUMN weight SET NOT NULL;\nDROP TABLE IF EXISTS legacy;');
  writeFileSync(join(dir, '20260102000000_more.down.sql'), 'SELECT 1;');
  const quiet = await verify({ paths: [dir], rules: [rule], cache: false });
  t.same(quiet.violations, [], 'without the setting, a name that is no near miss may come from a baseline');
  const empty = await verify({ paths: [dir], rules: [rule], cache: false, startsEmpty: [dir] });
  t.same(empty.violations.map((v) => `${v.line}:${v.column} ${v.message}`), [
    '1:13 PostgreSQL stops the migration here: relation "customers" does not exist.',
    '2:1 PostgreSQL stops the migration here: column "weight" of relation "products" does not exist.',
  ]);
});

t.test('objects an extension may bring stay quiet even from an empty start', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'object-missing-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_ext.up.sql'), 'CREATE EXTENSION postgis;\nCOMMENT ON TABLE spatial_ref_sys IS NULL;\nALTER TABLE spatial_ref_sys ADD COLUMN note text;\nDROP TYPE box2d;');
  writeFileSync(join(dir, '20260101000000_ext.down.sql'), 'DROP EXTENSION postgis;');
  const result = await verify({ paths: [dir], rules: [rule], cache: false, startsEmpty: [dir] });
  t.same(result.violations, []);
});
