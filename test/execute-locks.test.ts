// The relation locks each statement takes, read from pg_locks inside the migration's transaction.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { childEnv } from './helpers/child-env.js';
import { startTestServer } from './helpers/server.js';
import { executeMigrations, type StatementLocks } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');

t.test('locks per statement', async (t) => {
  const db = await startTestServer(t);
  const report = await executeMigrations(await migrationsOf(join(FIXTURES, 'locks')), { url: db.server.url });
  t.same(report.violations, [], 'the fixture verifies clean');
  const locksOf = (file: string, line: number): StatementLocks | undefined => report.migrations.flatMap((m) => m.locks).find((l) => basename(l.file) === file && l.line === line);

  const cases: { name: string; file: string; line: number; statement: string; outside?: true; locks: { relation: string; mode: string; how?: string }[] }[] = [
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
      name: 'a second ALTER TABLE needs the ACCESS EXCLUSIVE lock the first took: shown as held, not left out',
      file: '20260101000200_add_products_sku.up.sql',
      line: 4,
      statement: "ALTER TABLE products ADD CONSTRAINT products_sku_not_blank CHECK (sku <> '')",
      locks: [{ relation: 'products', mode: 'AccessExclusiveLock', how: 'held' }],
    },
    {
      name: 'CREATE INDEX CONCURRENTLY runs outside a transaction: its lock is read from another session while it waits for older snapshots',
      file: '20260101000300_index_products_sku.up.sql',
      line: 3,
      statement: 'CREATE INDEX CONCURRENTLY products_sku_idx ON products (sku)',
      outside: true,
      locks: [{ relation: 'products', mode: 'ShareUpdateExclusiveLock', how: 'observed' }],
    },
    {
      name: 'DROP INDEX CONCURRENTLY waits for the lockers of the table, so the observer (holding ACCESS SHARE on it) sees its locks',
      file: '20260101000300_index_products_sku.down.sql',
      line: 3,
      statement: 'DROP INDEX CONCURRENTLY products_sku_idx',
      outside: true,
      locks: [
        { relation: 'products', mode: 'ShareUpdateExclusiveLock', how: 'observed' },
        { relation: 'products_sku_idx', mode: 'ShareUpdateExclusiveLock', how: 'observed' },
      ],
    },
  ];
  for (const c of cases) {
    const { name, file, ...expected } = c;
    t.same(locksOf(file, c.line), { file: join(FIXTURES, 'locks', file), ...expected }, name);
  }

  const whole = report.migrations.flatMap((m) => m.locks).find((l) => l.statement.startsWith('CREATE TABLE products'));
  t.equal(whole?.statement, 'CREATE TABLE products ( id INTEGER NOT NULL, name TEXT NOT NULL, CONSTRAINT products_pkey PRIMARY KEY (id) )', 'the whole statement, on one line');
  t.ok(
    report.migrations.flatMap((m) => m.locks).every((s) => s.locks.every((l) => !l.relation.startsWith('pg_'))),
    'no pg_catalog relation is listed',
  );
  t.equal(report.migrations.length, 4);
  t.ok(report.migrations.every((m) => typeof m.downMs === 'number'), 'every migration was rolled back');
});

t.test('make verify-db shows the locks of new or changed migrations only, wrapped to 100 columns; --locks=all shows all', async (t) => {
  const db = await startTestServer(t);
  // A project of its own: node_modules/.cache/verify-migrations holds the record of what was reported.
  const project = mkdtempSync(join(tmpdir(), 'verify-locks-'));
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  mkdirSync(join(project, 'node_modules'));
  cpSync(join(FIXTURES, 'locks'), join(project, 'sql'), { recursive: true });
  const cli = join(import.meta.dirname, '..', 'dist', 'verify', 'cli.js');
  const run = (...extra: string[]): string => {
    const result = spawnSync(process.execPath, [cli, '--execute', 'sql', ...extra], { cwd: project, encoding: 'utf8', env: childEnv({ VERIFY_DATABASE_URL: db.server.url, NO_COLOR: '1' }) });
    // Exit 1: the fixture takes the locks the static rules warn of, on purpose.
    t.same([result.status, result.stderr], [1, ''], 'the static errors of the fixture, no usage error');
    return result.stdout;
  };
  const section = (text: string): string => text.slice(text.indexOf('Locks taken'), text.indexOf('Executed '));

  const first = section(run());
  t.match(first, 'sql/20260101000000_create_products.up.sql:2\n      CREATE TABLE products ( id INTEGER NOT NULL, name TEXT NOT NULL, CONSTRAINT products_pkey\n      PRIMARY KEY (id) )\n', 'the whole statement, wrapped');
  t.ok(first.split('\n').every((line) => line.length <= 100), 'no line is wider than 100 columns (not a terminal)');
  t.match(first, "sql/20260101000200_add_products_sku.up.sql:4\n      ALTER TABLE products ADD CONSTRAINT products_sku_not_blank CHECK (sku <> '')\n    locks: AccessExclusiveLock on products (already held by the transaction)\n");
  t.match(first, 'sql/20260101000300_index_products_sku.up.sql:3  (outside a transaction)\n      CREATE INDEX CONCURRENTLY products_sku_idx ON products (sku)\n    locks: ShareUpdateExclusiveLock on products (observed from another session while it ran)\n');
  t.notMatch(first, 'not shown', 'the first report shows every migration');

  const second = run();
  t.notMatch(second, 'sql/20260101000000_create_products.up.sql:2', 'nothing changed: no statement is listed again');
  t.match(second, '(4 migrations unchanged since the last report not shown: --locks=all, or make verify-db LOCKS=all, shows every one)');

  appendFileSync(join(project, 'sql', '20260101000200_add_products_sku.down.sql'), '-- edited\n');
  const third = section(run());
  t.match(third, 'sql/20260101000200_add_products_sku.down.sql:2', 'the changed migration is listed');
  t.match(third, 'sql/20260101000200_add_products_sku.up.sql:2', 'both of its files');
  t.notMatch(third, '20260101000100_index_products_name', 'the unchanged ones are not');
  t.match(third, '(3 migrations unchanged');

  const all = section(run('--locks=all'));
  t.match(all, 'sql/20260101000000_create_products.up.sql:2');
  t.notMatch(all, 'not shown');
});
