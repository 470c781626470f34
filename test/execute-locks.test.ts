// The relation locks each statement takes, read from pg_locks inside the migration's transaction.
import t from 'tap';
import { basename, join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { executeMigrations, type StatementLocks } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');

t.test('locks per statement', async (t) => {
  const db = await startTestServer(t);
  const report = await executeMigrations(await migrationsOf(join(FIXTURES, 'locks')), { url: db.server.url });
  t.same(report.violations, [], 'the fixture verifies clean');
  const locksOf = (file: string): StatementLocks | undefined => report.migrations.flatMap((m) => m.locks).find((l) => basename(l.file) === file);

  const cases: { name: string; file: string; line: number; statement: string; locks: { relation: string; mode: string }[] }[] = [
    {
      name: 'CREATE INDEX on an existing table takes a SHARE lock on it',
      file: '20260101000100_index_products_name.up.sql',
      line: 2,
      statement: 'CREATE INDEX products_name_idx ON products (name)',
      locks: [
        { relation: 'products', mode: 'ShareLock' },
        { relation: 'products_name_idx', mode: 'AccessExclusiveLock' },
      ],
    },
    {
      name: 'ALTER TABLE ADD COLUMN takes an ACCESS EXCLUSIVE lock',
      file: '20260101000200_add_products_sku.up.sql',
      line: 2,
      statement: 'ALTER TABLE products ADD COLUMN sku TEXT',
      locks: [{ relation: 'products', mode: 'AccessExclusiveLock' }],
    },
    {
      name: 'DROP INDEX locks the table and the index',
      file: '20260101000100_index_products_name.down.sql',
      line: 2,
      statement: 'DROP INDEX products_name_idx',
      locks: [
        { relation: 'products', mode: 'AccessExclusiveLock' },
        { relation: 'products_name_idx', mode: 'AccessExclusiveLock' },
      ],
    },
    {
      name: 'CREATE INDEX CONCURRENTLY runs in a no-transaction migration; its locks are gone by the time they are read',
      file: '20260101000300_index_products_sku.up.sql',
      line: 3,
      statement: 'CREATE INDEX CONCURRENTLY products_sku_idx ON products (sku)',
      locks: [],
    },
  ];
  for (const c of cases) {
    t.same(locksOf(c.file), { file: join(FIXTURES, 'locks', c.file), line: c.line, statement: c.statement, locks: c.locks }, c.name);
  }

  const summary = report.migrations.flatMap((m) => m.locks).find((l) => l.statement.startsWith('CREATE TABLE products'));
  t.equal(summary?.statement.length, 60, 'a long statement is cut to 60 characters');
  t.notMatch(summary?.statement ?? '', /\n/, 'on one line');
  t.ok(
    report.migrations.flatMap((m) => m.locks).every((s) => s.locks.every((l) => !l.relation.startsWith('pg_'))),
    'no pg_catalog relation is listed',
  );
  t.equal(report.migrations.length, 4);
  t.ok(report.migrations.every((m) => typeof m.downMs === 'number'), 'every migration was rolled back');
});
