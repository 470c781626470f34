// The deploy's preflight against the live database (runner/preflight.ts through deploy()): a session idle in its
// transaction with a lock on a table a pending migration touches refuses the deploy, naming its pid and the exact
// pg_terminate_backend; PREFLIGHT=warn goes on; a transaction older than MAX_TRANSACTION_AGE refuses; drift (a
// hand-made index) refuses unless DRIFT=warn. One server for the file; the deploy runs in-process.
import t from 'tap';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { deploy, type DeployEvent, type DeployResult } from '../runner/deploy.js';
import { blockingSessions, DEFAULT_PREFLIGHT, describeSession, findLiveSessions, preflightSettingsFromEnv, relationsTouched, type PreflightSettings } from '../runner/preflight.js';
import { migrateUp } from '../runner/runner.js';
import { loadMigrationFiles } from '../runner/migration-files.js';
import { MigrationError } from '../runner/errors.js';

const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');
const db = await startTestServer(t);
// The drift check replays the applied migrations on a scratch database of this server (not the embedded one).
process.env.VERIFY_DATABASE_URL = db.server.url;

async function run(url: string, preflight: Partial<PreflightSettings> = {}): Promise<{ result: DeployResult; lines: string[] }> {
  const lines: string[] = [];
  const report = (event: DeployEvent): void => {
    lines.push(event.kind === 'step' ? `== ${event.step}` : `${event.kind} ${event.text}`);
  };
  const result = await deploy({
    dir: app,
    target: { url, source: 'env' },
    backup: 'skip',
    backupDir: '/nonexistent',
    timeouts: { lockTimeout: '1s', statementTimeout: '1min' },
    preflight: { ...DEFAULT_PREFLIGHT, ...preflight },
    report,
  });
  return { result, lines };
}

