// The CLIs as a user runs them (node dist/scripts/*.js, built by `make test`): exit codes, one-line errors, no stack traces, no passwords.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');
const migrateJs = join(root, 'dist', 'scripts', 'migrate.js');
const newMigrationJs = join(root, 'dist', 'scripts', 'new-migration.js');
const fixtures = 'test/fixtures/runner';
const SECRET = 's3cr3t-Pa55';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(script: string, args: readonly string[], databaseUrl?: string, extra: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, env: childEnv({ DATABASE_URL: databaseUrl, ...extra }), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Every stderr line is `error: ...`; nothing looks like a stack frame or the password. */
function assertCleanErrors(t: Test, result: Run, label: string): void {
  const lines = result.stderr.split('\n').filter(Boolean);
  t.ok(lines.length >= 1, `${label}: says what went wrong`);
  for (const line of lines) t.match(line, /^error: \S/, `${label}: "${line.slice(0, 60)}" is an error line`);
  t.notMatch(result.stderr + result.stdout, /^\s+at .+:\d+:\d+\)?$/m, `${label}: no stack trace`);
  t.notMatch(result.stderr + result.stdout, SECRET, `${label}: no password`);
}

t.before(() => {
  if (!existsSync(migrateJs)) throw new Error('dist/scripts/migrate.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

t.test('bad migration files: exit 2, one line naming the file, before any database is touched', async (t) => {
  const cases = [
    ['down-without-up', '20260101000100_create_items.down.sql: down file without an up file'],
    ['up-without-down', '20260101000100_create_items.up.sql: up file without a down file'],
    ['upper-case-extension', '20260101000100_create_items.up.SQL: the extension must be lower-case .sql'],
    ['bad-name', 'seed_brands.sql: not an .up.sql or .down.sql file'],
    ['duplicate-version', '20260101000000_create_items.up.sql: version 20260101000000 is also used by 20260101000000_create_brands'],
    ['unknown-directive', '20260101000100_create_items.up.sql:1:1: unknown directive migrate:no-transactions'],
    ['empty-up', '20260101000100_create_items.up.sql: has no SQL statements'],
  ] as const;
  for (const [folder, expected] of cases) {
    // An unreachable URL with a password: the files are checked first, so it is never used.
    const result = run(migrateJs, ['up', '--dir', `${fixtures}/${folder}`], `postgres://postgres:${SECRET}@127.0.0.1:1/postgres`);
    t.equal(result.status, 2, `${folder}: exit 2`);
    t.equal(result.stderr, `error: ${fixtures}/${folder}/${expected}${result.stderr.slice(`error: ${fixtures}/${folder}/${expected}`.length)}`, `${folder}: names the file`);
    t.equal(result.stderr.trim().split('\n').length, 1, `${folder}: one line`);
    t.equal(result.stdout, '', `${folder}: nothing else printed`);
    assertCleanErrors(t, result, folder);
  }
});

t.test('usage errors: exit 2 and one line', async (t) => {
  for (const args of [[], ['sideways'], ['down', 'zero'], ['down', '0'], ['up', 'extra'], ['--bogus']]) {
    const result = run(migrateJs, args, `postgres://postgres:${SECRET}@127.0.0.1:1/postgres`);
    t.equal(result.status, 2, `migrate ${args.join(' ')}: exit 2`);
    t.equal(result.stderr.trim().split('\n').length, 1);
    assertCleanErrors(t, result, `migrate ${args.join(' ')}`);
  }
  const help = run(migrateJs, ['--help']);
  t.equal(help.status, 0);
  t.match(help.stdout, /^usage: migrate <command>/);
});

t.test('connection failures: exit 1, one line, the password never printed', async (t) => {
  const db = await startTestServer(t);
  const urls = {
    'an unreachable port': `postgres://postgres:${SECRET}@127.0.0.1:1/postgres`,
    'a database that does not exist': db.server.url.replace('postgres@', `postgres:${SECRET}@`).replace(/\/postgres$/, '/no_such_database'),
    'an unparseable URL': `postgres://postgres:${SECRET}@127.0.0.1:notaport/postgres`,
  };
  for (const [label, url] of Object.entries(urls)) {
    for (const command of label === 'an unreachable port' ? ['up', 'status', 'down'] : ['up']) {
      const result = run(migrateJs, [command, '--dir', `${fixtures}/basic`], url);
      t.equal(result.status, 1, `${label} (${command}): exit 1`);
      t.match(result.stderr, /^error: cannot connect to /, `${label}: says it cannot connect`);
      t.equal(result.stderr.trim().split('\n').length, 1, `${label}: one line`);
      assertCleanErrors(t, result, `${label} (${command})`);
    }
  }
});

t.test('up, status, a SQL error, down all: what a user sees', async (t) => {
  const db = await startTestServer(t);
  const { url } = await db.freshDatabase();
  const withPassword = url.replace('postgres@', `postgres:${SECRET}@`); // trust auth ignores it; it must still never show
  const up = run(migrateJs, ['up', '--dir', `${fixtures}/basic`], withPassword);
  t.equal(up.status, 0, up.stderr);
  t.match(up.stdout, /^database: 127\.0\.0\.1:\d+\/t\w+ \(DATABASE_URL\)\napplied {6}20260101000000_create_brands\n/);
  t.match(up.stdout, /\n3 migrations applied in \d+ ms\n$/);
  t.notMatch(up.stdout, SECRET);

  const status = run(migrateJs, ['status', '--dir', `${fixtures}/basic`], withPassword);
  t.equal(status.status, 0);
  t.match(status.stdout, /applied {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}20260101000200_add_items_label {2}ok\n3 applied, 0 pending\n$/);

  const down = run(migrateJs, ['down', '2', '--dir', `${fixtures}/basic`], withPassword);
  t.equal(down.status, 0);
  t.match(down.stdout, /rolled back {2}20260101000200_add_items_label\nrolled back {2}20260101000100_create_items\n2 migrations rolled back/);

  const status2 = run(migrateJs, ['status', '--dir', `${fixtures}/basic`], withPassword);
  const lines = status2.stdout.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
  t.same(lines, ['applied', 'pending', 'pending', '1'], 'applied first, then pending, then the count');

  // Every migration, on a DATABASE_URL server: only with CONFIRM=<database> (docs/deploy.md#guarded-rollbacks).
  const all = run(migrateJs, ['down', 'all', '--dir', `${fixtures}/basic`], withPassword, { CONFIRM: new URL(url).pathname.slice(1) });
  t.equal(all.status, 0);
  t.match(all.stdout, /1 migration rolled back/);

  const { url: other } = await db.freshDatabase();
  const failing = run(migrateJs, ['up', '--dir', `${fixtures}/failing-statement`], other.replace('postgres@', `postgres:${SECRET}@`));
  t.equal(failing.status, 1);
  t.equal(failing.stderr, `error: ${fixtures}/failing-statement/20260101000100_broken_items.up.sql:7:16: column "brand_id" does not exist\n`);
  assertCleanErrors(t, failing, 'SQL error');
});

t.test('new-migration: two files and their paths, or one line and exit 2', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'new-cli-'));
  const ok = run(newMigrationJs, ['add_products_barcode', '--dir', dir]);
  t.equal(ok.status, 0, ok.stderr);
  const files = readdirSync(dir).sort();
  t.match(files, [/^\d{14}_add_products_barcode\.down\.sql$/, /^\d{14}_add_products_barcode\.up\.sql$/]);
  t.same(ok.stdout.trim().split('\n').map((p) => p.split('/').pop()), [files[1], files[0]]);
  for (const name of ['Bad-Name', 'add_products_barcode', 'x'.repeat(50)]) {
    const bad = run(newMigrationJs, [name, '--dir', dir]);
    t.equal(bad.status, 2, `${name.slice(0, 20)}: exit 2`);
    t.equal(bad.stderr.trim().split('\n').length, 1);
    assertCleanErrors(t, bad, name.slice(0, 20));
  }
  const missing = run(newMigrationJs, []);
  t.equal(missing.status, 2);
  t.match(missing.stderr, /^error: usage: make new NAME=/);
});
