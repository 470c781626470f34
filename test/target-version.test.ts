// The PostgreSQL version the rules target: --pg-version, else the config's, else the server's own (DATABASE_URL, else
// VERIFY_DATABASE_URL), else 15. Checked against a real PostgreSQL 18 and 15: what the rules say of a statement is
// what that server does with it.
import t, { type Test } from "tap";
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { startPg15Server } from './helpers/pg15-server.js';
import { childEnv } from './helpers/child-env.js';
import { SERVER_VERSION_FILE } from '../verify/server-version.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'verify', 'cli.js');

/** A project with node_modules (so a cache folder) and one migration using uuidv7() (18) and a VIRTUAL generated column (18). */
function project(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'verify-target-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'node_modules'));
  mkdirSync(join(dir, 'sql'));
  writeFileSync(join(dir, 'sql', '20260101000000_create_tokens.up.sql'), '-- Tokens.\nCREATE TABLE tokens (\n    id uuid PRIMARY KEY DEFAULT uuidv7(),\n    n bigint NOT NULL,\n    twice bigint GENERATED ALWAYS AS (n * 2)\n);\n');
  writeFileSync(join(dir, 'sql', '20260101000000_create_tokens.down.sql'), '-- Undoes create_tokens.\nDROP TABLE tokens;\n');
  return dir;
}

function run(dir: string, env: Record<string, string | undefined>, ...args: string[]) {
  const result = spawnSync(process.execPath, [CLI, 'sql', '--format', 'json', ...args], { cwd: dir, encoding: 'utf8', env: childEnv({ DATABASE_URL: undefined, VERIFY_DATABASE_URL: undefined, ...env }) });
  const rules = (JSON.parse(result.stdout) as { violations: { rule: string; message: string }[] }).violations.filter((v) => v.rule === 'syntax-needs-newer-postgres');
  return { rules, stderr: result.stderr, status: result.status };
}

t.test("the server's own version decides, and matches what that server accepts", async (t) => {
  const [pg18, pg15] = await Promise.all([startTestServer(t), startPg15Server(t)]);
  const dir = project(t);
  const statement = readFileSync(join(dir, 'sql', '20260101000000_create_tokens.up.sql'), 'utf8');

  const on18 = run(dir, { DATABASE_URL: pg18.server.url });
  t.same(on18.rules, [], 'PostgreSQL 18: nothing is too new');
  t.equal(on18.stderr, '');
  await t.resolves((await pg18.freshDatabase()).sql.unsafe(statement), 'and PostgreSQL 18 runs it');

  const on15 = run(dir, { DATABASE_URL: pg15.url });
  t.same(on15.rules.map((v) => v.message.split(' needs')[0]), ['uuidv7()', 'A virtual generated column (GENERATED ALWAYS AS (...) without STORED)'], "PostgreSQL 15's server: both are too new");
  t.match(on15.rules[0]!.message, 'target PostgreSQL 15');
  const fresh = await pg15.freshDatabase();
  await t.rejects(fresh.sql.unsafe(statement), 'and PostgreSQL 15 refuses it');

  const cache = JSON.parse(readFileSync(join(dir, 'node_modules', '.cache', 'verify-migrations', SERVER_VERSION_FILE), 'utf8')) as Record<string, { major: number }>;
  t.same(Object.values(cache).map((e) => e.major).sort(), [15, 18], 'each answer is kept');
  t.notMatch(Object.keys(cache).join(' '), pg15.password, 'keyed by the URL without its password');

  t.same(run(dir, { VERIFY_DATABASE_URL: pg15.url }).rules.length, 2, 'VERIFY_DATABASE_URL when DATABASE_URL is not set');
  t.same(run(dir, { DATABASE_URL: pg15.url }, '--pg-version', '18').rules, [], '--pg-version wins over the server');
  writeFileSync(join(dir, 'verify-migrations.json'), JSON.stringify({ postgresVersion: 18 }));
  t.same(run(dir, { DATABASE_URL: pg15.url }).rules, [], 'so does the config');
  rmSync(join(dir, 'verify-migrations.json'));

  // A kept answer is used without connecting: the URL below has nothing listening, but its answer is recorded.
  const gone = `postgres://app:${pg15.password}@127.0.0.1:1/app`;
  const record = join(dir, 'node_modules', '.cache', 'verify-migrations', SERVER_VERSION_FILE);
  writeFileSync(record, JSON.stringify({ 'postgres://app:***@127.0.0.1:1/app': { major: 18, at: Date.now() } }));
  const cached = run(dir, { DATABASE_URL: gone });
  t.same([cached.rules, cached.stderr], [[], ''], 'the recorded answer, no connection, no note');

  rmSync(record);
  const failed = run(dir, { DATABASE_URL: gone });
  t.equal(failed.rules.length, 2, 'no answer: the oldest supported version, 15');
  t.equal(failed.stderr.trim().split('\n').length, 1, 'one line');
  t.match(failed.stderr, /^verify-migrations: note: DATABASE_URL's server did not give its version \(cannot connect to 127\.0\.0\.1:1\/app: .*\); the rules target PostgreSQL 15/);
  t.notMatch(failed.stderr, pg15.password, 'never the password');
  t.notMatch(failed.stderr, /\bat .*\.js:\d+/, 'never a stack trace');
});

t.test('the rules whose truth depends on the version follow it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-target-rules-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'sql'));
  writeFileSync(join(dir, 'sql', '20260101000000_t.up.sql'), '-- t\nCREATE TABLE t (id bigint PRIMARY KEY, a text);\n');
  writeFileSync(join(dir, 'sql', '20260101000000_t.down.sql'), '-- t\nDROP TABLE t;\n');
  writeFileSync(join(dir, 'sql', '20260101000100_u.up.sql'), "-- u\nALTER TABLE t ADD COLUMN b text DEFAULT 'x';\nALTER TABLE t ADD COLUMN c bigint GENERATED ALWAYS AS (id * 2) STORED;\nREINDEX INDEX CONCURRENTLY t_pkey;\n");
  writeFileSync(join(dir, 'sql', '20260101000100_u.down.sql'), '-- u\nALTER TABLE t DROP COLUMN c;\nALTER TABLE t DROP COLUMN b;\n');
  const found = (version: string) => {
    const result = spawnSync(process.execPath, [CLI, 'sql', '--format', 'json', '--no-cache', '--pg-version', version], { cwd: dir, encoding: 'utf8', env: childEnv({ DATABASE_URL: undefined, VERIFY_DATABASE_URL: undefined }) });
    return (JSON.parse(result.stdout) as { violations: { rule: string; line: number; help?: string; message: string }[] }).violations
      .filter((v) => ['adding-field-with-default', 'syntax-needs-newer-postgres'].includes(v.rule))
      .map((v) => `${v.line} ${v.rule}${/VIRTUAL generated column \(Postgres 18\)/.test(v.help ?? '') ? ' (help: VIRTUAL)' : ''}`);
  };
  t.same(found('10'), ['2 adding-field-with-default', '3 adding-field-with-default', '3 syntax-needs-newer-postgres', '4 syntax-needs-newer-postgres'], '10: a constant default rewrites; STORED and REINDEX CONCURRENTLY do not exist yet');
  t.same(found('15'), ['3 adding-field-with-default'], '15: a constant default is instant; the help does not offer a VIRTUAL column 15 lacks');
  t.same(found('18'), ['3 adding-field-with-default (help: VIRTUAL)'], '18: the help offers the VIRTUAL column');
});
