// Issue 12, items 5 and 6: faults end in one line and a true state. A backend terminated (pg_terminate_backend) or a
// server stopped in the middle of a migration, for `migrate` and `deploy`; SIGTERM and SIGINT in the middle of a
// transactional migration and of a CREATE INDEX CONCURRENTLY. Each must end with exit 1, one `error:` line on stderr
// (never "TypeError: Cannot read properties of null (reading 'write')", never a stack trace), what was applied and
// committed, what was rolled back, what was left, and the next command; a signal cancels the statement on the server
// (no statement left running, no lock left held).
import t, { type Test } from 'tap';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder, type MigrationSpec } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { startTemporaryServer } from '../core/postgres/embedded-server.js';

const ROOT = join(import.meta.dirname, '..');
const MIGRATE = join(ROOT, 'dist', 'scripts', 'migrate.js');
const DEPLOY = join(ROOT, 'dist', 'scripts', 'deploy.js');

t.setTimeout(240_000);

interface Finished {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function start(script: string, args: readonly string[], url: string): { child: ChildProcess; done: Promise<Finished> } {
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...args], { cwd: ROOT, env: childEnv({ DATABASE_URL: url }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<Finished>((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr, ms: Date.now() - started })));
  return { child, done };
}

/** The pid of the migration session once it runs a statement matching `like`. */
async function waitForStatement(sql: Sql, like: string, ms = 30_000): Promise<number | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const [row] = await sql<{ pid: number }[]>`
      SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'skincare-migrate' AND state = 'active' AND query LIKE ${like}`;
    if (row) return row.pid;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return undefined;
}

