// make deploy end to end (dist/scripts/deploy.js, as `make deploy` runs it): on a throwaway PostgreSQL 18 (the backup
// is skipped only with an explicit --backup skip, or with a warning on an embedded development server), and on a
// PostgreSQL 15 with a real backup. The printed rollback command is run through make, the printed restore command
// through the shell; a failed step says where the database stands; the password never shows.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { startTestServer } from './helpers/server.js';
import { userTables } from './helpers/catalog.js';
import { freePort, stopEmbeddedServer } from '../core/postgres/embedded-server.js';
import { migrateUp } from '../runner/runner.js';
import type { Sql } from '../core/postgres/database-url.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');
const deployJs = join(root, 'dist', 'scripts', 'deploy.js');
const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');
const ALL = ['20260201000000_create_brands', '20260201000100_create_items', '20260201000200_index_items_sku'];

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}


function deploy(args: readonly string[], env: Record<string, string>): Run {
  const result = spawnSync(process.execPath, [deployJs, ...args], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 180_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run a printed shell command as a user would paste it; make is told not to rebuild (the test runs on a fresh build). */
function shell(command: string, env: Record<string, string> = {}): Run {
  const line = command.replace(/\bmake rollback\b/, 'make -s -o dist/.built -o node_modules/.installed rollback');
  const result = spawnSync('sh', ['-c', line], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function workCopy(t: Test): string {
  const work = mkdtempSync(join(tmpdir(), 'deploy-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  cpSync(app, work, { recursive: true });
  return work;
}

async function appliedNames(sql: Sql): Promise<string[] | null> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return null;
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

function noSecret(t: Test, run: Run, secrets: readonly string[], label: string): void {
  for (const secret of secrets) t.notMatch(run.stdout + run.stderr, secret, `${label}: no password`);
}

t.before(() => {
  if (!existsSync(deployJs)) throw new Error('dist/scripts/deploy.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

t.test('PostgreSQL 18 through DATABASE_URL', async (t) => {
  const db = await startTestServer(t);
  const SECRET = 'deploy18-S3cret';
  const withPassword = (url: string) => url.replace('postgres@', `postgres:${SECRET}@`);

  t.test('without BACKUP=skip the deploy stops at the backup (pg_dump 15 cannot dump 18) and migrates nothing', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const run = deploy(['--dir', app, '--backup-dir', join(tmpdir(), 'never-written')], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(run.status, 1);
    t.match(run.stdout, /== 1\/4 preflight\n {3}ok {4}health: .*PostgreSQL 18\.\d+, primary, read-write/);
    t.match(run.stdout, / {3}ok {4}make verify: 6 files checked: 0 errors, 0 warnings\.\n/);
    t.match(run.stdout, / {3}info {2}3 pending, in this order:\n {3}info {4}20260201000000_create_brands\n.*\n {3}info {4}20260201000200_index_items_sku {2}\(no transaction\)\n {3}ok {4}drift: no migration is applied yet, nothing to compare\n {3}ok {4}sessions: none blocks the tables the pending migrations touch \(none exists yet\); no transaction older than MAX_TRANSACTION_AGE = 1min\n== 2\/4 backup\n/);
    t.match(run.stderr, /^deploy FAILED at backup: pg_dump 15\.\d+ .*cannot dump .*a PostgreSQL 18\.\d+ server.*Install postgresql-client-18.*PG_DUMP.*\nstate: Nothing was migrated: the database is as it was before the deploy\. .*BACKUP=skip\.\n$/);
    t.notMatch(run.stdout, /== 3\/4 migrate/);
    t.equal(await appliedNames(sql), null, 'nothing was created');
    noSecret(t, run, [SECRET], 'backup failure');
  });

  t.test('with BACKUP=skip: end to end, a loud warning, and the printed rollback command works', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const run = deploy(['--dir', app, '--backup', 'skip'], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(run.status, 0, run.stderr);
    t.equal(run.stderr, '');
    t.match(run.stdout, /== 2\/4 backup\n {3}WARN {2}BACKUP=skip: NO BACKUP WAS TAKEN\./);
    t.match(run.stdout, /== 3\/4 migrate\n {3}ok {4}applied 20260201000000_create_brands\n {3}ok {4}applied 20260201000100_create_items\n {3}ok {4}applied 20260201000200_index_items_sku\n {3}ok {4}3 migrations applied in \d+ ms\n/);
    t.match(run.stdout, /== 4\/4 post-checks\n {3}ok {4}status: 3 applied, 0 pending, every recorded checksum matches its files\n {3}ok {4}smoke: 6 tables read with SELECT 1 \.\.\. LIMIT 1; estimated rows \(catalog, no scan\): brands ~0, items ~0, pgmigrations ~\d, pgmigrations_audit ~\d+, pgmigrations_checksum_log ~0, pgmigrations_checksums ~\d\n {3}ok {4}health: /);
    t.match(run.stdout, /\ndeploy done in [\d.]+ s: 3 migrations applied to 127\.0\.0\.1:\d+\/\w+; all checks passed\.\n/);
    const rollback = /to roll back what this deploy applied: {2}(.+)\n/.exec(run.stdout)?.[1];
    t.equal(rollback, `DATABASE_URL='${withPassword(url).replace(SECRET, '***')}' make rollback STEPS=3 MIGRATIONS_DIR=${app}`);
    t.notMatch(run.stdout, /to restore the backup/, 'no backup, no restore command');
    noSecret(t, run, [SECRET], 'deploy');
    t.same(await appliedNames(sql), ALL);

    const again = deploy(['--dir', app, '--backup', 'skip'], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(again.status, 0, again.stderr);
    t.match(again.stdout, /nothing pending: all 3 migrations are applied; no backup taken, nothing to migrate\n {3}ok {4}drift: none \(the schema is what its 3 applied migrations make\)\n== 4\/4 post-checks\n/);
    t.match(again.stdout, /deploy done in .*: Nothing to deploy: /);
    t.notMatch(again.stdout, /to roll back/);

    const undo = shell(rollback!.replace('***', SECRET));
    t.equal(undo.status, 0, undo.stderr);
    t.match(undo.stdout, /rolled back {2}20260201000200_index_items_sku\nrolled back {2}20260201000100_create_items\nrolled back {2}20260201000000_create_brands\n3 migrations rolled back/);
    noSecret(t, undo, [SECRET], 'rollback');
    t.same(await appliedNames(sql), []);
    t.same(await userTables(sql), [], 'back to where the deploy started');
  });

  t.test('a preflight problem (an applied migration edited) stops before anything changes', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 1 });
    appendFileSync(join(work, '20260201000000_create_brands.up.sql'), '-- edited after the deploy\n');
    const run = deploy(['--dir', work, '--backup', 'skip'], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(run.status, 1);
    t.match(run.stdout, / {3}WARN {2}.*20260201000000_create_brands\.up\.sql changed since it was applied on .*: edit a new migration instead, or accept it with make accept-checksum NAME=20260201000000_create_brands\n/);
    t.match(run.stdout, / {3}WARN {2}make verify failed \(exit 1\): .*20260201000000_create_brands\.up\.sql:1:1 +error +manifest-mismatch /, 'the verifier sees the edit too');
    t.match(run.stderr, /^deploy FAILED at preflight: make verify failed .*; 1 problem with the applied history or the indexes .*\nstate: Nothing was changed: no backup was taken and no migration ran\.\n$/);
    t.same(await appliedNames(sql), ['20260201000000_create_brands']);
  });

  t.test('a failed CREATE INDEX CONCURRENTLY: the state names what is applied; the next deploy stops at the INVALID index', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: app, databaseUrl: url, count: 2 });
    await sql`INSERT INTO brands (name) VALUES ('Acme')`;
    await sql`INSERT INTO items (brand_id, sku) SELECT id, 'SKU-1' FROM brands CROSS JOIN generate_series(1, 2)`;

    const run = deploy(['--dir', app, '--backup', 'skip'], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(run.status, 1);
    t.match(
      run.stderr,
      /^deploy FAILED at migrate: .*20260201000200_index_items_sku\.up\.sql:3:1: could not create unique index "idx_items_sku".*\nstate: 0 of the 1 pending migrations were applied and committed by this deploy\. 20260201000200_index_items_sku runs without a transaction: .* it is not recorded; it left INVALID index public\.idx_items_sku: run DROP INDEX CONCURRENTLY public\.idx_items_sku;/,
    );
    noSecret(t, run, [SECRET], 'migrate failure');

    const next = deploy(['--dir', app, '--backup', 'skip'], { DATABASE_URL: withPassword(url), VERIFY_DATABASE_URL: db.server.url });
    t.equal(next.status, 1);
    t.match(next.stdout, /WARN {2}index public\.idx_items_sku on public\.items is INVALID: .*Recover: DROP INDEX CONCURRENTLY public\.idx_items_sku; then re-run/);
    t.match(next.stderr, /^deploy FAILED at preflight: 1 problem with the applied history or the indexes/);
  });
});

t.test('the embedded development server: a backup pg_dump cannot make is skipped with a warning, and the deploy goes on', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'deploy-embedded-'));
  chmodSync(dataDir, 0o755); // as root the server runs as the postgres user, which must reach data/
  const port = await freePort();
  t.teardown(() => {
    stopEmbeddedServer(join(dataDir, 'data'));
    rmSync(dataDir, { recursive: true, force: true });
  });
  const backups = join(dataDir, 'backups');
  const run = deploy(['--dir', app, '--backup-dir', backups], { EMBEDDED_PG_DIR: join(dataDir, 'data'), EMBEDDED_PG_PORT: String(port) });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, new RegExp(`^deploy .* to 127\\.0\\.0\\.1:${port}/postgres \\(the embedded development server\\)\\n`));
  t.match(run.stdout, /== 2\/4 backup\n {3}WARN {2}NO BACKUP: pg_dump 15\.\d+ .* cannot dump .*PostgreSQL 18.*\n {3}WARN {2}continuing WITHOUT A BACKUP only because the target is the embedded development server; a DATABASE_URL target stops here unless BACKUP=skip is given\.\n== 3\/4 migrate\n/);
  t.match(run.stdout, /3 migrations applied to .*; all checks passed\.\nto roll back what this deploy applied: {2}make rollback STEPS=3 MIGRATIONS_DIR=/);
  t.notOk(existsSync(backups) && readdirSync(backups).length > 0, 'no partial backup left');
});

t.test('PostgreSQL 15 through DATABASE_URL with a password: backup, migrate, rollback and restore as printed', async (t) => {
  const pg = await startPg15Server(t, 'Dep15&loy!pw');
  const secrets = [pg.password, encodeURIComponent(pg.password)];
  const { url, sql } = await pg.freshDatabase('skincare');
  // Production already has the first migration and some data.
  await migrateUp({ dir: app, databaseUrl: url, count: 1 });
  await sql`INSERT INTO brands (name) VALUES ('Acme'), ('Globex')`;
  const backups = join(mkdtempSync(join(tmpdir(), 'deploy-15-')), 'backups');
  t.teardown(() => rmSync(join(backups, '..'), { recursive: true, force: true }));

  const run = deploy(['--dir', app, '--backup-dir', backups], { DATABASE_URL: url, VERIFY_DATABASE_URL: pg.url });
  t.equal(run.status, 0, run.stderr);
  t.match(run.stdout, /health: 127\.0\.0\.1:\d+\/skincare as postgres: PostgreSQL 15\.\d+, primary, read-write/);
  t.match(run.stdout, /history: 1 applied \(1 with unchanged checksums\), no INVALID index, order ok\n {3}info {2}2 pending, in this order:/);
  t.match(run.stdout, /== 2\/4 backup\n {3}ok {4}.*skincare-\d{8}T\d{6}Z\.dump \([\d.]+ KiB, mode 0600, pg_dump 15\.\d+\); pg_restore --list reads \d+ entries\n== 3\/4 migrate\n/);
  t.match(run.stdout, /ok {4}drift: none \(the schema is what its 1 applied migration makes\)\n {3}ok {4}sessions: none blocks the tables the pending migrations touch \(brands\); /);
  t.match(run.stdout, /smoke: 6 tables read with SELECT 1 \.\.\. LIMIT 1; estimated rows \(catalog, no scan\): brands ~\d+, items ~0, /);
  noSecret(t, run, secrets, 'deploy on 15');
  const [file] = readdirSync(backups);
  t.ok(file, 'the backup is there');
  t.equal(statSync(join(backups, file!)).mode & 0o777, 0o600);
  const restore = /to restore the backup taken before it: {2}(.+)\n/.exec(run.stdout)?.[1];
  t.equal(restore, `pg_restore --clean --if-exists --single-transaction -d '${url.replace(`:${encodeURIComponent(pg.password)}`, '')}' ${join(backups, file!)}`);
  const rollback = /to roll back what this deploy applied: {2}(.+)\n/.exec(run.stdout)?.[1];
  t.equal(rollback, `DATABASE_URL='${url.replace(encodeURIComponent(pg.password), '***')}' make rollback STEPS=2 MIGRATIONS_DIR=${app}`);
  t.same(await appliedNames(sql), ALL);

  // The rollback command as printed (the password put back in place of ***).
  const undo = shell(rollback!.replace('***', encodeURIComponent(pg.password)));
  t.equal(undo.status, 0, undo.stderr);
  t.match(undo.stdout, /2 migrations rolled back/);
  noSecret(t, undo, secrets, 'rollback on 15');
  t.same(await appliedNames(sql), [ALL[0]]);
  t.same(await userTables(sql), ['brands']);

  // Lose data, then the restore command as printed: the rows come back.
  await sql`DELETE FROM brands`;
  const restored = shell(restore!, { PGPASSWORD: pg.password });
  t.equal(restored.status, 0, restored.stderr);
  t.same((await sql<{ name: string }[]>`SELECT name FROM brands ORDER BY id`).map((r) => r.name), ['Acme', 'Globex']);
  t.same(await appliedNames(sql), [ALL[0]], 'pgmigrations as it was at the backup');

  // And deploying again over the restored database works.
  const again = deploy(['--dir', app, '--backup-dir', backups], { DATABASE_URL: url, VERIFY_DATABASE_URL: pg.url });
  t.equal(again.status, 0, again.stderr);
  t.equal(readdirSync(backups).length, 2, 'a second backup');
  noSecret(t, again, secrets, 'second deploy');
});
