// The locks the language server's hover claims for a statement, checked against pg_locks on a real PostgreSQL: each
// statement runs in a migration after the one that sets up its tables, and every lock hover names must be taken.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { displayName } from '../verify/ast.js';
import { executeMigrations } from '../verify/execute/index.js';
import { verify } from '../verify/engine.js';
import { statementLocks } from '../verify/lock-table.js';
import { startTestServer } from './helpers/server.js';

const GIVEN = `CREATE TABLE products (id bigint PRIMARY KEY, barcode text, price int);
CREATE INDEX idx_products_barcode ON products (barcode);
CREATE TABLE orders (id bigint PRIMARY KEY, product_id bigint);
ALTER TABLE orders ADD CONSTRAINT orders_price_check CHECK (id > 0) NOT VALID;
CREATE MATERIALIZED VIEW product_count AS SELECT count(*) AS n FROM products;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
`;

const CASES: ReadonlyArray<{ readonly sql: string; readonly locks: ReadonlyArray<readonly [string, string]> }> = [
  { sql: 'CREATE INDEX idx_products_price ON products (price);', locks: [['products', 'ShareLock']] },
  { sql: 'ALTER TABLE products ADD COLUMN note text;', locks: [['products', 'AccessExclusiveLock']] },
  { sql: 'ALTER TABLE orders VALIDATE CONSTRAINT orders_price_check;', locks: [['orders', 'ShareUpdateExclusiveLock']] },
  { sql: 'ALTER TABLE products SET (fillfactor = 90);', locks: [['products', 'ShareUpdateExclusiveLock']] },
  {
    sql: 'ALTER TABLE orders ADD CONSTRAINT orders_product_fk FOREIGN KEY (product_id) REFERENCES products (id) NOT VALID;',
    locks: [['orders', 'ShareRowExclusiveLock'], ['products', 'ShareRowExclusiveLock']],
  },
  { sql: 'CREATE TABLE reviews (id bigint PRIMARY KEY, product_id bigint REFERENCES products (id));', locks: [['products', 'ShareRowExclusiveLock']] },
  { sql: 'DROP TABLE orders;', locks: [['orders', 'AccessExclusiveLock']] },
  { sql: 'DROP INDEX idx_products_barcode;', locks: [['idx_products_barcode', 'AccessExclusiveLock'], ['products', 'AccessExclusiveLock']] },
  { sql: 'TRUNCATE orders;', locks: [['orders', 'AccessExclusiveLock']] },
  { sql: 'ALTER TABLE orders RENAME COLUMN product_id TO item_id;', locks: [['orders', 'AccessExclusiveLock']] },
  { sql: 'INSERT INTO products (id, barcode) VALUES (1, $$x$$);', locks: [['products', 'RowExclusiveLock']] },
  { sql: 'UPDATE products SET price = 1;', locks: [['products', 'RowExclusiveLock']] },
  { sql: 'DELETE FROM orders;', locks: [['orders', 'RowExclusiveLock']] },
  { sql: 'CREATE TRIGGER products_touch BEFORE UPDATE ON products FOR EACH ROW EXECUTE FUNCTION touch();', locks: [['products', 'ShareRowExclusiveLock']] },
  { sql: 'REFRESH MATERIALIZED VIEW product_count;', locks: [['product_count', 'AccessExclusiveLock']] },
  { sql: 'CLUSTER products USING idx_products_barcode;', locks: [['products', 'AccessExclusiveLock']] },
  { sql: 'REINDEX TABLE products;', locks: [['products', 'ShareLock']] },
  { sql: 'GRANT SELECT ON products TO PUBLIC;', locks: [] },
];

t.test('hover lock claims agree with pg_locks', async (t) => {
  await loadParser();
  const db = await startTestServer(t);
  for (const { sql, locks } of CASES) {
    t.test(sql, async (t) => {
      const [statement] = parseSql(sql).statements;
      const claimed = statementLocks(statement!, (index) => (index === 'public.idx_products_barcode' ? 'public.products' : undefined)).map((l) => [displayName(l.relation), l.mode]);
      t.same(claimed.sort(), [...locks].map((l) => [...l]).sort(), 'the claim');
      const dir = mkdtempSync(join(tmpdir(), 'lsp-locks-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const given = join(dir, '20260101000000_given.up.sql');
      const example = join(dir, '20260102000000_example.up.sql');
      writeFileSync(given, GIVEN);
      writeFileSync(example, sql);
      const { url } = await db.freshDatabase();
      const { migrations } = await verify({ paths: [dir], rules: [], cache: false });
      const report = await executeMigrations(migrations, { url });
      t.same(report.violations.filter((v) => v.rule === 'up-fails'), [], 'the statement runs');
      const taken = report.migrations.find((m) => m.name === '20260102000000_example')?.locks.find((s) => s.file === example)?.locks ?? [];
      for (const [relation, mode] of claimed) t.ok(taken.some((l) => l.relation === relation && l.mode === mode), `${mode} on ${relation} is taken: ${JSON.stringify(taken)}`);
    });
  }
});

t.test('the lock table follows the target version where PostgreSQL changed a level', async (t) => {
  await loadParser();
  const locksOf = (sql: string, version?: number) => statementLocks(parseSql(sql).statements[0]!, undefined, version).map((l) => `${displayName(l.relation)} ${l.mode}`);
  const attach = 'ALTER TABLE events ATTACH PARTITION events_2026 FOR VALUES FROM (1) TO (2);';
  t.same(locksOf(attach, 12), ['events ShareUpdateExclusiveLock'], 'ATTACH PARTITION: SHARE UPDATE EXCLUSIVE on the parent from 12');
  t.same(locksOf(attach, 11), ['events AccessExclusiveLock'], 'ACCESS EXCLUSIVE before 12');
  t.same(locksOf('ALTER TABLE events DETACH PARTITION events_2026 CONCURRENTLY;'), ['events ShareUpdateExclusiveLock'], 'DETACH ... CONCURRENTLY: SHARE UPDATE EXCLUSIVE');
  t.same(locksOf('ALTER TABLE events DETACH PARTITION events_2026;'), ['events AccessExclusiveLock'], 'a plain DETACH: ACCESS EXCLUSIVE');
});
