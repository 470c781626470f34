// detectDrift: the target, read in a READ ONLY transaction, against its recorded migrations replayed in a scratch database.
import t from 'tap';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { detectDrift } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';
import type { Migration } from '../core/migrations/layout.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');
const migrations = await migrationsOf(join(FIXTURES, 'locks'));

/** What node-pg-migrate leaves: each up file run, its name in pgmigrations. */
async function migrate(sql: Sql, applied: readonly Migration[]): Promise<void> {
  await sql.unsafe('CREATE TABLE pgmigrations (id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, run_on TIMESTAMP NOT NULL)');
  for (const migration of applied) {
    await sql.unsafe(migration.up.text);
    await sql`INSERT INTO pgmigrations (name, run_on) VALUES (${migration.name}, now())`;
  }
}

/** A fingerprint of the target's catalog and pgmigrations, to show nothing changed. */
async function fingerprint(sql: Sql): Promise<string> {
  const [row] = await sql<{ md5: string }[]>`
    SELECT md5(
      (SELECT string_agg(c.oid::text || c.relname || c.relkind::text || coalesce(obj_description(c.oid, 'pg_class'), ''), ',' ORDER BY c.oid) FROM pg_class c)
      || (SELECT string_agg(id::text || name || run_on::text, ',' ORDER BY id) FROM pgmigrations)) AS md5`;
  return row!.md5;
}

t.test('schema drift', async (t) => {
  const db = await startTestServer(t);
  const admin = connect(db.server.url);
  t.teardown(() => admin.end({ timeout: 1 }));
  const urlOf = (database: string, user = 'postgres'): string => db.server.url.replace(/\/postgres$/, `/${database}`).replace('postgres://postgres@', `postgres://${user}@`);
  await admin.unsafe('CREATE ROLE drift_reader LOGIN');
  await admin.unsafe('GRANT pg_read_all_data TO drift_reader');
  const scratchLeft = async (): Promise<number> => (await admin`SELECT 1 FROM pg_database WHERE datname LIKE 'verify\\_%'`).length;

  await t.test('a hand-made index and an altered column are reported; pending migrations are not applied; the target is unchanged', async (t) => {
    const { sql } = await db.freshDatabase('drifted');
    await migrate(sql, migrations.slice(0, 3));
    await sql.unsafe('CREATE INDEX products_hand_idx ON products (lower(name))');
    await sql.unsafe(`ALTER TABLE products ALTER COLUMN sku SET DEFAULT 'x'`);
    const before = await fingerprint(sql);
    const report = await detectDrift(migrations, { targetUrl: urlOf('drifted', 'drift_reader'), scratchServerUrl: db.server.url });
    t.same(report.differences, [
      "column products.sku default is 'x' in the target, none in the migrations",
      'index products_hand_idx on products exists in the target but not in the migrations',
    ]);
    // Each at the newest applied migration that names the object; the hand-made index, named by none, at the target.
    t.same(
      report.violations.map((v) => [v.file.split('/').pop(), v.line, v.column, v.rule, v.severity, v.message]),
      [
        ['20260101000200_add_products_sku.up.sql', 2, 1, 'schema-drift', 'error', `The target schema differs from its migrations: ${report.differences[0]}.`],
        ['drifted', 0, 0, 'schema-drift', 'error', `The target schema differs from its migrations: ${report.differences[1]}.`],
      ],
    );
    // What would reconcile them, printed for a DBA and never run.
    t.same(report.reconcile, ['ALTER TABLE products ALTER COLUMN sku DROP DEFAULT;', 'DROP INDEX CONCURRENTLY IF EXISTS products_hand_idx;']);
    t.equal(await fingerprint(sql), before, 'the target database is unchanged');
    t.equal(await scratchLeft(), 0, 'no scratch database is left');
  });

  await t.test('a target migrated by another owner, exactly as the files say, has no drift', async (t) => {
    await admin.unsafe('CREATE ROLE app_owner');
    await admin.unsafe('CREATE DATABASE clean OWNER app_owner');
    const sql = connect(urlOf('clean'));
    t.teardown(() => sql.end({ timeout: 1 }));
    await sql.unsafe('SET ROLE app_owner');
    await migrate(sql, migrations);
    const report = await detectDrift(migrations, { targetUrl: urlOf('clean', 'drift_reader'), scratchServerUrl: db.server.url });
    t.same(report, { violations: [], differences: [], reconcile: [] });
  });

  await t.test('a target without pgmigrations says so and lists everything as extra', async (t) => {
    const { sql } = await db.freshDatabase('unmanaged');
    await sql.unsafe('CREATE TABLE orphans (id INTEGER)');
    const report = await detectDrift(migrations, { targetUrl: urlOf('unmanaged', 'drift_reader'), scratchServerUrl: db.server.url });
    t.same(report.differences, [
      'the target has no pgmigrations table, so no migration counts as applied there',
      'table orphans exists in the target but not in the migrations',
    ]);
  });

  await t.test('a recorded migration without a file is reported', async (t) => {
    const { sql } = await db.freshDatabase('ahead');
    await migrate(sql, migrations.slice(0, 1));
    await sql`INSERT INTO pgmigrations (name, run_on) VALUES ('20991231000000_from_the_future', now())`;
    const report = await detectDrift(migrations, { targetUrl: urlOf('ahead', 'drift_reader'), scratchServerUrl: db.server.url });
    t.same(report.differences, ['migration 20991231000000_from_the_future is recorded in the target but has no file']);
  });

  await t.test('an unreachable target gives a one-line error without the password', async (t) => {
    const url = `postgres://someone:hunter2-secret@127.0.0.1:1/nowhere`;
    const error = (await detectDrift(migrations, { targetUrl: url, scratchServerUrl: db.server.url }).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    t.match(error.message, /^cannot connect to 127\.0\.0\.1:1\/nowhere: /);
    t.notMatch(error.message, /hunter2/);
    t.notMatch(error.message, /\n/);
  });
});
