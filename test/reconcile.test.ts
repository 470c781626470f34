// make drift's reconciling DDL, difference by difference (the snapshots as the catalog query makes them).
import t from 'tap';
import { reconcilingDdl } from '../verify/execute/reconcile.js';
import { diffSnapshots } from '../verify/execute/snapshot-diff.js';
import type { Snapshot, SnapshotObject } from '../verify/execute/snapshot.js';

function snapshot(objects: SnapshotObject[]): Snapshot {
  return new Map(objects.map((o) => [o.key, o]));
}
const object = (key: string, props: SnapshotObject['props'], parent?: string): SnapshotObject => ({ key, rank: 0, names: [], props, ...(parent ? { parent } : {}) });

t.test('each difference gets the statement that makes the target match the migrations', async (t) => {
  const table = object('table products', {});
  const migrations = snapshot([
    table,
    object('column products.name', { type: 'text', nullability: 'not null', default: "'x'::text", comment: 'The name.' }, 'table products'),
    object('column products.sku', { type: 'text', nullability: 'nullable' }, 'table products'),
    object('constraint products_name_check on products', { definition: "CHECK ((name <> ''::text))" }, 'table products'),
    object('index products_sku_idx on products', { definition: 'CREATE INDEX products_sku_idx ON public.products USING btree (sku)' }, 'table products'),
    object('view product_names', { definition: ' SELECT name\n   FROM products;' }),
  ]);
  const target = snapshot([
    table,
    object('column products.name', { type: 'character varying(10)', nullability: 'nullable', comment: 'Old.' }, 'table products'),
    object('column products.legacy', { type: 'text', nullability: 'nullable' }, 'table products'),
    object('constraint products_legacy_check on products', { definition: 'CHECK ((legacy IS NOT NULL))' }, 'table products'),
    object('table scratch', {}),
  ]);
  const ddl = diffSnapshots(migrations, target).map((d) => reconcilingDdl(d, migrations, target));
  t.same(ddl.sort(), [
    "ALTER TABLE products ADD CONSTRAINT products_name_check CHECK ((name <> ''::text));",
    'ALTER TABLE products ADD COLUMN sku text;',
    "ALTER TABLE products ALTER COLUMN name SET DEFAULT 'x'::text;",
    'ALTER TABLE products ALTER COLUMN name SET NOT NULL;',
    'ALTER TABLE products ALTER COLUMN name TYPE text; -- rewrites products unless the change is binary-coercible',
    "ALTER TABLE products DROP COLUMN legacy; -- deletes the column's data: keep it if anything still reads it",
    'ALTER TABLE products DROP CONSTRAINT products_legacy_check;',
    "COMMENT ON COLUMN products.name IS 'The name.';",
    'CREATE INDEX CONCURRENTLY products_sku_idx ON public.products USING btree (sku);',
    'CREATE OR REPLACE VIEW product_names AS\nSELECT name\n   FROM products;',
    'DROP TABLE scratch; -- deletes its rows: keep it if anything still reads it',
  ].sort());
});
