// make backup against real servers: a PostgreSQL 15 (Debian's binaries, password authentication) gets a 0600
// custom-format dump that pg_restore --list reads; the embedded PostgreSQL 18 is refused with the version message and
// no file. The password never reaches pg_dump's command line nor any output.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { startTestServer } from './helpers/server.js';
import { backupDatabase, backupFileName, urlWithoutPassword } from '../runner/backup.js';
import { MigrationError } from '../runner/errors.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');
const backupJs = join(root, 'dist', 'scripts', 'backup.js');

function tempDir(t: Test, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function cli(args: readonly string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [backupJs, ...args], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.before(() => {
  if (!existsSync(backupJs)) throw new Error('dist/scripts/backup.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

t.test('file names and URLs', async (t) => {
  t.equal(backupFileName('skincare', new Date('2026-01-05T09:01:02.345Z')), 'skincare-20260105T090102Z.dump');
  t.equal(backupFileName('odd/name db', new Date('2026-01-05T09:01:02Z')), 'odd_name_db-20260105T090102Z.dump');
  t.equal(urlWithoutPassword('postgres://app:s%40cret@db:5432/skincare?sslmode=require'), 'postgres://app@db:5432/skincare?sslmode=require');
});

t.test('PostgreSQL 15: a 0600 custom-format dump that pg_restore --list reads, no password anywhere', async (t) => {
  const pg = await startPg15Server(t);
  const { url, sql } = await pg.freshDatabase('skincare');
  await sql`CREATE TABLE brands (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL)`;
  await sql`INSERT INTO brands (name) VALUES ('Acme'), ('Globex')`;

  const dir = join(tempDir(t, 'backup-'), 'nested', 'backups');
  const result = cli([], { DATABASE_URL: url, BACKUP_DIR: dir });
  t.equal(result.status, 0, result.stderr);
  const files = readdirSync(dir);
  t.equal(files.length, 1, 'one file, no partial left');
  const file = files[0]!;
  t.match(file, /^skincare-\d{8}T\d{6}Z\.dump$/);
  t.equal(statSync(join(dir, file)).mode & 0o777, 0o600, 'mode 0600');
  t.equal(readFileSync(join(dir, file)).subarray(0, 5).toString('latin1'), 'PGDMP', 'custom format');
  const list = spawnSync('pg_restore', ['--list', join(dir, file)], { encoding: 'utf8' });
  t.equal(list.status, 0);
  t.match(list.stdout, /TABLE public brands/);
  t.match(list.stdout, /TABLE DATA public brands/);
  t.match(result.stdout, new RegExp(`^database: 127\\.0\\.0\\.1:${pg.port}/skincare \\(DATABASE_URL\\)\\npg_dump 15\\.\\d+ \\(pg_dump\\), server PostgreSQL 15\\.\\d+\\n`));
  t.match(result.stdout, new RegExp(`wrote .*${file} \\([\\d.]+ KiB, mode 0600\\) in \\d+ ms\\nverified: pg_restore --list reads \\d+ entries\\n`));
  t.match(result.stdout, new RegExp(`restore with: pg_restore --clean --if-exists --single-transaction -d 'postgres://postgres@127\\.0\\.0\\.1:${pg.port}/skincare' .*${file}\\n$`));
  for (const secret of [pg.password, encodeURIComponent(pg.password)]) t.notMatch(result.stdout + result.stderr, secret, 'no password in the output');

  // The library, with an explicit pg_dump.
  const again = await backupDatabase({ databaseUrl: url, dir, pgDump: '/usr/lib/postgresql/15/bin/pg_dump', now: new Date('2030-01-01T00:00:00Z') });
  t.match(again, { file: /skincare-20300101T000000Z\.dump$/, database: 'skincare', pgDump: { version: /^15\./ }, serverVersion: /^15\./ });
  t.ok(again.entries >= 4, `${again.entries} TOC entries`);

  // A wrong password: one line, no password, no file.
  const wrong = cli([], { DATABASE_URL: url.replace(encodeURIComponent(pg.password), 'Wr0ng-Passw0rd'), BACKUP_DIR: join(dir, 'wrong') });
  t.equal(wrong.status, 1);
  t.match(wrong.stderr, /^error: cannot connect to .*password authentication failed/);
  t.notMatch(wrong.stdout + wrong.stderr, 'Wr0ng-Passw0rd');
  t.notOk(existsSync(join(dir, 'wrong')) && readdirSync(join(dir, 'wrong')).length > 0, 'no file');
});

t.test('pg_dump gets the password through its environment, never its arguments; its stderr is scrubbed; a failure leaves no file', async (t) => {
  const pg = await startPg15Server(t, 'Fake&dump-Secret');
  const { url } = await pg.freshDatabase('spied');
  const work = tempDir(t, 'backup-spy-');
  const spy = join(work, 'pg_dump');
  // Writes part of a dump, prints the password to stderr, and fails.
  writeFileSync(
    spy,
    [
      '#!/bin/sh',
      'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 99.1"; exit 0; fi',
      `printf '%s\\n' "$@" > "${join(work, 'args')}"`,
      `printf '%s' "$PGPASSWORD" > "${join(work, 'env')}"`,
      'printf "PGDMP partial"',
      'echo "pg_dump: error: lost the connection (password was $PGPASSWORD)" >&2',
      'exit 1',
      '',
    ].join('\n'),
  );
  chmodSync(spy, 0o755);
  const dir = join(work, 'backups');
  const error = await backupDatabase({ databaseUrl: url, dir, pgDump: spy }).catch((e: unknown) => e);
  t.type(error, MigrationError);
  t.match(error, { code: 'BACKUP_FAILED', message: /^pg_dump failed \(exit 1\): pg_dump: error: lost the connection \(password was \*\*\*\); no backup was written$/ });
  t.same(readdirSync(dir), [], 'the partial dump was removed');
  const args = readFileSync(join(work, 'args'), 'utf8');
  t.notMatch(args, pg.password, 'not in the arguments');
  t.notMatch(args, encodeURIComponent(pg.password));
  t.match(args, /--format=custom\n--no-password\n.*--dbname=postgres:\/\/postgres@127\.0\.0\.1:\d+\/spied\n/s);
  t.equal(readFileSync(join(work, 'env'), 'utf8'), pg.password, 'PGPASSWORD in its environment');
});

t.test('PostgreSQL 18 (the embedded default) with pg_dump 15: refused with the version message, no file', async (t) => {
  const db = await startTestServer(t);
  const { url } = await db.freshDatabase('embedded_like');
  const dir = join(tempDir(t, 'backup-18-'), 'backups');
  const secret = 'pg18-S3cret';
  const result = cli(['--dir', dir], { DATABASE_URL: url.replace('postgres@', `postgres:${secret}@`) });
  t.equal(result.status, 1);
  t.match(
    result.stderr,
    /^error: pg_dump 15\.\d+ \(pg_dump\) cannot dump 127\.0\.0\.1:\d+\/embedded_like, a PostgreSQL 18\.\d+ server: pg_dump refuses servers of a newer major version\. Install postgresql-client-18 .* or set PG_DUMP to a pg_dump 18 binary .*; no backup was written\n$/,
  );
  t.notMatch(result.stdout + result.stderr, secret);
  t.notOk(existsSync(dir) && readdirSync(dir).length > 0, 'no file');
  const missing = cli(['--dir', dir], { DATABASE_URL: url, PG_DUMP: '/nonexistent/pg_dump' });
  t.equal(missing.status, 1);
  t.match(missing.stderr, /^error: pg_dump not found at \/nonexistent\/pg_dump: install the PostgreSQL client .* or set PG_DUMP/);
});

