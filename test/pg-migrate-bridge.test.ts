// node-pg-migrate's runner() drives up and down: the bridge recognises every query it sends (its private SQL, pinned
// to node-pg-migrate 9 here, so an upgrade that changes it fails this file rather than a deploy), hands each to the
// driver in the order node-pg-migrate chose, and refuses what it does not expect, unsent.
import t, { type Test } from 'tap';
import { PG_MIGRATE_LOCK_ID } from 'node-pg-migrate';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { loadMigrationFiles, type Statement } from '../runner/migration-files.js';
import { createMigrationsTableSql, driveWithNodePgMigrate, markAsRunSql, type Driver, type PlannedStep } from '../runner/pg-migrate-bridge.js';
import { ADVISORY_LOCK_ID } from '../runner/migrations-table.js';
import { MigrationError } from '../runner/errors.js';
import { migrateUp } from '../runner/runner.js';
import { connect, type Sql } from '../core/postgres/database-url.js';

/** A session of its own (the test's pool has one connection, kept for the checks). */
async function sessionFor(t: Test, url: string): Promise<Sql> {
  const pool = connect(url, { prepare: false, idle_timeout: 0 });
  const session = await pool.reserve();
  t.teardown(async () => {
    session.release();
    await pool.end({ timeout: 1 });
  });
  return session;
}

/** A driver that sends what node-pg-migrate asks for on a real session and writes down each call. */
function recordingDriver(session: Sql, calls: string[]): Driver {
  return {
    async start(step: PlannedStep) {
      calls.push(`start ${step.pair.slug} ${step.direction}`);
    },
    async begin() {
      calls.push('begin');
      await session.unsafe('BEGIN');
    },
    async statement(statement: Statement, ordinal: number) {
      calls.push(`statement ${ordinal}: ${statement.text}`);
      await session.unsafe(statement.text);
    },
    async record(mark: string) {
      calls.push(`record ${mark.slice(0, 6)}`);
      await session.unsafe(mark);
    },
    async commit() {
      calls.push('commit');
      await session.unsafe('COMMIT');
    },
    async read(text: string) {
      calls.push(`read ${text.slice(0, 40)}`);
      return [...(await session.unsafe(text))];
    },
  };
}

t.test("node-pg-migrate's runner() through the bridge", async (t) => {
  const db = await startTestServer(t);

  t.equal(String(PG_MIGRATE_LOCK_ID), ADVISORY_LOCK_ID, "the run's lock uses node-pg-migrate's lock id, so its CLI and ours exclude each other");

  t.test('up then down: the calls node-pg-migrate makes, in its order, and what it records', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id int);\nCREATE INDEX brands_id ON brands (id);', down: 'DROP TABLE brands;' },
      { slug: 'add_flag', up: 'ALTER TABLE brands ADD COLUMN flag boolean;', down: 'ALTER TABLE brands DROP COLUMN flag;', noTransaction: true },
    ]);
    const pairs = await loadMigrationFiles(dir);
    const session = await sessionFor(t, url);
    await session.unsafe(createMigrationsTableSql(true));

    const calls: string[] = [];
    const up = await driveWithNodePgMigrate(
      pairs.map((pair) => ({ pair, direction: 'up' })),
      recordingDriver(session, calls),
    );
    t.same(up.ran, pairs.map((p) => p.name), 'runner() reports both as run');
    t.same(calls, [
      // ensureMigrationsTable finds the table (made before runner() runs) and its primary key; then the applied names.
      'read SELECT table_name FROM information_schem',
      'read SELECT constraint_name FROM information_',
      'read SELECT name FROM "public"."pgmigrations"',
      'start create_brands up',
      'begin',
      'statement 0: CREATE TABLE brands (id int)',
      'statement 1: CREATE INDEX brands_id ON brands (id)',
      'record INSERT',
      'commit',
      'start add_flag up',
      'statement 0: ALTER TABLE brands ADD COLUMN flag boolean',
      'record INSERT',
    ]);
    const recorded = await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`;
    t.same(recorded.map((r) => r.name), pairs.map((p) => p.name), 'recorded by the INSERT node-pg-migrate sent');

    calls.length = 0;
    const down = await driveWithNodePgMigrate(
      [...pairs].reverse().map((pair) => ({ pair, direction: 'down' })),
      recordingDriver(session, calls),
    );
    t.same(down.ran, [...pairs].reverse().map((p) => p.name), 'down runs newest first');
    t.same(calls.filter((c) => c.startsWith('start') || c.startsWith('record')), ['start add_flag down', 'record DELETE', 'start create_brands down', 'record DELETE']);
    t.same(await sql`SELECT name FROM pgmigrations`, [], 'the DELETEs node-pg-migrate sent removed both rows');
  });

  t.test("down takes the newest by version, whatever run_on says (node-pg-migrate's own read orders by run_on)", async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'first', up: 'SELECT 1;', down: 'SELECT 1;' },
      { slug: 'second', up: 'SELECT 2;', down: 'SELECT 2;' },
    ]);
    const pairs = await loadMigrationFiles(dir);
    await sql.unsafe(createMigrationsTableSql(true));
    // The second was recorded from a session far west: its run_on is the older one.
    await sql.unsafe(`INSERT INTO pgmigrations (name, run_on) VALUES ('${names[1]}', now() - interval '1 day'), ('${names[0]}', now())`);
    const session = await sessionFor(t, url);
    const calls: string[] = [];
    const result = await driveWithNodePgMigrate([{ pair: pairs[1]!, direction: 'down' }], recordingDriver(session, calls));
    t.same(result.ran, [names[1]]);
    t.same((await sql<{ name: string }[]>`SELECT name FROM pgmigrations`).map((r) => r.name), [names[0]]);
  });

  t.test('a query node-pg-migrate is not expected to send is refused unsent, and nothing more is sent', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir } = migrationFolder(t, [{ slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' }]);
    const pairs = await loadMigrationFiles(dir);
    // No pgmigrations yet: node-pg-migrate's ensureMigrationsTable would CREATE it with run_on without a time zone.
    const session = await sessionFor(t, url);
    const calls: string[] = [];
    const error = await driveWithNodePgMigrate([{ pair: pairs[0]!, direction: 'up' }], recordingDriver(session, calls)).catch((e: unknown) => e);
    t.type(error, MigrationError);
    t.equal((error as MigrationError).code, 'UNEXPECTED_SQL');
    t.match((error as MigrationError).message, /^node-pg-migrate sent SQL this runner does not expect \(CREATE TABLE "public"\."pgmigrations"/);
    t.notOk(calls.some((c) => c.startsWith('start')), 'no migration started');
    const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
    t.equal(table?.present, false, 'its CREATE TABLE was not sent');
  });

  t.test('the bookkeeping SQL the runner records with is the SQL node-pg-migrate sends', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [{ slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' }]);
    const result = await migrateUp({ dir, databaseUrl: url });
    t.same(result.migrations.map((m) => m.name), names);
    t.equal(markAsRunSql(names[0]!, 'up'), `INSERT INTO "public"."pgmigrations" (name, run_on) VALUES ('${names[0]}', NOW());`);
    const [column] = await sql`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'public.pgmigrations'::regclass AND attname = 'run_on'`;
    t.equal(column?.type, 'timestamp with time zone', 'run_on made with a time zone before runner() ran, and left so');
  });
});
