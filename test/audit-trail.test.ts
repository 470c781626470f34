// Issue 13, item 8: the audit trail. Every apply, rollback (and redo), failure and deploy is an event in
// pgmigrations_audit, with who, when, how long, the checksums and the outcome; a rollback adds an event and never
// deletes one; UPDATE, DELETE and TRUNCATE on it are refused by the database; a migration naming it is refused before
// anything runs; a database migrated without the trail is reconciled; make history prints it; deploy prints its id;
// the password never reaches an event.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { hostname, userInfo } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { migrateDown, migrateUp, redoLast } from '../runner/runner.js';
import { loadMigrationFiles } from '../runner/migration-files.js';
import { pairChecksum } from '../runner/checksums.js';
import type { Sql } from '../core/postgres/database-url.js';
import { snapshotQuery } from '../verify/execute/snapshot-query.js';
import { INVENTORY_QUERY } from '../verify/execute/snapshot-inventory.js';

const root = join(import.meta.dirname, '..');
const SECRET = 'Audit-s3cret-pw';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(script: string, args: readonly string[], url: string): Run {
  const run = spawnSync(process.execPath, [join(root, 'dist', 'scripts', script), ...args], { cwd: root, env: childEnv({ DATABASE_URL: url }), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function make(args: readonly string[], url: string): Run {
  const run = spawnSync('make', ['-s', '-o', 'dist/.built', '-o', 'node_modules/.installed', ...args], { cwd: root, env: childEnv({ DATABASE_URL: url }), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Row {
  id: string;
  event: string;
  command: string | null;
  outcome: string;
  migration: string | null;
  file: string | null;
  up_sha256: string | null;
  down_sha256: string | null;
  started_at: Date;
  finished_at: Date;
  duration_ms: string | null;
  error: string | null;
  detail: string | null;
  deploy_id: string | null;
  actor: string;
  os_user: string | null;
  client_host: string | null;
  db_role: string | null;
  application_name: string | null;
}

async function events(sql: Sql): Promise<Row[]> {
  return sql.unsafe<Row[]>(
    `SELECT id::text AS id, event, command, outcome, migration, file, up_sha256, down_sha256, started_at, finished_at, duration_ms::text AS duration_ms,
            error, detail, deploy_id::text AS deploy_id, actor, os_user, client_host, db_role, application_name
     FROM pgmigrations_audit a ORDER BY a.id`,
  );
}

async function applied(sql: Sql): Promise<string[]> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return [];
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY name`).map((r) => r.name);
}

/** Every text of every event, for the password check. */
async function everything(sql: Sql): Promise<string> {
  const [row] = await sql.unsafe<{ all: string | null }[]>('SELECT string_agg(a::text, E\'\\n\') AS all FROM pgmigrations_audit a');
  return row?.all ?? '';
}

t.test('the audit trail', async (t) => {
  const db = await startTestServer(t);
  const { url: adminUrl, sql } = await db.freshDatabase();
  // A role of its own with a password in the URL (the server trusts local connections, so any password logs in).
  const database = new URL(adminUrl).pathname.slice(1);
  await sql.unsafe(`CREATE ROLE auditor LOGIN PASSWORD '${SECRET}'`);
  await sql.unsafe(`GRANT ALL ON DATABASE "${database}" TO auditor; GRANT ALL ON SCHEMA public TO auditor`);
  const url = adminUrl.replace('postgres@', `auditor:${SECRET}@`);
  const { dir, names } = migrationFolder(t, [
    { slug: 'create_brands', up: 'CREATE TABLE brands (id bigint PRIMARY KEY);', down: 'DROP TABLE brands;' },
    // Fails with the password in PostgreSQL's message: the event must carry the error without it.
    { slug: 'broken', up: `CREATE TABLE items (id bigint PRIMARY KEY);\nSELECT '${SECRET}'::int;`, down: 'DROP TABLE items;' },
  ]);
  const [brands, broken] = names as [string, string];
  const pairs = await loadMigrationFiles(dir);
  const sums = pairChecksum(pairs[0]!);

  t.test('apply, rollback and apply again: three events in order, with who, when, how long and the checksums', async (t) => {
    const started = Date.now();
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    await migrateDown({ dir, databaseUrl: url });
    t.same(await applied(sql), [], 'the rollback deleted its pgmigrations row');
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    const rows = await events(sql);
    t.same(
      rows.map((r) => [r.event, r.command, r.outcome, r.migration]),
      [
        ['apply', 'migrate', 'ok', brands],
        ['rollback', 'rollback', 'ok', brands],
        ['apply', 'migrate', 'ok', brands],
      ],
      'the rollback added an event; the first apply is still there',
    );
    for (const row of rows) {
      t.equal(row.db_role, 'auditor', 'the database role');
      t.equal(row.os_user, userInfo().username, 'the OS user');
      t.equal(row.client_host, hostname(), 'the client host');
      t.equal(row.application_name, 'skincare-migrate');
      t.ok(row.actor.length > 0);
      t.same([row.up_sha256, row.down_sha256], [sums.up, sums.down], 'the checksums of the files');
      t.ok(Number(row.duration_ms) >= 0 && row.finished_at.getTime() - row.started_at.getTime() === Number(row.duration_ms), 'how long: finished minus started');
      t.ok(row.finished_at.getTime() >= started - 5_000 && row.finished_at.getTime() <= Date.now() + 5_000, 'when');
    }
    t.match(rows.map((r) => r.file), [/create_brands\.up\.sql$/, /create_brands\.down\.sql$/, /create_brands\.up\.sql$/], 'the file that ran');
    t.ok(Number(rows[1]!.id) > Number(rows[0]!.id) && Number(rows[2]!.id) > Number(rows[1]!.id));

    await redoLast({ dir, databaseUrl: url });
    const redo = (await events(sql)).slice(3);
    t.same(redo.map((r) => [r.event, r.command, r.outcome]), [['rollback', 'redo', 'ok'], ['apply', 'redo', 'ok']], 'a redo is a rollback and an apply, by redo');
  });

  t.test('a failed migration: a failure event with its error (no password), recorded outside the rolled-back transaction', async (t) => {
    const before = (await events(sql)).length;
    const run = node('migrate.js', ['up', '--dir', dir], url);
    t.equal(run.status, 1, run.stderr);
    t.notMatch(run.stdout + run.stderr, SECRET);
    t.same(await applied(sql), [brands], `${broken} is not recorded`);
    const [failure, ...more] = (await events(sql)).slice(before);
    t.same(more, [], 'one event');
    t.match(failure, { event: 'apply', command: 'migrate', outcome: 'failed', migration: broken, db_role: 'auditor' });
    t.match(failure!.error, new RegExp(`${broken}\\.up\\.sql:3:8: invalid input syntax for type integer: "\\*\\*\\*"`));
    t.match(failure!.detail, /was rolled back as a whole and is not recorded/, 'the state the run ended in');
    t.ok(Number(failure!.duration_ms) >= 0);
  });

  t.test('UPDATE, DELETE and TRUNCATE are refused by the database, even for a superuser', async (t) => {
    const before = await events(sql);
    for (const statement of ["UPDATE pgmigrations_audit SET outcome = 'ok'", 'DELETE FROM pgmigrations_audit', 'DELETE FROM pgmigrations_audit WHERE false', 'TRUNCATE pgmigrations_audit']) {
      const verb = statement.split(' ')[0];
      await t.rejects(sql.unsafe(statement), { message: `pgmigrations_audit is append-only: ${verb} is refused`, code: '42501' }, statement);
    }
    t.same(await events(sql), before, 'nothing changed');
  });

  t.test('a migration naming the audit table is refused before anything runs', async (t) => {
    const { url: freshUrl, sql: fresh } = await db.freshDatabase();
    const { dir: tampering, names: tamper } = migrationFolder(t, [
      { slug: 'create_tags', up: 'CREATE TABLE tags (id bigint);', down: 'DROP TABLE tags;' },
      { slug: 'forge', up: "INSERT INTO pgmigrations_audit (event, outcome, actor) VALUES ('apply', 'ok', 'nobody');", down: 'SELECT 1;' },
    ]);
    const run = node('migrate.js', ['up', '--dir', tampering], freshUrl);
    t.equal(run.status, 2, 'a bad file: exit 2');
    t.match(run.stderr, new RegExp(`^error: \\S+${tamper[1]}\\.up\\.sql:2:1: touches pgmigrations_audit, the runner's bookkeeping: a migration may not read or change it`));
    const [present] = await fresh`SELECT to_regclass('public.tags') IS NULL AND to_regclass('public.pgmigrations_audit') IS NULL AS untouched`;
    t.equal(present?.untouched, true, 'nothing ran, nothing was written');
  });

  t.test('a database migrated without the trail (an older runner) is reconciled: unaudited events, then the run', async (t) => {
    const { url: oldUrl, sql: old } = await db.freshDatabase();
    // What a runner without the audit trail leaves: pgmigrations and the checksums.
    await migrateUp({ dir, databaseUrl: oldUrl, count: 1 });
    await old.unsafe('DROP TABLE pgmigrations_audit');
    const { dir: later, names: laterNames } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id bigint PRIMARY KEY);', down: 'DROP TABLE brands;' },
      { slug: 'create_tags', up: 'CREATE TABLE tags (id bigint);', down: 'DROP TABLE tags;' },
    ]);
    const result = await migrateUp({ dir: later, databaseUrl: oldUrl });
    t.match(result.notes?.join('\n'), /the audit trail recorded 1 event found in pgmigrations without one .* as unaudited/);
    const rows = await events(old);
    t.same(rows.map((r) => [r.event, r.outcome, r.migration]), [['apply', 'unaudited', laterNames[0]], ['apply', 'ok', laterNames[1]]]);
    t.match(rows[0], { up_sha256: sums.up, command: null, client_host: null }, 'the checksums known; who ran it is not');
    t.match(rows[0]!.detail, /recorded in pgmigrations \(run_on .* UTC\) without an audit event/);
    // An older runner rolls back create_tags: only pgmigrations changes.
    await old.unsafe(`DELETE FROM pgmigrations WHERE name = '${laterNames[1]}'; DROP TABLE tags`);
    await migrateUp({ dir: later, databaseUrl: oldUrl, count: 0 });
    const after = (await events(old)).slice(2);
    t.same(after.map((r) => [r.event, r.outcome, r.migration]), [['rollback', 'unaudited', laterNames[1]]], 'the rollback found at the next run');

    // docs/deploy.md's retention SQL, run as written (with everything older than now): it keeps what reconciling needs.
    const docs = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
    const prune = /\*\*Retention\.\*\*[\s\S]*?```sql\n([\s\S]*?)```/.exec(docs)?.[1];
    t.ok(prune, 'the retention SQL is in docs/deploy.md');
    await old.unsafe(prune!.replace("interval '2 years'", "interval '0 seconds'"));
    const kept = await events(old);
    t.same(new Set(kept.map((r) => r.migration)).size, kept.length, 'one event per migration: its latest');
    t.same(kept.map((r) => r.id), [rows[0]!.id, after[0]!.id], 'the latest apply of one, the rollback of the other');
    await migrateUp({ dir: later, databaseUrl: oldUrl, count: 0 });
    t.same((await events(old)).length, 2, 'the next run finds nothing to reconcile');
    await t.rejects(old.unsafe('DELETE FROM pgmigrations_audit'), { code: '42501' }, 'the guard is back on');
  });

  t.test('make history prints the trail newest first, filtered by NAME, at most LIMIT; JSON too', async (t) => {
    const all = node('history.js', [], url);
    t.equal(all.status, 0, all.stderr);
    const lines = all.stdout.split('\n');
    t.match(lines[1], /^id +at \(UTC\) +event +migration +outcome +took +who +checksums$/);
    t.match(lines[2], new RegExp(`^#\\d+ +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +apply +${broken} +failed +\\d+ ms +.* as auditor on ${hostname()} .*via skincare-migrate +up [0-9a-f]{8} down [0-9a-f]{8}$`), 'newest first');
    t.match(lines[3], /^ +error: .*invalid input syntax for type integer: "\*\*\*"/, 'the error below it');
    t.match(all.stdout, /rollback \(redo\) +\S+create_brands/);
    t.match(all.stdout, /\n6 events, newest first\n$/);
    t.notMatch(all.stdout, SECRET);
    const one = node('history.js', ['--name', `${broken}.up.sql`], url);
    t.match(one.stdout, new RegExp(`\n#\\d+ .* ${broken} [^\n]*\n +error: [^\n]*\n +[^\n]*\n1 event, newest first\n$`), 'a file name works as NAME');

    // Through make: NAME, LIMIT and FORMAT=json.
    const json = make(['history', `NAME=${brands}`, 'LIMIT=3', 'FORMAT=json'], url);
    t.equal(json.status, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { event: string; command: string; upSha256: string; dbRole: string }[];
    t.same(parsed.map((e) => `${e.event}/${e.command}`), ['apply/redo', 'rollback/redo', 'apply/migrate'], 'the newest 3 of its 5, newest first');
    t.match(parsed[0], { upSha256: sums.up, dbRole: 'auditor' });
    const bad = node('history.js', ['--name', 'brands; DROP TABLE x'], url);
    t.equal(bad.status, 2);
    t.match(bad.stderr, /^error: --name takes a migration's <version>_<slug>/);
  });

  t.test('deploy prints the id of its entry at start and end; its migrations carry it', async (t) => {
    const { url: deployAdminUrl, sql: target } = await db.freshDatabase();
    const deployUrl = deployAdminUrl.replace('postgres@', `postgres:${SECRET}@`);
    const { dir: app } = migrationFolder(t, [{ slug: 'create_brands', up: '-- Brands.\nCREATE TABLE brands (id bigint PRIMARY KEY);', down: 'DROP TABLE brands;' }]);
    const run = node('deploy.js', ['--dir', app, '--backup', 'skip'], deployUrl);
    t.equal(run.status, 0, run.stdout + run.stderr);
    t.notMatch(run.stdout + run.stderr, SECRET);
    const start = /audit: this deploy is entry #(\d+) in pgmigrations_audit/.exec(run.stdout)?.[1];
    const end = new RegExp(`audit: deploy #${start} ended with entry #(\\d+) \\(ok\\)`).exec(run.stdout)?.[1];
    t.ok(start && end, 'both ids printed');
    const rows = await events(target);
    t.same(rows.map((r) => [r.id, r.event, r.outcome, r.command, r.deploy_id]), [
      [start, 'deploy-start', 'started', 'deploy', null],
      [String(Number(start) + 1), 'apply', 'ok', 'deploy', start],
      [end, 'deploy-end', 'ok', 'deploy', start],
    ]);
    t.match(rows[2]!.detail, /^applied 1: \S+_create_brands$/);
    t.ok(Number(rows[2]!.duration_ms) > 0);
    t.notMatch(await everything(target), SECRET, 'no password in the deploy events');
  });

  t.test('drift and the executed proof do not take the trail (its table, trigger and function) for schema', async (t) => {
    const [version] = await sql<{ num: number }[]>`SELECT current_setting('server_version_num')::int AS num`;
    const keys = (await sql.unsafe<{ key: string }[]>(snapshotQuery(version!.num))).map((r) => r.key);
    t.ok(keys.includes('table brands'), 'the schema is read');
    t.same(keys.filter((k) => /pgmigrations/.test(k)), []);
    const units = (await sql.unsafe<{ unit: string }[]>(INVENTORY_QUERY)).map((r) => r.unit);
    const [audit] = await sql<{ table: string; guard: string }[]>`SELECT 'r:' || 'pgmigrations_audit'::regclass::oid AS table, 'f:' || 'pgmigrations_audit_append_only'::regproc::oid AS guard`;
    t.notOk(units.includes(audit!.table) || units.includes(audit!.guard));
  });

  t.test('the password is in no event', async (t) => {
    const all = await everything(sql);
    t.match(all, /\*\*\*/, 'it was scrubbed where it would have been');
    t.notMatch(all, SECRET);
  });
});
