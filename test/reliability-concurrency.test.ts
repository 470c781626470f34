// Two, then eight `migrate up` processes started at once on one database with pending migrations, as parallel CI
// jobs or several pods starting together do. Each migration must be applied exactly once; every other runner either
// waits and finds nothing to do, or exits 1 with one line that mentions the lock. No stack traces.
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { catalogSnapshot } from './helpers/catalog.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { childEnv } from './helpers/child-env.js';

const ROOT = join(import.meta.dirname, '..');
const MIGRATE = join(ROOT, 'dist', 'scripts', 'migrate.js');
const FIXTURE = 'test/fixtures/reliability/concurrency';
const FIXTURE_MIGRATIONS = ['20260101000000_create_run_log', '20260101000100_create_brands', '20260101000200_slow_backfill', '20260101000300_create_items'];

t.setTimeout(120_000);

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function migrateAsync(args: readonly string[], databaseUrl: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MIGRATE, ...args], { cwd: ROOT, env: childEnv({ DATABASE_URL: databaseUrl }), timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

/** Every runner's outcome is one of the two allowed ones; returns the migrations each one says it applied. */
function checkOutcomes(t: Test, runs: readonly Run[]): string[] {
  const appliedByAll: string[] = [];
  for (const [i, run] of runs.entries()) {
    const label = `runner ${i + 1} (exit ${run.code}, ${run.ms} ms)`;
    t.notMatch(run.stdout + run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${label}: no stack trace`);
    if (run.code === 0) {
      const applied = [...run.stdout.matchAll(/^applied\s+(\d{14}_\w+)$/gm)].map((m) => m[1]!);
      appliedByAll.push(...applied);
      t.ok(applied.length > 0 || /nothing to apply/.test(run.stdout), `${label}: applied migrations or found nothing to do`);
      t.equal(run.stderr, '', `${label}: nothing on stderr`);
    } else {
      t.equal(run.code, 1, `${label}: a runner that did not run exits 1`);
      const lines = run.stderr.split('\n').filter(Boolean);
      t.equal(lines.length, 1, `${label}: one line on stderr`);
      t.match(lines[0] ?? '', /^error: .*\block\b/i, `${label}: the line mentions the lock (${lines[0]})`);
    }
  }
  return appliedByAll;
}

async function recorded(sql: Sql): Promise<{ name: string; n: number }[]> {
  return sql<{ name: string; n: number }[]>`SELECT name, count(*)::int AS n FROM pgmigrations GROUP BY name ORDER BY name`;
}

const db = await startTestServer(t);
const opened: Sql[] = [];
t.teardown(() => Promise.all(opened.map((sql) => sql.end({ timeout: 1 }).catch(() => undefined))));

async function fresh(name: string): Promise<{ url: string; sql: Sql }> {
  const { url } = await db.freshDatabase(name);
  const sql = connect(url);
  opened.push(sql);
  return { url, sql };
}

const figures: string[] = [];

for (const runners of [2, 8]) {
  t.test(`${runners} runners at once on ${FIXTURE} (a 1.5 s migration in the middle)`, async (t) => {
    const { url, sql } = await fresh(`concurrency_${runners}`);
    const started = Date.now();
    const runs = await Promise.all(Array.from({ length: runners }, () => migrateAsync(['up', '--dir', FIXTURE], url)));
    const seconds = (Date.now() - started) / 1000;
    const applied = checkOutcomes(t, runs);
    t.same([...applied].sort(), FIXTURE_MIGRATIONS, 'between them the runners applied each migration exactly once');
    t.same(await recorded(sql), FIXTURE_MIGRATIONS.map((name) => ({ name, n: 1 })), 'pgmigrations: each migration once');
    const log = await sql<{ migration: string; n: number }[]>`SELECT migration, count(*)::int AS n FROM run_log GROUP BY migration ORDER BY migration`;
    t.same(log, FIXTURE_MIGRATIONS.map((migration) => ({ migration, n: 1 })), 'run_log: each migration ran once');
    const [brands] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM brands`;
    t.equal(brands?.n, 1000, 'the backfill ran once');
    const [items] = await sql`SELECT to_regclass('public.items_brand_id_idx') IS NOT NULL AS present`;
    t.ok(items?.present, 'the last migration ran');
    const [locks] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory'`;
    t.equal(locks?.n, 0, 'no advisory lock is left');
    t.ok(seconds < 60, `all done in ${seconds.toFixed(1)} s`);
    const outcome = runs.map((r) => (r.code === 0 ? (/^applied/m.test(r.stdout) ? 'applied' : 'nothing') : 'locked'));
    figures.push(`${runners} runners on the fixture: ${seconds.toFixed(1)} s; ${['applied', 'nothing', 'locked'].map((k) => `${outcome.filter((o) => o === k).length} ${k}`).join(', ')}`);
  });
}

t.test('8 runners at once on sql/ (the real chain): the same schema as one runner builds', async (t) => {
  const reference = await fresh('concurrency_reference');
  const single = await migrateAsync(['up', '--dir', 'sql'], reference.url);
  t.equal(single.code, 0, `one runner applies the chain (${single.stderr.trim()})`);
  const expected = await catalogSnapshot(reference.sql);
  const names = (await recorded(reference.sql)).map((r) => r.name);

  const { url, sql } = await fresh('concurrency_sql');
  const started = Date.now();
  const runs = await Promise.all(Array.from({ length: 8 }, () => migrateAsync(['up', '--dir', 'sql'], url)));
  const seconds = (Date.now() - started) / 1000;
  const applied = checkOutcomes(t, runs);
  t.same([...applied].sort(), names, 'between them the runners applied each migration exactly once');
  t.same(await recorded(sql), names.map((name) => ({ name, n: 1 })), 'pgmigrations: each migration once');
  t.same(await catalogSnapshot(sql), expected, 'the schema is the one a single runner builds');
  t.ok(seconds < 60, `all done in ${seconds.toFixed(1)} s`);
  const outcome = runs.map((r) => (r.code === 0 ? (/^applied/m.test(r.stdout) ? 'applied' : 'nothing') : 'locked'));
  figures.push(`8 runners on sql/ (${names.length} migrations): ${seconds.toFixed(1)} s; ${['applied', 'nothing', 'locked'].map((k) => `${outcome.filter((o) => o === k).length} ${k}`).join(', ')}`);
});

t.test('figures', async (t) => {
  for (const line of figures) t.comment(line);
  t.pass('printed');
});