async function applied(sql: Sql): Promise<string[]> {
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

/** A second session, as an application would hold it: its pid, and a way to end its transaction. */
async function holder(url: string, application: string, statements: readonly string[]): Promise<{ pid: number; end: () => Promise<void> }> {
  const session = connect(url, { max: 1, connection: { application_name: application } });
  const reserved = await session.reserve();
  const [row] = await reserved.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
  for (const statement of statements) await reserved.unsafe(statement);
  return {
    pid: Number(row!.pid),
    end: async () => {
      await reserved.unsafe('ROLLBACK').catch(() => undefined);
      reserved.release();
      await session.end({ timeout: 1 });
    },
  };
}

t.test('the tables the pending migrations touch come from their parse trees', async (t) => {
  const pairs = await loadMigrationFiles(app);
  t.same(relationsTouched(pairs.slice(1, 2)), ['items', 'brands'], 'CREATE TABLE items ... REFERENCES brands, CREATE INDEX ON items');
  t.same(relationsTouched(pairs.slice(2)), ['items']);
});

t.test('settings: defaults, and a bad value is a usage error that says what is accepted', async (t) => {
  t.same(preflightSettingsFromEnv({}), { sessions: 'refuse', maxTransactionAge: '1min', drift: 'refuse' });
  t.same(preflightSettingsFromEnv({ PREFLIGHT: 'warn', MAX_TRANSACTION_AGE: '30s', DRIFT: 'skip' }), { sessions: 'warn', maxTransactionAge: '30s', drift: 'skip' });
  t.throws(() => preflightSettingsFromEnv({ PREFLIGHT: 'ignore' }), new MigrationError('USAGE', 'PREFLIGHT=ignore is not one of refuse, warn'));
  t.throws(() => preflightSettingsFromEnv({ MAX_TRANSACTION_AGE: 'soon' }), /MAX_TRANSACTION_AGE=soon is not a positive duration; use e\.g\. 30s/);
});

t.test('a session idle in its transaction with a lock on a touched table', async (t) => {
  const { url, sql } = await db.freshDatabase();
  await migrateUp({ dir: app, databaseUrl: url, count: 1 });
  const blocker = await holder(url, 'report-job', ['BEGIN', 'SELECT count(*) FROM brands']);
  t.teardown(blocker.end);

  const refused = await run(url);
  t.equal(refused.result.ok, false);
  t.equal(refused.result.failedStep, 'preflight');
  const line = refused.lines.find((l) => l.startsWith('warn session '));
  t.match(
    line,
    new RegExp(
      `^warn session pid ${blocker.pid} \\(user postgres, application "report-job", idle in transaction for \\d\\d:\\d\\d:\\d\\d\\) holds AccessShareLock on brands: it is idle in its transaction and keeps the lock until its client acts; wait for it, or end it: SELECT pg_terminate_backend\\(${blocker.pid}\\)$`,
    ),
  );
  t.equal(
    refused.result.error,
    `1 session would block the migration (listed above): wait for it to finish, or end it (SELECT pg_terminate_backend(${blocker.pid});), then re-run; PREFLIGHT=warn deploys anyway`,
  );
  t.equal(refused.result.state, 'Nothing was changed: no backup was taken and no migration ran.');
  t.notOk(refused.lines.includes('== backup'), 'it stopped before the backup');
  t.same(await applied(sql), ['20260201000000_create_brands']);

  // PREFLIGHT=warn: the same session is reported, and the deploy goes on (its AccessShareLock does not conflict with
  // the SHARE ROW EXCLUSIVE lock the foreign key takes on brands).
  const warned = await run(url, { sessions: 'warn' });
  t.equal(warned.result.ok, true, warned.result.error ?? "");
  t.ok(warned.lines.some((l) => l.startsWith(`warn session pid ${blocker.pid} `)));
  t.ok(warned.lines.includes('warn PREFLIGHT=warn: going on despite 1 blocking session; the migration waits up to lock_timeout = 1s and is retried (MIGRATE_LOCK_RETRIES)'));
  t.same(await applied(sql), ['20260201000000_create_brands', '20260201000100_create_items', '20260201000200_index_items_sku']);
});

t.test('a transaction older than MAX_TRANSACTION_AGE counts, whatever it touches; our own sessions never do', async (t) => {
  const { url } = await db.freshDatabase();
  const old = await holder(url, 'nightly-export', ['BEGIN', 'SELECT txid_current()']);
  t.teardown(old.end);
  // Another run of this runner (its advisory lock keeps runs apart): never advised to be terminated.
  const otherRun = await holder(url, 'skincare-migrate', ['BEGIN', 'SELECT txid_current()']);
  t.teardown(otherRun.end);
  await new Promise((resolve) => setTimeout(resolve, 400));
  const settings = { ...DEFAULT_PREFLIGHT, maxTransactionAge: '300ms' };
  const found = await findLiveSessions(url, ['brands'], settings, { lockTimeout: '1s', statementTimeout: '1min' });
  t.same(found.lockers, [], 'brands does not exist: nobody can lock it');
  t.same(found.longTransactions.map((s) => s.pid), [old.pid], "only that session: not the preflight's own, nor another run's");
  t.match(
    describeSession(found.longTransactions[0]!),
    new RegExp(`^pid ${old.pid} \\(user postgres, application "nightly-export", idle in transaction for 00:00:0\\d\\) has an open transaction: its transaction is older than MAX_TRANSACTION_AGE = 300ms; wait for it, or end it: SELECT pg_terminate_backend\\(${old.pid}\\)$`),
  );
  t.same(blockingSessions(found).map((s) => s.pid), [old.pid], 'it counts against the deploy');
  const relaxed = await findLiveSessions(url, ['brands'], { ...settings, maxTransactionAge: '1h' }, { lockTimeout: '1s', statementTimeout: '1min' });
  t.same(relaxed.longTransactions, [], 'younger than the bound: not listed');
});

t.test('drift: a hand-made index refuses the deploy; DRIFT=warn goes on', async (t) => {
  const { url, sql } = await db.freshDatabase();
  await migrateUp({ dir: app, databaseUrl: url, count: 1 });
  await sql.unsafe('CREATE INDEX brands_by_hand ON brands (name)');

  const refused = await run(url);
  t.equal(refused.result.failedStep, 'preflight');
  t.ok(refused.lines.includes('warn drift: index brands_by_hand on brands exists in the target but not in the migrations'), refused.lines.join('\n'));
  t.ok(refused.lines.includes('info   to reconcile (review, never run blindly): DROP INDEX CONCURRENTLY IF EXISTS brands_by_hand;'));
  t.match(refused.result.error, /^drift: 1 difference between the schema and its applied migrations \(listed above; make drift shows them\): reconcile the database or write a migration for the change, then re-run; DRIFT=warn deploys anyway$/);
  t.same(await applied(sql), ['20260201000000_create_brands']);
  t.same(await sql`SELECT 1 FROM pg_indexes WHERE indexname = 'brands_by_hand'`, [{ '?column?': 1 }], 'read-only: the index is still there');

  const warned = await run(url, { drift: 'warn' });
  t.equal(warned.result.ok, true, warned.result.error ?? "");
  t.ok(warned.lines.some((l) => l.startsWith('warn DRIFT=warn: going on despite 1 difference')));
  t.equal((await applied(sql)).length, 3);
});