function oneErrorLine(t: Test, run: Finished, pattern: RegExp): void {
  const lines = run.stderr.split('\n').filter(Boolean);
  t.equal(lines.length, 1, `one line on stderr: ${run.stderr.trim()}`);
  t.match(lines[0], pattern);
  t.notMatch(run.stdout + run.stderr, /TypeError|Cannot read properties/);
  t.notMatch(run.stdout + run.stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');
}

async function recorded(sql: Sql): Promise<string[]> {
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

async function present(sql: Sql, table: string): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`SELECT to_regclass(${table}) IS NOT NULL AS present`;
  return row?.present ?? false;
}

async function advisoryLocks(sql: Sql): Promise<number> {
  const rows = await sql`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
  return rows.length;
}

const BRANDS: MigrationSpec = { slug: 'create_brands', up: 'CREATE TABLE brands (id int PRIMARY KEY);', down: 'DROP TABLE brands;' };
const SLOW: MigrationSpec = {
  slug: 'create_products_slowly',
  up: 'CREATE TABLE products (id int);\nLOCK TABLE brands IN ACCESS EXCLUSIVE MODE;\nSELECT pg_sleep(60);',
  down: 'DROP TABLE products;',
};

/** The same without the explicit lock, which the verifier (run by deploy's preflight) refuses. */
const SLOW_PLAIN: MigrationSpec = { slug: 'create_products_slowly', up: 'CREATE TABLE products (id int);\nSELECT pg_sleep(60);', down: 'DROP TABLE products;' };

t.test('faults and signals end in one line and the true state', async (t) => {
  const db = await startTestServer(t);

  t.test('migrate: the backend is terminated in the middle of a migration', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [BRANDS, SLOW]);
    const run = start(MIGRATE, ['up', '--dir', dir], url);
    const pid = await waitForStatement(sql, 'SELECT pg_sleep(60)%');
    t.ok(pid, 'the slow migration runs');
    await sql`SELECT pg_terminate_backend(${pid!})`;
    const result = await run.done;
    t.equal(result.status, 1);
    oneErrorLine(t, result, new RegExp(`^error: the connection to \\S+ was lost during \\S+${names[1]}\\.up\\.sql:4:1 \\(.*\\): the server was stopped or the session was terminated$`));
    t.match(
      result.stdout,
      new RegExp(`\\napplied\\s+${names[0]}\\nstate: applied and committed by this run: ${names[0]}; ${names[1]} was rolled back as a whole and is not recorded; next: when the server answers again, make status shows where it stands; then make migrate\\.\\n`),
    );
    t.same(await recorded(sql), [names[0]]);
    t.notOk(await present(sql, 'public.products'), 'the terminated migration left nothing');
    t.equal(await advisoryLocks(sql), 0, 'the lock was released');
  });

  t.test('deploy: the backend is terminated in the middle of a migration; the state and the rollback count only this deploy', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [BRANDS, SLOW_PLAIN]);
    const run = start(DEPLOY, ['--dir', dir, '--backup', 'skip'], url);
    const pid = await waitForStatement(sql, 'SELECT pg_sleep(60)%', 60_000);
    t.ok(pid, 'the slow migration runs');
    await sql`SELECT pg_terminate_backend(${pid!})`;
    const result = await run.done;
    t.equal(result.status, 1);
    t.notMatch(result.stdout + result.stderr, /TypeError|Cannot read properties|^\s+at .+:\d+:\d+\)?$/m);
    t.match(result.stderr, /^deploy FAILED at migrate: the connection to \S+ was lost during /m);
    t.match(
      result.stderr,
      new RegExp(`\\nstate: 1 of the 2 pending migrations were applied and committed by this deploy \\(${names[0]}\\)\\. ${names[1]} was rolled back as a whole and is not recorded; next: .*To return to where the deploy started: .*make rollback STEPS=1 MIGRATIONS_DIR=`),
    );
    t.match(result.stdout, /to roll back what this deploy applied: {2}.*make rollback STEPS=1 /);
    t.same(await recorded(sql), [names[0]]);
    t.equal(await advisoryLocks(sql), 0);
  });

  t.test('migrate: the server stops in the middle of a migration', async (t) => {
    const server = await startTemporaryServer();
    let stopped = false;
    t.teardown(async () => {
      if (!stopped) await server.stop();
    });
    const admin = connect(server.url);
    await admin.unsafe('CREATE DATABASE faults');
    const url = server.url.replace(/\/postgres$/, '/faults');
    const sql = connect(url);
    const { dir, names } = migrationFolder(t, [BRANDS, SLOW]);
    const run = start(MIGRATE, ['up', '--dir', dir], url);
    t.ok(await waitForStatement(sql, 'SELECT pg_sleep(60)%'), 'the slow migration runs');
    await sql.end({ timeout: 1 }).catch(() => undefined);
    await admin.end({ timeout: 1 }).catch(() => undefined);
    await server.stop();
    stopped = true;
    const result = await run.done;
    t.equal(result.status, 1);
    oneErrorLine(t, result, new RegExp(`^error: the connection to \\S+ was lost during \\S+${names[1]}\\.up\\.sql:4:1 `));
    t.match(result.stdout, new RegExp(`state: applied and committed by this run: ${names[0]}; ${names[1]} was rolled back as a whole and is not recorded; next: when the server answers again`));
  });

  t.test('migrate: SIGTERM cancels the running statement on the server, rolls back, releases every lock, says so', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [BRANDS, SLOW]);
    const run = start(MIGRATE, ['up', '--dir', dir], url);
    const pid = await waitForStatement(sql, 'SELECT pg_sleep(60)%');
    t.ok(pid, 'the slow migration runs');
    run.child.kill('SIGTERM');
    const result = await run.done;
    t.equal(result.status, 1);
    t.ok(result.ms < 30_000, `ended long before the 60 s sleep (${result.ms} ms)`);
    oneErrorLine(t, result, new RegExp(`^error: SIGTERM during \\S+${names[1]}\\.up\\.sql:4:1: the running statement was cancelled on the server and the run stopped$`));
    t.match(result.stdout, /SIGTERM: cancelling the running statement on the server\.\.\.\n/);
    t.match(result.stdout, new RegExp(`state: applied and committed by this run: ${names[0]}; ${names[1]} was rolled back as a whole and is not recorded; next: make migrate runs the rest\\.`));
    const running = await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'SELECT pg_sleep(60)%' AND state = 'active'`;
    t.equal(running.length, 0, 'the statement no longer runs on the server');
    const [lock] = await sql<{ held: boolean }[]>`
      SELECT EXISTS (SELECT 1 FROM pg_locks WHERE relation = 'brands'::regclass AND mode = 'AccessExclusiveLock') AS held`;
    t.equal(lock?.held, false, 'no ACCESS EXCLUSIVE lock left on brands');
    t.equal(await advisoryLocks(sql), 0, 'no advisory lock left');
    t.same(await recorded(sql), [names[0]]);
    t.notOk(await present(sql, 'public.products'));
  });

  t.test('migrate: SIGINT during CREATE INDEX CONCURRENTLY cancels the build and names the INVALID index with its DROP', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      {
        slug: 'create_items',
        up: `CREATE TABLE items (id bigint PRIMARY KEY);
INSERT INTO items SELECT generate_series(1, 400);
CREATE FUNCTION slow_key(id bigint) RETURNS bigint LANGUAGE plpgsql IMMUTABLE AS $$ BEGIN PERFORM pg_sleep(0.05); RETURN id; END $$;`,
        down: 'DROP TABLE items;\nDROP FUNCTION slow_key(bigint);',
      },
      { slug: 'index_items_slowly', up: 'CREATE INDEX CONCURRENTLY items_slow_idx ON items (slow_key(id));', down: 'DROP INDEX CONCURRENTLY items_slow_idx;', noTransaction: true },
    ]);
    const run = start(MIGRATE, ['up', '--dir', dir], url);
    t.ok(await waitForStatement(sql, 'CREATE INDEX CONCURRENTLY%'), 'the index build runs');
    await new Promise((resolve) => setTimeout(resolve, 500));
    run.child.kill('SIGINT');
    const result = await run.done;
    t.equal(result.status, 1);
    t.ok(result.ms < 15_000, `ended before the 20 s build (${result.ms} ms)`);
    oneErrorLine(
      t,
      result,
      new RegExp(`^error: SIGINT during \\S+${names[1]}\\.up\\.sql:3:1: the running statement was cancelled on the server and the run stopped; it left INVALID index public\\.items_slow_idx: run DROP INDEX CONCURRENTLY public\\.items_slow_idx; then re-run$`),
    );
    t.match(result.stdout, new RegExp(`state: applied and committed by this run: ${names[0]}; ${names[1]} runs without a transaction: .* it is not recorded; it left INVALID index public\\.items_slow_idx: run DROP INDEX CONCURRENTLY public\\.items_slow_idx; then re-run; next: drop the INVALID index as above, then make migrate\\.`));
    const building = await sql`SELECT 1 FROM pg_stat_progress_create_index`;
    t.equal(building.length, 0, 'the build no longer runs on the server');
    t.same(await recorded(sql), [names[0]]);
    t.equal(await advisoryLocks(sql), 0);

    const next = start(MIGRATE, ['up', '--dir', dir], url);
    const again = await next.done;
    t.equal(again.status, 1, 'the next run stops at the INVALID index');
    t.match(again.stderr, /^error: index public\.items_slow_idx on public\.items is INVALID: .*DROP INDEX CONCURRENTLY public\.items_slow_idx; then re-run/);
  });
});
