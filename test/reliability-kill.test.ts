// The migrate process killed with SIGKILL in the middle of a migration, as an OOM killer or a lost CI runner would.
// The server backend keeps running the statement it was given; the operator either terminates it or waits for it.
// Either way the next run must find a consistent database (nothing half-applied, nothing recorded that did not
// finish, no advisory lock left) and complete.
import t, { type Test } from 'tap';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestDatabase } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { childEnv } from './helpers/child-env.js';

const ROOT = join(import.meta.dirname, '..');
const MIGRATE = join(ROOT, 'dist', 'scripts', 'migrate.js');
const KILL_TRANSACTION = 'test/fixtures/reliability/kill-transaction';
const KILL_CONCURRENT_INDEX = 'test/fixtures/reliability/kill-concurrent-index';

t.setTimeout(180_000);

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function migrate(args: readonly string[], databaseUrl: string): Run {
  const result = spawnSync(process.execPath, [MIGRATE, ...args], { cwd: ROOT, env: childEnv({ DATABASE_URL: databaseUrl }), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function startMigrate(args: readonly string[], databaseUrl: string): ChildProcess {
  return spawn(process.execPath, [MIGRATE, ...args], { cwd: ROOT, env: childEnv({ DATABASE_URL: databaseUrl }), stdio: ['ignore', 'pipe', 'pipe'] });
}

function assertOneCleanLine(t: Test, run: Run, label: string): void {
  const lines = run.stderr.split('\n').filter(Boolean);
  t.equal(lines.length, 1, `${label}: one line on stderr (${run.stderr.trim()})`);
  t.match(lines[0] ?? '', /^error: \S/, `${label}: an error line`);
  t.notMatch(run.stdout + run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${label}: no stack trace`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `probe` returns a value (not undefined), at most `ms`. */
async function waitFor<T>(ms: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(100);
  }
  return undefined;
}

/** Backends of the test database other than the test's own connections. */
async function otherBackends(admin: Sql, database: string): Promise<{ pid: number; state: string; wait_event: string | null; query: string }[]> {
  return admin`
    SELECT pid, state, wait_event, query FROM pg_stat_activity
    WHERE datname = ${database} AND backend_type = 'client backend' AND application_name NOT LIKE 'reliability-test%'`;
}

/** Who holds an advisory lock in the database: what an operator looks up before terminating anything. */
async function advisoryLockHolders(admin: Sql, database: string): Promise<number[]> {
  const rows = await admin<{ pid: number }[]>`
    SELECT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
    WHERE l.locktype = 'advisory' AND l.granted AND d.datname = ${database}`;
  return rows.map((r) => r.pid);
}

async function applied(sql: Sql): Promise<string[]> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return [];
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

const opened: Sql[] = [];

/** A fresh database and the test's own connection to it, named so it is never taken for the runner's backend. */
async function freshDatabase(db: TestDatabase, name: string): Promise<{ url: string; sql: Sql; database: string }> {
  const { url } = await db.freshDatabase(name);
  const sql = connect(url, { connection: { application_name: 'reliability-test' } });
  opened.push(sql);
  return { url, sql, database: name };
}

/** The last lines of the server log that mention the pid: what the server said when its client vanished. */
function serverLogFor(db: TestDatabase, pid: number): string {
  const log = join(db.server.dataDir, 'server.log');
  if (!existsSync(log)) return '(no server.log)';
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((line) => line.includes(`[${pid}]`))
    .slice(-3)
    .join(' | ');
}

const db = await startTestServer(t);
const admin = connect(db.server.url, { connection: { application_name: 'reliability-test-admin' } });
opened.push(admin);

/** Start `up`, wait until `ready` says the migration is where we want it, SIGKILL the node process. */
async function killMidMigration(t: Test, dir: string, url: string, ready: () => Promise<boolean>): Promise<void> {
  const child = startMigrate(['up', '--dir', dir], url);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const reached = await waitFor(40_000, async () => ((await ready()) ? true : undefined));
  t.ok(reached, 'the migration reached the point where it is killed');
  child.kill('SIGKILL');
  const [code, signal] = await exited;
  t.same([code, signal], [null, 'SIGKILL'], 'the runner died of SIGKILL');
}

t.test('SIGKILL during a transactional migration', async (t) => {
  for (const operator of ['terminates the orphaned backend', 'waits for the orphaned backend'] as const) {
    await t.test(`the operator ${operator}`, async (t) => {
      const { url, sql, database } = await freshDatabase(db, operator.startsWith('terminates') ? 'kill_tx_terminate' : 'kill_tx_wait');
      await admin.unsafe(`ALTER DATABASE ${database} SET reliability.sleep_seconds = '10'`);
      const started = Date.now();
      await killMidMigration(t, KILL_TRANSACTION, url, async () => (await otherBackends(admin, database)).some((b) => b.wait_event === 'PgSleep'));

      // The server does not notice a dead client while it sleeps: the backend still holds the transaction and the lock.
      // The run's idle lock connection ends as soon as its backend reads the EOF: wait for that (a few ms, more under load).
      const orphans = (await waitFor(10_000, async () => {
        const backends = await otherBackends(admin, database);
        return backends.length <= 1 ? backends : undefined;
      })) ?? (await otherBackends(admin, database));
      t.equal(orphans.length, 1, 'the backend outlives its client');
      const orphan = orphans[0]!;
      t.match(orphan.query, /pg_sleep/, 'still running the statement it was given');
      t.same(await advisoryLockHolders(admin, database), [orphan.pid], 'and still holds the migration advisory lock');

      const early = migrate(['up', '--dir', KILL_TRANSACTION], url);
      t.equal(early.status, 1, 'a run meanwhile exits 1');
      t.match(early.stderr, /lock/i, 'saying that the lock is held');
      t.match(early.stderr, `backend pid ${orphan.pid}`, 'and by which backend');
      assertOneCleanLine(t, early, 'run while the orphan holds the lock');

      if (operator.startsWith('terminates')) {
        const [holder] = await advisoryLockHolders(admin, database);
        const [terminated] = await admin<{ ok: boolean }[]>`SELECT pg_terminate_backend(${holder ?? 0}::int, 5000) AS ok`;
        t.ok(terminated?.ok, `pg_terminate_backend(${holder}) ends it`);
      } else {
        const gone = await waitFor(30_000, async () => ((await otherBackends(admin, database)).length === 0 ? true : undefined));
        t.ok(gone, 'the backend ends by itself once the sleep returns and it finds its client gone');
        t.comment(`orphan ended ${((Date.now() - started) / 1000).toFixed(1)} s after the run started; server log: ${serverLogFor(db, orphan.pid)}`);
      }

      t.same(await advisoryLockHolders(admin, database), [], 'no advisory lock is left');
      t.same(await applied(sql), ['20260101000000_create_brands'], 'the interrupted migration is not recorded; the one before it is');
      const [products] = await sql`SELECT to_regclass('public.products') AS products`;
      t.equal(products?.products, null, 'its CREATE TABLE and INSERT were rolled back');

      await admin.unsafe(`ALTER DATABASE ${database} RESET reliability.sleep_seconds`);
      const next = migrate(['up', '--dir', KILL_TRANSACTION], url);
      t.equal(next.status, 0, `the next run completes${next.stderr ? `: ${next.stderr.trim()}` : ''}`);
      t.match(next.stdout, /20260101000100_load_products/, 'and applies the interrupted migration');
      t.same(await applied(sql), ['20260101000000_create_brands', '20260101000100_load_products'], 'each migration recorded once');
      const [count] = await sql<{ n: string }[]>`SELECT count(*) AS n FROM products`;
      t.equal(count?.n, '100000', 'with all its rows');
      const [index] = await sql`SELECT to_regclass('public.products_name_idx') IS NOT NULL AS present`;
      t.ok(index?.present, 'and its index');
      const status = migrate(['status', '--dir', KILL_TRANSACTION], url);
      t.equal(status.status, 0, 'status is clean');
      t.match(status.stdout, /\b0 pending\b/);
    });
  }
});

t.test('SIGKILL during CREATE INDEX CONCURRENTLY (a no-transaction migration)', async (t) => {
  const building = (database: string) => async () => {
    const rows = await admin<{ phase: string }[]>`
      SELECT p.phase FROM pg_stat_progress_create_index p JOIN pg_database d ON d.oid = p.datid WHERE d.datname = ${database}`;
    return rows.some((r) => r.phase.startsWith('building index'));
  };
  const indexState = async (sql: Sql) =>
    (await sql<{ valid: boolean }[]>`SELECT i.indisvalid AS valid FROM pg_index i WHERE i.indexrelid = to_regclass('public.items_slow_key_idx')`)[0]?.valid;

  await t.test('the operator waits: the build finishes without its client, so the index is valid but not recorded', async (t) => {
    const { url, sql, database } = await freshDatabase(db, 'kill_cic_wait');
    // 2,000 rows x 2 ms: a build of about 4 s.
    await admin.unsafe(`ALTER DATABASE ${database} SET reliability.row_sleep_seconds = '0.002'`);
    await killMidMigration(t, KILL_CONCURRENT_INDEX, url, building(database));
    const started = Date.now();
    const gone = await waitFor(60_000, async () => ((await otherBackends(admin, database)).length === 0 ? true : undefined));
    t.ok(gone, 'the orphaned build ends by itself');
    t.comment(`orphaned build ended ${((Date.now() - started) / 1000).toFixed(1)} s after the kill`);
    t.same(await advisoryLockHolders(admin, database), [], 'no advisory lock is left');
    t.equal(await indexState(sql), true, 'CREATE INDEX CONCURRENTLY completed server-side: the index is VALID');
    t.notOk((await applied(sql)).includes('20260101000200_index_items_slow_key'), 'but the migration is not recorded (its client died first)');

    await admin.unsafe(`ALTER DATABASE ${database} RESET reliability.row_sleep_seconds`);
    const next = migrate(['up', '--dir', KILL_CONCURRENT_INDEX], url);
    t.equal(next.status, 0, `the next run completes: IF NOT EXISTS skips the built index${next.stderr ? ` (${next.stderr.trim()})` : ''}`);
    t.same(await applied(sql), ['20260101000000_create_items', '20260101000100_create_function_slow_key', '20260101000200_index_items_slow_key'], 'each migration recorded once');
    t.equal(await indexState(sql), true, 'the index is valid');
  });

  await t.test('the operator terminates the build: the next run reports the INVALID index and how to recover', async (t) => {
    const { url, sql, database } = await freshDatabase(db, 'kill_cic_terminate');
    // 2,000 rows x 5 ms: a build of about 10 s, terminated long before it ends.
    await admin.unsafe(`ALTER DATABASE ${database} SET reliability.row_sleep_seconds = '0.005'`);
    await killMidMigration(t, KILL_CONCURRENT_INDEX, url, building(database));
    const [holder] = await advisoryLockHolders(admin, database);
    t.ok(holder, 'the orphaned build holds the migration lock');
    await admin`SELECT pg_terminate_backend(${holder ?? 0}::int, 5000)`;
    t.same(await advisoryLockHolders(admin, database), [], 'terminated: no advisory lock is left');
    t.equal(await indexState(sql), false, 'the interrupted build left an INVALID index');
    t.notOk((await applied(sql)).includes('20260101000200_index_items_slow_key'), 'the migration is not recorded');

    await admin.unsafe(`ALTER DATABASE ${database} RESET reliability.row_sleep_seconds`);
    const next = migrate(['up', '--dir', KILL_CONCURRENT_INDEX], url);
    const said = next.stdout + next.stderr;
    t.comment(`next run: exit ${next.status}; ${said.trim().replace(/\s*\n\s*/g, ' / ')}`);
    // CREATE INDEX CONCURRENTLY IF NOT EXISTS sees a relation of that name and skips it: without a check, the run
    // records the migration as applied over an INVALID index that no query uses and every write maintains.
    const recordedOverInvalid = (await applied(sql)).includes('20260101000200_index_items_slow_key') && (await indexState(sql)) === false;
    t.notOk(recordedOverInvalid, 'the migration is never recorded as applied while its index is INVALID');
    t.match(said, /items_slow_key_idx/, 'the run names the index');
    t.match(said, /invalid/i, 'says it is INVALID');
    t.match(said, /DROP INDEX CONCURRENTLY|REINDEX INDEX CONCURRENTLY/i, 'and says how to recover');
    t.not(next.status, 0, 'and exits non-zero until it is dealt with');
    t.notMatch(said, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace');

    // The operator follows the advice; the next run builds the index.
    await sql.unsafe('DROP INDEX CONCURRENTLY IF EXISTS public.items_slow_key_idx');
    const after = migrate(['up', '--dir', KILL_CONCURRENT_INDEX], url);
    t.equal(after.status, 0, `after DROP INDEX CONCURRENTLY the next run completes${after.stderr ? ` (${after.stderr.trim()})` : ''}`);
    t.equal(await indexState(sql), true, 'and the index is valid');
    t.same(await applied(sql), ['20260101000000_create_items', '20260101000100_create_function_slow_key', '20260101000200_index_items_slow_key'], 'each migration recorded once');
  });
});

t.teardown(() => Promise.all(opened.map((sql) => sql.end({ timeout: 1 }).catch(() => undefined))));
