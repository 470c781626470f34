// Integrity of applied migrations against a real PostgreSQL: an applied file edited, deleted or renamed is refused by
// name before anything runs; line-ending and whitespace noise is not a change; accept-checksum records and logs;
// status shows each applied migration's state; out-of-order migrations get their exact new name.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { userTables } from './helpers/catalog.js';
import { acceptMigrationChecksum, migrateDown, migrateUp, migrationStatus, redoLast } from '../runner/runner.js';
import { IntegrityError, nextVersions } from '../runner/integrity.js';
import type { Sql } from '../core/postgres/database-url.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');
const migrateJs = join(root, 'dist', 'scripts', 'migrate.js');
const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');
const SECRET = 'integrity-S3cret';
const ITEMS = '20260201000100_create_items';

function workCopy(t: Test): string {
  const work = mkdtempSync(join(tmpdir(), 'integrity-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  cpSync(app, work, { recursive: true });
  return work;
}

async function appliedNames(sql: Sql): Promise<string[]> {
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

function cli(args: readonly string[], databaseUrl: string): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [migrateJs, ...args], { cwd: root, env: childEnv({ DATABASE_URL: databaseUrl }), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.before(() => {
  if (!existsSync(migrateJs)) throw new Error('dist/scripts/migrate.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

t.test('integrity', async (t) => {
  const db = await startTestServer(t);

  t.test('an edited applied migration is refused by name for up, down and redo; nothing runs', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 2 });
    appendFileSync(join(work, `${ITEMS}.up.sql`), 'COMMENT ON TABLE items IS $$edited after it was applied$$;\n');
    for (const [label, attempt] of [
      ['up', () => migrateUp({ dir: work, databaseUrl: url })],
      ['down', () => migrateDown({ dir: work, databaseUrl: url })],
      ['redo', () => redoLast({ dir: work, databaseUrl: url })],
    ] as const) {
      const error = await (attempt as () => Promise<unknown>)().catch((e: unknown) => e);
      t.type(error, IntegrityError, label);
      const integrity = error as IntegrityError;
      t.equal(integrity.code, 'CHECKSUM_MISMATCH', `${label}: code`);
      t.equal(integrity.exitCode, 1, `${label}: exit code 1`);
      t.match(
        integrity.message,
        new RegExp(`${ITEMS}\\.up\\.sql changed since it was applied on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d: edit a new migration instead, or accept it with make accept-checksum NAME=${ITEMS}$`),
        `${label}: names the file and the fix`,
      );
    }
    t.same(await appliedNames(sql), ['20260201000000_create_brands', ITEMS], 'nothing applied or rolled back');
    t.same(await userTables(sql), ['brands', 'items']);
    const [index] = await sql`SELECT to_regclass('idx_items_sku') AS oid`;
    t.equal(index?.oid, null, 'the pending migration did not run');

    // Both files edited: the CLI prints one line per file and exits 1.
    appendFileSync(join(work, `${ITEMS}.down.sql`), '-- edited too\nSELECT 1;\n');
    const result = cli(['up', '--dir', work], url.replace('postgres@', `postgres:${SECRET}@`));
    t.equal(result.status, 1);
    const lines = result.stderr.trim().split('\n');
    t.equal(lines.length, 2, 'one line per changed file');
    t.match(lines[0], /^error: .*20260201000100_create_items\.up\.sql changed since it was applied on /);
    t.match(lines[1], /^error: .*20260201000100_create_items\.down\.sql changed since it was applied on /);
    t.notMatch(result.stdout + result.stderr, SECRET);
  });

  t.test('a deleted applied migration is refused; nothing runs', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 2 });
    rmSync(join(work, `${ITEMS}.up.sql`));
    rmSync(join(work, `${ITEMS}.down.sql`));
    const error = (await migrateUp({ dir: work, databaseUrl: url }).catch((e: unknown) => e)) as IntegrityError;
    t.type(error, IntegrityError);
    t.equal(error.code, 'MISSING_FILES');
    t.match(error.message, new RegExp(`^${ITEMS} is recorded in pgmigrations but its files are missing \\(applied on [-0-9: ]+\\); restore ${ITEMS}\\.up\\.sql and \\.down\\.sql from git`));
    t.same(await appliedNames(sql), ['20260201000000_create_brands', ITEMS]);
    const status = await migrationStatus({ dir: work, databaseUrl: url });
    t.same(status.applied.map((a) => [a.name, a.state]), [['20260201000000_create_brands', 'ok'], [ITEMS, 'missing']]);
  });

  t.test('a renamed applied migration is refused, naming its new name; nothing runs', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 2 });
    for (const side of ['up', 'down']) renameSync(join(work, `${ITEMS}.${side}.sql`), join(work, `20260201000150_create_items.${side}.sql`));
    const error = (await migrateUp({ dir: work, databaseUrl: url }).catch((e: unknown) => e)) as IntegrityError;
    t.type(error, IntegrityError);
    t.equal(error.code, 'RENAMED_MIGRATION');
    t.match(error.message, new RegExp(`^${ITEMS} was renamed to 20260201000150_create_items after it was applied on [-0-9: ]+ \\(same up and down text\\): rename .*20260201000150_create_items\\.up\\.sql and .*\\.down\\.sql back to ${ITEMS}\\.up\\.sql and \\.down\\.sql`));
    t.equal(error.problems.length, 1, 'the new name is not reported again as a pending migration');
    t.same(await appliedNames(sql), ['20260201000000_create_brands', ITEMS]);
    const status = await migrationStatus({ dir: work, databaseUrl: url });
    t.match(status.applied[1], { state: 'renamed', renamedTo: '20260201000150_create_items' });
  });

  t.test('CRLF line ends, a BOM, trailing blanks and extra final newlines are not a change', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 2 });
    for (const name of readdirSync(work).filter((n) => n.endsWith('.sql'))) {
      const text = readFileSync(join(work, name), 'utf8');
      writeFileSync(join(work, name), `\uFEFF${text.split('\n').map((line) => `${line}  \t`).join('\r\n')}\r\n\r\n`);
    }
    const status = await migrationStatus({ dir: work, databaseUrl: url });
    t.same(status.applied.map((a) => a.state), ['ok', 'ok']);
    t.same(status.problems, []);
    const result = await migrateUp({ dir: work, databaseUrl: url });
    t.same(result.migrations.map((m) => m.name), ['20260201000200_index_items_sku']);
    t.same(await appliedNames(sql), ['20260201000000_create_brands', ITEMS, '20260201000200_index_items_sku']);
    const down = await migrateDown({ dir: work, databaseUrl: url, count: 'all' });
    t.equal(down.migrations.length, 3, 'rollback works over the converted files too');
  });

  t.test('accept-checksum records the new checksum, logs who, when, old and new; then up runs', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url, count: 2, actor: 'first deployer' });
    const [before] = await sql<{ up: string; down: string }[]>`SELECT up_sha256 AS up, down_sha256 AS down FROM pgmigrations_checksums WHERE name = ${ITEMS}`;
    appendFileSync(join(work, `${ITEMS}.up.sql`), '-- a comment added after the deploy\n');

    const result = cli(['accept-checksum', `${ITEMS}.up.sql`, '--dir', work], url.replace('postgres@', `postgres:${SECRET}@`));
    t.equal(result.status, 0, result.stderr);
    t.match(result.stdout, new RegExp(`up +${ITEMS}\\.up\\.sql +${before!.up.slice(0, 12)}… -> [0-9a-f]{12}…\\n`));
    t.match(result.stdout, new RegExp(`down ${ITEMS}\\.down\\.sql +unchanged ${before!.down.slice(0, 12)}…\\n`));
    t.match(result.stdout, new RegExp(`accepted the current files of ${ITEMS}: logged in pgmigrations_checksum_log by .+ at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC\\n`));
    t.notMatch(result.stdout + result.stderr, SECRET);

    const log = await sql<{ name: string; event: string; old_up: string; new_up: string; old_down: string; new_down: string; actor: string; logged_at: Date }[]>`
      SELECT name, event, old_up_sha256 AS old_up, new_up_sha256 AS new_up, old_down_sha256 AS old_down, new_down_sha256 AS new_down, actor, logged_at
      FROM pgmigrations_checksum_log ORDER BY id`;
    t.equal(log.length, 1);
    t.match(log[0], { name: ITEMS, event: 'accepted', old_up: before!.up, old_down: before!.down, new_down: before!.down });
    t.not(log[0]?.new_up, before!.up, 'the new up hash is logged');
    t.ok(log[0]?.actor, 'who accepted it is logged');
    t.ok(Math.abs(Date.now() - log[0]!.logged_at.getTime()) < 60_000, 'when it was accepted is logged');

    const again = await acceptMigrationChecksum({ dir: work, databaseUrl: url, name: ITEMS });
    t.equal(again.changed, false, 'a second accept has nothing to do');
    const up = await migrateUp({ dir: work, databaseUrl: url });
    t.same(up.migrations.map((m) => m.name), ['20260201000200_index_items_sku'], 'up runs again');

    const notApplied = await acceptMigrationChecksum({ dir: app, databaseUrl: (await db.freshDatabase()).url, name: ITEMS }).catch((e: unknown) => e);
    t.match(notApplied, { code: 'NOT_APPLIED', message: new RegExp(`^${ITEMS} is not applied to `) });
  });

  t.test('migrations applied before checksums were kept: untracked in status, refused by the next run, recorded by migrate baseline', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: app, databaseUrl: url, count: 2 });
    await sql`DELETE FROM pgmigrations_checksums`;
    const status = await migrationStatus({ dir: app, databaseUrl: url });
    t.same(status.applied.map((a) => a.state), ['untracked', 'untracked']);
    const refused = (await migrateUp({ dir: app, databaseUrl: url }).catch((e: unknown) => e)) as IntegrityError;
    t.type(refused, IntegrityError);
    t.match(refused.problems, [{ code: 'CHECKSUMS_MISSING', message: /2 applied migrations have no recorded checksum .*migrate\.js baseline/ }]);
    t.same(await appliedNames(sql), ['20260201000000_create_brands', ITEMS], 'nothing ran');
    const baseline = cli(['baseline', '--dir', app], url);
    t.equal(baseline.status, 0, baseline.stderr);
    t.match(baseline.stdout, `baseline  ${ITEMS}`);
    const result = await migrateUp({ dir: app, databaseUrl: url });
    t.same(result.migrations.map((m) => m.name), ['20260201000200_index_items_sku']);
    const log = await sql<{ name: string; event: string }[]>`SELECT name, event FROM pgmigrations_checksum_log ORDER BY id`;
    t.same(log.map((l) => [l.name, l.event]), [['20260201000000_create_brands', 'baseline'], [ITEMS, 'baseline']]);
    const after = await migrationStatus({ dir: app, databaseUrl: url });
    t.same(after.applied.map((a) => a.state), ['ok', 'ok', 'ok']);

    const cliStatus = cli(['status', '--dir', app], url);
    t.match(cliStatus.stdout, new RegExp(`applied  [-0-9: ]+  ${ITEMS}  ok\\n`));
  });

  t.test('a pending migration older than an applied one gets the exact new name', async (t) => {
    const { url } = await db.freshDatabase();
    const work = workCopy(t);
    await migrateUp({ dir: work, databaseUrl: url });
    writeFileSync(join(work, '20260101000000_add_brands_note.up.sql'), '-- late\nALTER TABLE brands ADD COLUMN note text;\n');
    writeFileSync(join(work, '20260101000000_add_brands_note.down.sql'), '-- undo\nALTER TABLE brands DROP COLUMN note;\n');
    const error = (await migrateUp({ dir: work, databaseUrl: url }).catch((e: unknown) => e)) as IntegrityError;
    t.equal(error.code, 'ORDER_MISMATCH');
    t.match(
      error.message,
      /20260101000000_add_brands_note\.up\.sql is pending but older than the applied 20260201000200_index_items_sku; rename 20260101000000_add_brands_note to a version after 20260201000200, e.g. \d{14}_add_brands_note \(its \.up\.sql and \.down\.sql, then make sum\)/,
    );
    const suggested = /e\.g\. (\d{14})_/.exec(error.message)![1]!;
    t.ok(suggested > '20260201000200', 'the suggestion sorts after every migration');
    t.same(nextVersions('20260201000200', new Date('2026-01-01T00:00:00Z'), 2), ['20260201000201', '20260201000202'], 'after the newest when the clock is behind');
    t.same(nextVersions('20260201000200', new Date('2026-11-27T10:11:12.345Z'), 1), ['20261127101112'], 'now (UTC) otherwise');
  });

  t.test('check-order --base <ref>: a migration new on the branch but older than the ref is named with its new version', async (t) => {
    const repo = mkdtempSync(join(tmpdir(), 'check-order-'));
    t.teardown(() => rmSync(repo, { recursive: true, force: true }));
    const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'dba@example.com');
    git('config', 'user.name', 'DBA');
    mkdirSync(join(repo, 'sql'));
    cpSync(app, join(repo, 'sql'), { recursive: true });
    git('add', '.');
    git('commit', '-q', '-m', 'base');
    const run = (...args: string[]) => spawnSync(process.execPath, [migrateJs, 'check-order', '--dir', join(repo, 'sql'), ...args], { cwd: repo, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' } });
    const clean = run('--base', 'main');
    t.equal(clean.status, 0, clean.stderr);
    t.match(clean.stdout, /order is fine/);

    writeFileSync(join(repo, 'sql', '20260201000150_add_note.up.sql'), '-- late\nALTER TABLE brands ADD COLUMN note text;\n');
    writeFileSync(join(repo, 'sql', '20260201000150_add_note.down.sql'), '-- undo\nALTER TABLE brands DROP COLUMN note;\n');
    writeFileSync(join(repo, 'sql', '20260301000000_add_label.up.sql'), '-- fine\nALTER TABLE brands ADD COLUMN label text;\n');
    writeFileSync(join(repo, 'sql', '20260301000000_add_label.down.sql'), '-- undo\nALTER TABLE brands DROP COLUMN label;\n');
    const late = run('--base', 'main');
    t.equal(late.status, 1);
    t.equal(late.stderr.trim().split('\n').length, 1, 'only the migration older than the base is named');
    t.match(late.stderr, /^error: .*20260201000150_add_note\.up\.sql is new on this branch but older than 20260201000200_index_items_sku, the newest migration on main: .*rename 20260201000150_add_note to a version after 20260201000200, e\.g\. \d{14}_add_note/);
    const suggested = /e\.g\. (\d{14})_/.exec(late.stderr)![1]!;
    t.ok(suggested > '20260301000000', 'after every migration of the branch too');

    const badRef = run('--base', 'no-such-branch');
    t.equal(badRef.status, 2);
    t.match(badRef.stderr, /^error: cannot list .* at no-such-branch: .*\(fetch it first/);
  });
});

