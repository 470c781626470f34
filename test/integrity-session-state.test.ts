// Issue 12, item 2: every migration starts from the same session, and nothing a migration does releases the run's lock.
// Hostile migrations SET search_path, RESET ALL, SET ROLE, DISCARD ALL and pg_advisory_unlock_all(); after each one a
// migration checks the session it starts in (search_path, role, lock and statement timeouts, TimeZone) and creates a
// table that must land in public. A second runner started while a migration that released every advisory lock sleeps
// must be refused, and every migration is recorded once.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder, type MigrationSpec } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { migrateDown, migrateUp } from '../runner/runner.js';
import type { MigrationError } from '../runner/errors.js';
import type { Sql } from '../core/postgres/database-url.js';

const MIGRATE = join(import.meta.dirname, '..', 'dist', 'scripts', 'migrate.js');
const timeouts = { lockTimeout: '5s', statementTimeout: '15min' };

/** A migration that fails unless it starts from the run's session, and creates widgets_<n> (which must land in public). */
function check(n: number): MigrationSpec {
  return {
    slug: `check_session_${n}`,
    up: `DO $$
BEGIN
    IF current_setting('search_path') <> '"$user", public' THEN RAISE EXCEPTION 'search_path is %', current_setting('search_path'); END IF;
    IF current_user <> session_user THEN RAISE EXCEPTION 'current_user is %', current_user; END IF;
    IF current_setting('lock_timeout') <> '5s' THEN RAISE EXCEPTION 'lock_timeout is %', current_setting('lock_timeout'); END IF;
    IF current_setting('statement_timeout') <> '15min' THEN RAISE EXCEPTION 'statement_timeout is %', current_setting('statement_timeout'); END IF;
    IF current_setting('TimeZone') <> (SELECT reset_val FROM pg_settings WHERE name = 'TimeZone') THEN RAISE EXCEPTION 'TimeZone is %', current_setting('TimeZone'); END IF;
END
$$;
CREATE TABLE widgets_${n} (id int);`,
    down: `DROP TABLE public.widgets_${n};`,
  };
}

const HOSTILE: readonly MigrationSpec[] = [
  { slug: 'set_search_path', up: 'CREATE SCHEMA elsewhere;\nSET search_path = elsewhere;', down: 'DROP SCHEMA elsewhere;' },
  check(1),
  {
    slug: 'reset_all',
    up: "RESET ALL;\nSET TimeZone = 'Pacific/Kiritimati';\nSET lock_timeout = 0;\nSELECT set_config('statement_timeout', '0', false);",
    down: 'SELECT 1;',
  },
  check(2),
  { slug: 'set_role', up: 'CREATE ROLE integrity_lowly NOLOGIN;\nSET ROLE integrity_lowly;', down: 'DROP ROLE integrity_lowly;' },
  check(3),
  { slug: 'discard_all', up: 'DISCARD ALL;\nSELECT pg_advisory_unlock_all();', down: 'SELECT 1;', noTransaction: true },
  check(4),
  { slug: 'unlock_and_sleep', up: 'SELECT pg_advisory_unlock_all();\nSELECT pg_sleep(3);\nCREATE TABLE slept (id int);', down: 'DROP TABLE slept;' },
  check(5),
];

async function recorded(sql: Sql): Promise<{ runs: string[]; sums: string[] }> {
  const runs = (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
  const sums = (await sql<{ name: string }[]>`SELECT name FROM pgmigrations_checksums ORDER BY name`).map((r) => r.name);
  return { runs, sums };
}

t.test('session state does not leak between migrations, and the run lock survives them', async (t) => {
  const db = await startTestServer(t);
  const { dir, names } = migrationFolder(t, HOSTILE);

  t.test('the dry run marks every statement that changes the session for what follows', async (t) => {
    const { url } = await db.freshDatabase();
    const run = spawnSync(process.execPath, [MIGRATE, 'up', '--dry-run', '--dir', dir], { env: childEnv({ DATABASE_URL: url }), encoding: 'utf8' });
    t.equal(run.status, 0, run.stderr);
    const marked = [...run.stdout.matchAll(/^-- changes the session for what follows.*\n(.*)$/gm)].map((m) => m[1]);
    t.same(marked, [
      'SET search_path = elsewhere;',
      'RESET ALL;',
      "SET TimeZone = 'Pacific/Kiritimati';",
      'SET lock_timeout = 0;',
      "SELECT set_config('statement_timeout', '0', false);",
      'SET ROLE integrity_lowly;',
      'DISCARD ALL;',
      'SELECT pg_advisory_unlock_all();',
      'SELECT pg_advisory_unlock_all();',
    ]);
    t.notMatch(run.stdout, /changes the session[^\n]*\nCREATE TABLE widgets/, 'an ordinary statement is not marked');
  });

  t.test('every migration starts from the run session; a concurrent runner is refused while every advisory lock of the migration session is released', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const first = migrateUp({ dir, databaseUrl: url, timeouts });
    // Wait until the migration that released every advisory lock of its session sleeps.
    let sleeping = false;
    for (let i = 0; i < 300 && !sleeping; i++) {
      const rows = await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'skincare-migrate' AND query LIKE 'SELECT pg_sleep(3)%' AND state = 'active'`;
      sleeping = rows.length > 0;
      if (!sleeping) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    t.ok(sleeping, 'the sleeping migration was seen running');
    const holders = await sql<{ application_name: string }[]>`
      SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
      WHERE l.locktype = 'advisory' AND l.granted AND ((l.classid::bigint << 32) | l.objid::bigint) = 7241865325823964`;
    t.same(holders.map((h) => h.application_name), ['skincare-migrate-lock'], "the run's lock is held by its own connection, not the migration session");

    const second = (await migrateUp({ dir, databaseUrl: url, timeouts }).catch((e: unknown) => e)) as MigrationError;
    t.equal(second.code, 'LOCKED', 'a second runner is refused');
    t.match(second.message, /^another migration run holds the advisory lock on this database \(backend pid \d+, skincare-migrate-lock/);
    const cli = spawnSync(process.execPath, [MIGRATE, 'up', '--dir', dir], { env: childEnv({ DATABASE_URL: url }), encoding: 'utf8' });
    t.equal(cli.status, 1, 'a second runner process exits 1');
    t.match(cli.stderr, /^error: another migration run holds the advisory lock/);

    const result = await first;
    t.same(result.migrations.map((m) => m.name), names, 'the first run applied every migration');
    const after = await recorded(sql);
    t.same(after.runs, names, 'each migration recorded once, in order');
    t.same(after.sums, [...names].sort(), 'each checksum recorded once');
    const tables = await sql<{ name: string }[]>`SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_name LIKE 'widgets%' OR table_name = 'slept' ORDER BY 1`;
    t.same(
      tables.map((r) => r.name),
      ['public.slept', 'public.widgets_1', 'public.widgets_2', 'public.widgets_3', 'public.widgets_4', 'public.widgets_5'],
      "SET search_path in one migration did not move the next one's tables",
    );
    const locks = await sql`SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`;
    t.equal(locks.length, 0, 'no advisory lock is left');

    const down = await migrateDown({ dir, databaseUrl: url, timeouts, count: 'all' });
    t.same(down.migrations.map((m) => m.name), [...names].reverse(), 'every down runs from the same session too');
    t.same((await recorded(sql)).runs, []);
  });
});
