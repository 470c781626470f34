// Issue 12, item 4: no false success. A no-transaction file that opens a transaction and never commits it must not
// print "applied" or exit 0 (its work was thrown away when the session ended); a statement the server runs differently
// from how the parser split it cannot smuggle a COMMIT in; and a statement that ends the runner's transaction stops
// the migration, rolled back, unrecorded, with the truth about what was committed.
import t, { type Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { loadMigrationFiles } from '../runner/migration-files.js';
import { executeMigrations } from '../runner/execute.js';
import { baselineStatements, readBaseline, RunLock, type SessionBaseline } from '../runner/session.js';
import { ensureChecksumTables } from '../runner/checksums.js';
import { MigrationError } from '../runner/errors.js';

const MIGRATE = join(import.meta.dirname, '..', 'dist', 'scripts', 'migrate.js');

function migrate(args: readonly string[], url: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MIGRATE, ...args], { env: childEnv({ DATABASE_URL: url }), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function exists(sql: Sql, table: string): Promise<boolean> {
  const [row] = await sql<{ present: boolean }[]>`SELECT to_regclass(${table}) IS NOT NULL AS present`;
  return row?.present ?? false;
}

async function recorded(sql: Sql): Promise<string[]> {
  if (!(await exists(sql, 'public.pgmigrations'))) return [];
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

/** What a run sets up before its first migration: the lock, the migration session at its baseline, the bookkeeping tables. */
async function runnerSession(t: Test, url: string): Promise<{ session: Awaited<ReturnType<Sql['reserve']>>; lock: RunLock; baseline: SessionBaseline; pid: number }> {
  const lock = await RunLock.acquire(url);
  const pool = connect(url, { prepare: false, idle_timeout: 0 });
  const session = await pool.reserve();
  t.teardown(async () => {
    session.release();
    await pool.end({ timeout: 1 });
    await lock.release();
  });
  const baseline = await readBaseline(session, { lockTimeout: '5s', statementTimeout: '1min' });
  await session.unsafe(baselineStatements(baseline).join('\n'));
  await session.unsafe('CREATE TABLE IF NOT EXISTS pgmigrations (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamptz NOT NULL)');
  await ensureChecksumTables(session, 'public');
  const [row] = await session.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
  return { session, lock, baseline, pid: Number(row?.pid) };
}

t.test('no false success', async (t) => {
  const db = await startTestServer(t);

  t.test('a no-transaction file with BEGIN and no COMMIT: refused before anything runs, never "applied"', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
      {
        slug: 'open_transaction',
        up: 'CREATE TABLE before_begin (id int);\nBEGIN;\nCREATE TABLE never_committed (id int);',
        down: 'DROP TABLE before_begin;',
        noTransaction: true,
      },
    ]);
    const run = migrate(['up', '--dir', dir], url);
    t.not(run.status, 0, 'does not exit 0');
    t.notMatch(run.stdout, /^applied/m, 'prints no "applied"');
    t.match(run.stderr, new RegExp(`^error: \\S*${names[1]}\\.up\\.sql:4:1: `));
    t.same(await recorded(sql), [], 'nothing recorded');
    t.notOk(await exists(sql, 'public.never_committed'));
  });

  t.test('the runner\'s own check: a no-transaction migration that ends inside a transaction is rolled back, not recorded, exit 1, the state said', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
      { slug: 'open_transaction', up: 'CREATE TABLE before_begin (id int);\nSELECT 1;\nCREATE TABLE never_committed (id int);', down: 'DROP TABLE before_begin;', noTransaction: true },
    ]);
    // The static checks refuse a BEGIN they can see; the middle statement stands for one they cannot (the server
    // reads it as BEGIN): the runner checks, after the last statement, that the session is outside any transaction.
    const pairs = await loadMigrationFiles(dir);
    const statements = pairs[1]!.up.statements.map((st, i) => (i === 1 ? { ...st, text: 'BEGIN' } : st));
    const hostile = { ...pairs[1]!, up: { ...pairs[1]!.up, statements } };
    const { session, lock, baseline, pid } = await runnerSession(t, url);
    const error = (await executeMigrations({ sql: session, pid, lock, url, baseline, actor: 'test', health: { lost: false } }, [
      { pair: pairs[0]!, direction: 'up' },
      { pair: hostile, direction: 'up' },
    ]).catch((e: unknown) => e)) as MigrationError;
    t.type(error, MigrationError);
    t.equal(error.code, 'OPEN_TRANSACTION');
    t.equal(error.exitCode, 1);
    t.match(error.message, new RegExp(`^\\S+${names[1]}\\.up\\.sql: ends inside a transaction it opened \\(a BEGIN without its COMMIT\\)`));
    t.match(
      error.runState?.summary,
      new RegExp(`^applied and committed by this run: ${names[0]}; ${names[1]} runs without a transaction: its statements before its own BEGIN stay applied, what ran after that BEGIN was rolled back, and it is not recorded; next: `),
    );
    t.same(await recorded(sql), [names[0]], 'only the first is recorded');
    t.ok(await exists(sql, 'public.before_begin'), 'the statement before BEGIN stays (it committed on its own)');
    t.notOk(await exists(sql, 'public.never_committed'), 'what ran after BEGIN is gone');
  });

  t.test('a statement the server would lex differently (standard_conforming_strings = off) cannot carry a second command', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await sql`CREATE TABLE victim (id int)`;
    const { dir, names } = migrationFolder(t, [
      {
        slug: 'lexer_trick',
        up: "SET standard_conforming_strings = off;\nSELECT 'a\\' AS p, '; COMMIT; DROP TABLE victim; SELECT ''';",
        down: 'SELECT 1;',
      },
    ]);
    const run = migrate(['up', '--dir', dir], url);
    t.not(run.status, 0, 'refused or failed, never applied');
    t.notMatch(run.stdout, /^applied/m);
    t.ok(await exists(sql, 'public.victim'), 'victim survives');
    t.same(await recorded(sql), [], `${names[0]} is not recorded`);
  });

  t.test("a statement that ends the runner's transaction stops the migration; the rest does not run; nothing is recorded", async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir } = migrationFolder(t, [
      { slug: 'escape', up: 'CREATE TABLE escaped_before (id int);\nSELECT 1;\nCREATE TABLE after_escape (id int);', down: 'SELECT 1;' },
    ]);
    // The middle statement stands for one the parser split or read differently from the server (issue 12, item 1):
    // what the parser called a SELECT, the server runs as COMMIT.
    const [pair] = await loadMigrationFiles(dir);
    const statements = pair!.up.statements.map((st, i) => (i === 1 ? { ...st, text: 'COMMIT' } : st));
    const hostile = { ...pair!, up: { ...pair!.up, statements } };

    const { session, lock, baseline, pid } = await runnerSession(t, url);
    const error = (await executeMigrations({ sql: session, pid, lock, url, baseline, actor: 'test', health: { lost: false } }, [{ pair: hostile, direction: 'up' }]).catch(
      (e: unknown) => e,
    )) as MigrationError;
    t.type(error, MigrationError);
    t.equal(error.code, 'TRANSACTION_ESCAPED');
    t.match(error.message, /\.up\.sql:3:1: this statement ended the runner's transaction/);
    t.match(error.runState?.summary, /^this run applied and committed nothing; \S+_escape ran part-way outside the runner's transaction and is not recorded; next: /);
    t.ok(await exists(sql, 'public.escaped_before'), 'what the COMMIT committed is there: the report says so');
    t.notOk(await exists(sql, 'public.after_escape'), 'nothing after the escape ran');
    t.same(await recorded(sql), [], 'not recorded');
  });
});
