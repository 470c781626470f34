// The runner against a real PostgreSQL: transactions, no-transaction migrations, located SQL errors, status, rollback.
import t from 'tap';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { catalogSnapshot, userTables } from './helpers/catalog.js';
import { migrateDown, migrateUp, migrationStatus, redoLast } from '../runner/runner.js';
import { MigrationError, MigrationFilesError, SqlError } from '../runner/errors.js';
import type { Sql } from '../core/postgres/database-url.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'runner');
const dir = (name: string) => join(fixtures, name);

async function appliedNames(sql: Sql): Promise<string[] | null> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return null;
  return (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
}

t.test('runner', async (t) => {
  const db = await startTestServer(t);

  t.test('up applies all, status lists applied then pending, down all empties', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const options = { dir: dir('basic'), databaseUrl: url };
    const empty = await catalogSnapshot(sql);

    const first = await migrateUp({ ...options, count: 2 });
    t.same(first.migrations.map((m) => m.name), ['20260101000000_create_brands', '20260101000100_create_items']);
    t.match(first.migrations[0]?.file, /basic\/20260101000000_create_brands\.up\.sql$/);

    const status = await migrationStatus(options);
    t.same(status.applied.map((a) => a.name), ['20260101000000_create_brands', '20260101000100_create_items']);
    t.match(status.applied[0]?.runOn, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    t.same(status.pending.map((p) => [p.name, p.outOfOrder]), [['20260101000200_add_items_label', false]]);

    const rest = await migrateUp(options);
    t.same(rest.migrations.map((m) => m.name), ['20260101000200_add_items_label']);
    t.same((await migrateUp(options)).migrations, [], 'nothing left to apply');
    t.same(await userTables(sql), ['brands', 'items']);
    const full = await catalogSnapshot(sql);

    const redo = await redoLast(options);
    t.same([redo.down.migrations[0]?.name, redo.up.migrations[0]?.name], ['20260101000200_add_items_label', '20260101000200_add_items_label']);
    t.same(await catalogSnapshot(sql), full, 'redo leaves the same schema');

    const down = await migrateDown({ ...options, count: 'all' });
    t.same(down.migrations.map((m) => m.name), [
      '20260101000200_add_items_label',
      '20260101000100_create_items',
      '20260101000000_create_brands',
    ]);
    t.same(await appliedNames(sql), []);
    t.same(await catalogSnapshot(sql), empty, 'rollback STEPS=all leaves an empty schema');
    t.same((await migrateDown(options)).migrations, [], 'nothing left to roll back');
    const status2 = await migrationStatus(options);
    t.same([status2.applied.length, status2.pending.length], [0, 3]);
  });

  t.test('a failing second statement leaves schema and pgmigrations untouched and names file:line:column', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: dir('failing-statement'), databaseUrl: url, count: 1 });
    const before = await catalogSnapshot(sql);
    const error = await migrateUp({ dir: dir('failing-statement'), databaseUrl: url }).catch((e: unknown) => e);
    t.type(error, SqlError);
    const sqlError = error as SqlError;
    t.equal(sqlError.code, 'SQL_ERROR');
    t.match(sqlError.message, /^test\/fixtures\/runner\/failing-statement\/20260101000100_broken_items\.up\.sql:7:16: column "brand_id" does not exist$/);
    t.equal(sqlError.sqlState, '42703');
    t.same(await catalogSnapshot(sql), before, 'the first statement (CREATE TABLE items) was rolled back');
    t.same(await appliedNames(sql), ['20260101000000_create_brands']);
  });

  t.test('each migration runs in its own transaction: a failure keeps the earlier ones of the run, and nothing of itself', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const error = await migrateUp({ dir: dir('failing-statement'), databaseUrl: url }).catch((e: unknown) => e);
    t.type(error, SqlError);
    t.same(await userTables(sql), ['brands']);
    t.same(await appliedNames(sql), ['20260101000000_create_brands']);
  });

  t.test('a syntax error is refused before anything runs, at the parser\'s line and column', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const error = (await migrateUp({ dir: dir('syntax-error'), databaseUrl: url }).catch((e: unknown) => e)) as MigrationFilesError;
    t.type(error, MigrationFilesError);
    t.same(error.problems.map((p) => p.code), ['SYNTAX_ERROR']);
    t.match(error.message, /20260101000000_syntax_error\.up\.sql:5:31: syntax error at or near "NUL"; /);
    t.same(await userTables(sql), []);
  });

  t.test('an error without a position names the statement that raised it', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const error = (await migrateUp({ dir: dir('runtime-error'), databaseUrl: url }).catch((e: unknown) => e)) as SqlError;
    t.match(error.message, /20260101000000_runtime_error\.up\.sql:4:3: division by zero$/);
    t.same(await userTables(sql), []);
    t.same(await appliedNames(sql), []);
  });

  t.test('-- migrate:no-transaction runs each statement outside a transaction', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const result = await migrateUp({ dir: dir('no-transaction'), databaseUrl: url });
    t.equal(result.migrations.length, 2, 'CREATE INDEX CONCURRENTLY succeeded');
    const [index] = await sql`SELECT indisvalid FROM pg_index WHERE indexrelid = 'idx_items_label'::regclass`;
    t.equal(index?.indisvalid, true);
    const evidence = await sql`SELECT xid FROM tx_evidence WHERE migration = 'no-transaction'`;
    t.same(evidence.map((r) => r.xid), [null, null], 'no transaction id was assigned before each statement ran');
    await migrateDown({ dir: dir('no-transaction'), databaseUrl: url });
    const [gone] = await sql`SELECT to_regclass('idx_items_label') AS index`;
    t.equal(gone?.index, null, 'DROP INDEX CONCURRENTLY ran in the down');
  });

  t.test('without the directive a migration runs in a transaction', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: dir('in-transaction'), databaseUrl: url });
    const [row] = await sql`SELECT xid FROM tx_evidence WHERE migration = 'in-transaction'`;
    t.not(row?.xid, null, 'the CREATE TABLE before it had assigned a transaction id');
  });

  t.test('a failing no-transaction migration says what stays applied', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const error = (await migrateUp({ dir: dir('no-transaction-failure'), databaseUrl: url }).catch((e: unknown) => e)) as SqlError;
    t.match(error.message, /index_items_twice\.up\.sql:3:1: column "missing" does not exist \(this migration runs without a transaction: the statements before this one stay applied/);
    t.same(await appliedNames(sql), ['20260101000000_create_items'], 'the migration is not recorded; the one before it was committed');
  });

  t.test('bad files: nothing is applied and nothing is even created', async (t) => {
    const { url, sql } = await db.freshDatabase();
    for (const folder of ['down-without-up', 'up-without-down', 'upper-case-extension', 'bad-name', 'duplicate-version', 'empty-up']) {
      const error = await migrateUp({ dir: dir(folder), databaseUrl: url }).catch((e: unknown) => e);
      t.type(error, MigrationFilesError, folder);
      t.equal((error as MigrationError).exitCode, 2, `${folder}: exit code 2`);
    }
    t.equal(await appliedNames(sql), null, 'pgmigrations was never created');
    t.same(await userTables(sql), []);
  });

  t.test('a pending migration older than an applied one is refused before anything runs', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const work = mkdtempSync(join(tmpdir(), 'runner-order-'));
    t.teardown(() => rmSync(work, { recursive: true, force: true }));
    cpSync(dir('basic'), work, { recursive: true });
    rmSync(join(work, '20260101000100_create_items.up.sql'));
    rmSync(join(work, '20260101000100_create_items.down.sql'));
    rmSync(join(work, '20260101000200_add_items_label.up.sql'));
    rmSync(join(work, '20260101000200_add_items_label.down.sql'));
    cpSync(join(dir('no-transaction'), '20260101000000_create_items.up.sql'), join(work, '20260101000200_create_items.up.sql'));
    cpSync(join(dir('no-transaction'), '20260101000000_create_items.down.sql'), join(work, '20260101000200_create_items.down.sql'));
    await migrateUp({ dir: work, databaseUrl: url });
    cpSync(join(dir('basic'), '20260101000100_create_items.up.sql'), join(work, '20260101000100_index_brands.up.sql'));
    cpSync(join(dir('basic'), '20260101000100_create_items.down.sql'), join(work, '20260101000100_index_brands.down.sql'));
    const status = await migrationStatus({ dir: work, databaseUrl: url });
    t.same(status.pending.map((p) => [p.name, p.outOfOrder]), [['20260101000100_index_brands', true]]);
    const error = (await migrateUp({ dir: work, databaseUrl: url }).catch((e: unknown) => e)) as MigrationError;
    t.equal(error.code, 'ORDER_MISMATCH');
    t.match(error.message, /20260101000100_index_brands\.up\.sql is pending but older than the applied 20260101000200_create_items/);

    rmSync(join(work, '20260101000200_create_items.up.sql'));
    rmSync(join(work, '20260101000200_create_items.down.sql'));
    const missing = (await migrateDown({ dir: work, databaseUrl: url }).catch((e: unknown) => e)) as MigrationError;
    t.equal(missing.code, 'MISSING_FILES');
    t.match(missing.message, /^20260101000200_create_items is recorded in pgmigrations but its files are missing/);
    const status2 = await migrationStatus({ dir: work, databaseUrl: url });
    t.same(status2.applied.map((a) => [a.name, a.hasFiles]), [
      ['20260101000000_create_brands', true],
      ['20260101000200_create_items', false],
    ]);
    t.same(await appliedNames(sql), ['20260101000000_create_brands', '20260101000200_create_items']);
  });

  t.test('another run holding the advisory lock is reported, not waited on forever', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const [holder] = await sql<{ pid: number }[]>`SELECT pg_advisory_lock(7241865325823964), pg_backend_pid() AS pid`;
    const error = (await migrateUp({ dir: dir('basic'), databaseUrl: url }).catch((e: unknown) => e)) as MigrationError;
    await sql`SELECT pg_advisory_unlock(7241865325823964)`;
    t.equal(error.code, 'LOCKED');
    t.match(error.message, `backend pid ${holder!.pid}`, 'names the backend holding the lock');
    t.match(error.message, `pg_terminate_backend(${holder!.pid})`, 'and how to end it once that run is known to be dead');
    t.same(await userTables(sql), []);
  });

  t.test('connection failures are one line without the password', async (t) => {
    const secret = 'pa55-w0rd!secret';
    const unreachable = `postgres://postgres:${encodeURIComponent(secret)}@127.0.0.1:1/postgres`;
    const error = (await migrateUp({ dir: dir('basic'), databaseUrl: unreachable }).catch((e: unknown) => e)) as MigrationError;
    t.equal(error.code, 'CONNECTION_FAILED');
    t.match(error.message, /^cannot connect to 127\.0\.0\.1:1\/postgres: /);
    t.notMatch(error.message, /pa55/);
    const wrongDb = db.server.url.replace(/\/postgres$/, '/no_such_db').replace('postgres@', `postgres:${secret}@`);
    const error2 = (await migrationStatus({ dir: dir('basic'), databaseUrl: wrongDb }).catch((e: unknown) => e)) as MigrationError;
    t.equal(error2.code, 'CONNECTION_FAILED');
    t.match(error2.message, /no_such_db.*does not exist/);
    t.notMatch(error2.message, /pa55/);
  });

  t.test('a down marked -- verify:irreversible applies up, and rolling it back is refused with its reason', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await migrateUp({ dir: dir('irreversible'), databaseUrl: url });
    const error = (await migrateDown({ dir: dir('irreversible'), databaseUrl: url, count: 'all' }).catch((e: unknown) => e)) as MigrationError;
    t.type(error, MigrationError);
    t.equal(error.code, 'IRREVERSIBLE');
    t.match(error.message, /20260101000100_add_mood_glowing\.down\.sql: 0 steps can be rolled back: the last applied migration, 20260101000100_add_mood_glowing, is irreversible: Postgres cannot drop an enum value; restore the backup instead; nothing was rolled back/);
    t.same(await appliedNames(sql), ['20260101000000_create_type_mood', '20260101000100_add_mood_glowing'], 'nothing was rolled back');
  });

  t.test('a statement the server lexes differently from the parser cannot smuggle a second command', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await sql.unsafe('CREATE TABLE victim (id int)');
    // Set behind the runner's back (another session, or a role's default): the server now reads 'a\' as an open string.
    await sql.unsafe(`ALTER DATABASE "${url.split('/').pop()}" SET standard_conforming_strings = off`);
    const folder = mkdtempSync(join(tmpdir(), 'runner-smuggle-'));
    t.teardown(() => rmSync(folder, { recursive: true, force: true }));
    writeFileSync(join(folder, '20260101000000_smuggle.up.sql'), "CREATE TABLE t (id int);\nSELECT 'a\\' AS p, '; COMMIT; DROP TABLE victim; --';\n");
    writeFileSync(join(folder, '20260101000000_smuggle.down.sql'), 'DROP TABLE t;\n');
    const error = (await migrateUp({ dir: folder, databaseUrl: url }).catch((e: unknown) => e)) as SqlError;
    t.type(error, SqlError, 'the server refuses a second command in one extended-protocol message');
    t.match(error.message, /20260101000000_smuggle\.up\.sql:2:1: /);
    t.same(await userTables(sql), ['victim'], 'victim is still there and t was rolled back');
    t.same(await appliedNames(sql), [], 'nothing recorded');
  });
});
