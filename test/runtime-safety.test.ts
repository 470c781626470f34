// Runtime safety against a real PostgreSQL: lock_timeout and statement_timeout per migration session (and what the
// error says when they fire), an INVALID index left by a failed CREATE INDEX CONCURRENTLY found before the next run,
// and a dry run that prints the SQL with its transaction boundaries and changes nothing.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { catalogSnapshot, userTables } from './helpers/catalog.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { migrateUp, migrationStatus } from '../runner/runner.js';
import { IntegrityError } from '../runner/integrity.js';
import { SqlError } from '../runner/errors.js';
import { relationsOf, timeoutsFromEnv } from '../runner/runtime-safety.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');
const migrateJs = join(root, 'dist', 'scripts', 'migrate.js');
const fixtures = join(import.meta.dirname, 'fixtures');
const basic = join(fixtures, 'runner', 'basic');
const app = join(fixtures, 'deploy', 'app');
const SECRET = 'runtime-S3cret';

function cli(args: readonly string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [migrateJs, ...args], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function appliedNames(sql: Sql): Promise<string[] | null> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return null;
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

t.before(() => {
  if (!existsSync(migrateJs)) throw new Error('dist/scripts/migrate.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

t.test('timeouts: defaults, MIGRATE_LOCK_TIMEOUT and MIGRATE_STATEMENT_TIMEOUT, bad values', async (t) => {
  t.same(timeoutsFromEnv({}), { lockTimeout: '5s', statementTimeout: '15min' });
  t.same(timeoutsFromEnv({ MIGRATE_LOCK_TIMEOUT: '250ms', MIGRATE_STATEMENT_TIMEOUT: '0' }), { lockTimeout: '250ms', statementTimeout: '0' });
  t.throws(() => timeoutsFromEnv({ MIGRATE_LOCK_TIMEOUT: "5s'; DROP TABLE users; --" }), { code: 'USAGE', message: /MIGRATE_LOCK_TIMEOUT=.* is not a duration/ });
  const bad = cli(['up', '--dir', basic], { DATABASE_URL: `postgres://postgres:${SECRET}@127.0.0.1:1/x`, MIGRATE_STATEMENT_TIMEOUT: 'soon' });
  t.equal(bad.status, 2);
  t.match(bad.stderr, /^error: MIGRATE_STATEMENT_TIMEOUT=soon is not a duration PostgreSQL accepts/);
  t.same(await relationsOf('ALTER TABLE public.items ADD CONSTRAINT f FOREIGN KEY (b) REFERENCES brands (id)'), ['public.items', 'brands']);
  t.same(await relationsOf('DROP TABLE "Items", other'), ['"Items"', 'other']);
});

t.test('runtime safety', async (t) => {
  const db = await startTestServer(t);

  t.test('each migration session runs with lock_timeout and statement_timeout (defaults, then from the environment)', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: join(fixtures, 'deploy', 'settings'), databaseUrl: url });
    t.same(await sql`SELECT lock_timeout, statement_timeout FROM settings_seen`, [{ lock_timeout: '5s', statement_timeout: '15min' }]);
    const { url: other, sql: otherSql } = await db.freshDatabase();
    const result = cli(['up', '--dir', join(fixtures, 'deploy', 'settings')], { DATABASE_URL: other, MIGRATE_LOCK_TIMEOUT: '750ms', MIGRATE_STATEMENT_TIMEOUT: '2min' });
    t.equal(result.status, 0, result.stderr);
    t.same(await otherSql`SELECT lock_timeout, statement_timeout FROM settings_seen`, [{ lock_timeout: '750ms', statement_timeout: '2min' }]);
  });

  t.test('a lock timeout names the busy table, who holds it, and what to do; nothing of the migration stays', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: basic, databaseUrl: url, count: 2 });
    const holder = connect(url, { max: 1, connection: { application_name: 'report-job' } });
    t.teardown(() => holder.end({ timeout: 1 }));
    const reserved = await holder.reserve();
    await reserved.unsafe('BEGIN');
    await reserved.unsafe('SELECT count(*) FROM items');
    const [{ pid }] = (await reserved.unsafe('SELECT pg_backend_pid() AS pid')) as unknown as [{ pid: number }];

    const started = Date.now();
    // No retry here (test/lock-retry.test.ts has them): the message of one lock timeout.
    const error = (await migrateUp({ dir: basic, databaseUrl: url, timeouts: { lockTimeout: '400ms', statementTimeout: '1min' }, lockRetries: { retries: 0, baseDelayMs: 0 } }).catch((e: unknown) => e)) as SqlError;
    t.ok(Date.now() - started < 10_000, 'it did not wait long');
    t.type(error, SqlError);
    t.equal(error.sqlState, '55P03');
    t.match(
      error.message,
      new RegExp(
        `20260101000200_add_items_label\\.up\\.sql:2:1: canceling statement due to lock timeout: table items was busy: pid ${pid} \\(user postgres, application "report-job", idle in transaction for \\d\\d:\\d\\d:\\d\\d\\) holds AccessShareLock on it, ` +
          `and the migration waited lock_timeout = 400ms \\(MIGRATE_LOCK_TIMEOUT\\)\\. Re-run when that session is done, or end it \\(SELECT pg_terminate_backend\\(${pid}\\)\\) and re-run`,
      ),
    );
    t.same(await appliedNames(sql), ['20260101000000_create_brands', '20260101000100_create_items'], 'not recorded');
    const [label] = await sql`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'label'`;
    t.equal(label?.n, 0, 'the ALTER TABLE was rolled back');

    // The CLI, with MIGRATE_LOCK_TIMEOUT and a password in the URL.
    const result = cli(['up', '--dir', basic], { DATABASE_URL: url.replace('postgres@', `postgres:${SECRET}@`), MIGRATE_LOCK_TIMEOUT: '300ms', MIGRATE_LOCK_RETRIES: '0' });
    t.equal(result.status, 1);
    t.match(result.stderr, /^error: .*canceling statement due to lock timeout: table items was busy: pid \d+ .*lock_timeout = 300ms/);
    t.equal(result.stderr.trim().split('\n').length, 1, 'one line');
    t.notMatch(result.stdout + result.stderr, SECRET);

    await reserved.unsafe('COMMIT');
    reserved.release();
    const ok = await migrateUp({ dir: basic, databaseUrl: url });
    t.same(ok.migrations.map((m) => m.name), ['20260101000200_add_items_label'], 'once the lock is gone the migration runs');
  });

  t.test('a statement timeout says which setting to raise', async (t) => {
    const { url } = await db.freshDatabase();
    const error = (await migrateUp({ dir: join(fixtures, 'deploy', 'slow'), databaseUrl: url, timeouts: { lockTimeout: '5s', statementTimeout: '300ms' } }).catch((e: unknown) => e)) as SqlError;
    t.type(error, SqlError);
    t.equal(error.sqlState, '57014');
    t.match(error.message, /20260301000000_sleep\.up\.sql:2:1: canceling statement due to statement timeout: the statement ran longer than statement_timeout = 300ms \(MIGRATE_STATEMENT_TIMEOUT\); if it needs longer, re-run with a larger one, e\.g\. make migrate MIGRATE_STATEMENT_TIMEOUT=2h/);
  });

  t.test('an INVALID index from a failed CREATE UNIQUE INDEX CONCURRENTLY is found before the next run, with the recovery', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: app, databaseUrl: url, count: 2 });
    await sql`INSERT INTO brands (name) VALUES ('Acme')`;
    await sql`INSERT INTO items (brand_id, sku) SELECT id, 'SKU-1' FROM brands CROSS JOIN generate_series(1, 2)`;
    const failed = (await migrateUp({ dir: app, databaseUrl: url }).catch((e: unknown) => e)) as SqlError;
    t.type(failed, SqlError);
    t.match(failed.message, /20260201000200_index_items_sku\.up\.sql:3:1: could not create unique index "idx_items_sku"/);
    const [index] = await sql`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = 'idx_items_sku'::regclass`;
    t.equal(index?.valid, false, 'the failed build left an INVALID index');

    const next = (await migrateUp({ dir: app, databaseUrl: url }).catch((e: unknown) => e)) as IntegrityError;
    t.type(next, IntegrityError);
    t.equal(next.code, 'INVALID_INDEX');
    t.match(
      next.message,
      /^index public\.idx_items_sku on public\.items is INVALID: a CREATE INDEX CONCURRENTLY \(or REINDEX CONCURRENTLY\) failed or was interrupted and left it; .* Recover: DROP INDEX CONCURRENTLY public\.idx_items_sku; then re-run/,
    );
    const status = await migrationStatus({ dir: app, databaseUrl: url });
    t.match(status.problems, [{ code: 'INVALID_INDEX' }], 'status reports it too');
    const cliStatus = cli(['status', '--dir', app], { DATABASE_URL: url });
    t.match(cliStatus.stdout, /warning: index public\.idx_items_sku on public\.items is INVALID/);

    // The recovery the message gives, after fixing the data.
    await sql.unsafe('DROP INDEX CONCURRENTLY public.idx_items_sku');
    await sql`DELETE FROM items WHERE id = (SELECT max(id) FROM items)`;
    const done = await migrateUp({ dir: app, databaseUrl: url });
    t.same(done.migrations.map((m) => m.name), ['20260201000200_index_items_sku']);
  });

  t.test('a dry run prints the SQL in order with BEGIN/COMMIT, marks no-transaction migrations, and changes nothing', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const empty = await catalogSnapshot(sql);
    const withPassword = url.replace('postgres@', `postgres:${SECRET}@`);
    const result = cli(['up', '--dry-run', '--dir', app], { DATABASE_URL: withPassword });
    t.equal(result.status, 0, result.stderr);
    t.notMatch(result.stdout + result.stderr, SECRET);
    const out = result.stdout;
    t.match(out, /^database: .*\n-- dry run: nothing below is sent; the session starts with .*\nSET SESSION AUTHORIZATION DEFAULT;\nRESET ALL;\n.*\nSET lock_timeout = '5s';\nSET statement_timeout = '15min';\n/);
    t.match(out, /-- the first run creates the bookkeeping tables\nCREATE TABLE "public"\."pgmigrations"/);
    const brands = out.indexOf('-- test/fixtures/deploy/app/20260201000000_create_brands.up.sql (up)\nBEGIN;\nCREATE TABLE brands (');
    const items = out.indexOf('-- test/fixtures/deploy/app/20260201000100_create_items.up.sql (up)\nBEGIN;\nCREATE TABLE items (');
    const sku = out.indexOf(
      '-- test/fixtures/deploy/app/20260201000200_index_items_sku.up.sql (up): no transaction (-- migrate:no-transaction): each statement commits on its own\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS idx_items_sku ON items (sku);\n',
    );
    t.ok(brands > 0 && items > brands && sku > items, 'in order, each with its boundaries');
    t.match(out, /CREATE INDEX idx_items_brand_id ON items \(brand_id\);\nINSERT INTO "public"\."pgmigrations" \(name, run_on\) VALUES \('20260201000100_create_items', NOW\(\)\);\nINSERT INTO "public"\."pgmigrations_checksums" .*\nINSERT INTO "public"\."pgmigrations_audit" .* SELECT 'apply', 'migrate', 'ok', '20260201000100_create_items', .*\nCOMMIT;\n/);
    t.equal(out.match(/^BEGIN;$/gm)?.length, 3, 'two transactions, and the no-transaction migration\'s bookkeeping in one');
    t.equal(out.match(/^COMMIT;$/gm)?.length, 3);
    t.match(out, /\n-- dry run: 3 migrations would be applied; nothing was changed\n$/);
    t.equal(await appliedNames(sql), null, 'pgmigrations was not even created');
    t.same(await catalogSnapshot(sql), empty, 'the schema is untouched');
    t.same(await userTables(sql), []);

    // After a real run: down and redo plans, still read-only.
    await migrateUp({ dir: app, databaseUrl: url, count: 2 });
    const full = await catalogSnapshot(sql);
    const down = cli(['down', '2', '--dry-run', '--dir', app], { DATABASE_URL: url });
    t.equal(down.status, 0, down.stderr);
    t.match(down.stdout, /-- .*20260201000100_create_items\.down\.sql \(down\)\nBEGIN;\nDROP TABLE items;\nDELETE FROM "public"\."pgmigrations" WHERE name='20260201000100_create_items';\nDELETE FROM "public"\."pgmigrations_checksums" WHERE name = '20260201000100_create_items';\nINSERT INTO "public"\."pgmigrations_audit" .* SELECT 'rollback', 'rollback', 'ok', '20260201000100_create_items', .*\nCOMMIT;\n/);
    t.match(down.stdout, /create_items\.down\.sql[\s\S]*create_brands\.down\.sql/, 'newest first');
    t.notMatch(down.stdout, /bookkeeping tables/, 'no setup when the tables exist');
    const redo = cli(['redo', '--dry-run', '--dir', app], { DATABASE_URL: url });
    t.equal(redo.status, 0, redo.stderr);
    t.match(redo.stdout, /create_items\.down\.sql \(down\)[\s\S]*create_items\.up\.sql \(up\)[\s\S]*-- dry run: 1 migration would be applied; nothing was changed\n$/);
    t.same(await appliedNames(sql), ['20260201000000_create_brands', '20260201000100_create_items']);
    t.same(await catalogSnapshot(sql), full, 'still untouched');
  });
});

