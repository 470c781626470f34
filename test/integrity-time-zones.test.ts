// Issue 12, item 7: order by version, time in UTC. node-pg-migrate's run_on is a timestamp without time zone written in
// each session's time zone; runs from sessions in different zones (or across a DST fall-back) stored it out of order,
// and order checks that read it refused `up`, `down` and `redo` with a false "pending". Now order never depends on
// run_on, run_on is stored with a time zone, and an existing column is converted once (values read in the server's
// zone at that moment), with the conversion reported and kept in the column's comment.
import t from 'tap';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { migrateDown, migrateUp, migrationStatus, redoLast } from '../runner/runner.js';
import type { Sql } from '../core/postgres/database-url.js';

const SPECS = ['brands', 'items', 'tags'].map((table) => ({ slug: `create_${table}`, up: `CREATE TABLE ${table} (id int);`, down: `DROP TABLE ${table};` }));

async function runOnUtc(sql: Sql): Promise<string[][]> {
  const rows = await sql<{ name: string; utc: string }[]>`SELECT name, to_char(run_on AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') AS utc FROM pgmigrations ORDER BY name`;
  return rows.map((r) => [r.name, r.utc]);
}

t.test('time zones never lock the history', async (t) => {
  const db = await startTestServer(t);

  t.test('a timestamp-without-time-zone table written from two zones out of order: converted once, up, down and redo by version', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, SPECS);
    await migrateUp({ dir, databaseUrl: url, count: 2 });
    // What node-pg-migrate left: run_on without a time zone, each in its session's zone. The second migration ran
    // 90 minutes after the first, from a session 25 hours behind it (Pago Pago, -11, after Kiritimati, +14).
    await sql.unsafe(`ALTER TABLE pgmigrations ALTER COLUMN run_on TYPE timestamp`);
    await sql`UPDATE pgmigrations SET run_on = '2026-03-01 23:00:00' WHERE name = ${names[0]!}`;
    await sql`UPDATE pgmigrations SET run_on = '2026-02-28 23:30:00' WHERE name = ${names[1]!}`;
    await sql.unsafe(`ALTER DATABASE "${url.split('/').pop()}" SET TimeZone = 'Europe/Paris'`);

    const up = await migrateUp({ dir, databaseUrl: url });
    t.same(up.migrations.map((m) => m.name), [names[2]], 'the pending migration is applied: no false "pending" from run_on order');
    t.match(up.notes, [
      /^converted pgmigrations\.run_on from timestamp without time zone to timestamp with time zone on \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: its 2 values were read in time zone Europe\/Paris/,
    ]);
    const [column] = await sql<{ type: string; comment: string }[]>`
      SELECT format_type(atttypid, atttypmod) AS type, col_description(attrelid, attnum) AS comment FROM pg_attribute
      WHERE attrelid = 'pgmigrations'::regclass AND attname = 'run_on'`;
    t.equal(column?.type, 'timestamp with time zone');
    t.match(column?.comment, /^converted pgmigrations\.run_on .* read in time zone Europe\/Paris/, 'the conversion is kept in the column comment');
    const utc = await runOnUtc(sql);
    t.same(utc.slice(0, 2), [
      [names[0], '2026-03-01 22:00'],
      [names[1], '2026-02-28 22:30'],
    ], 'the old values were read in the server zone (Paris, UTC+1 in March)');

    const again = await migrateUp({ dir, databaseUrl: url });
    t.same(again.notes, undefined, 'converted once');
    const status = await migrationStatus({ dir, databaseUrl: url });
    t.same(status.applied.map((a) => a.name), names, 'status lists by version');
    t.same(status.problems, []);

    const down = await migrateDown({ dir, databaseUrl: url });
    t.same(down.migrations.map((m) => m.name), [names[2]], 'down takes the newest version');
    const redo = await redoLast({ dir, databaseUrl: url });
    t.same([redo.down.migrations.map((m) => m.name), redo.up.migrations.map((m) => m.name)], [[names[1]], [names[1]]], 'redo takes the newest version, whose run_on is the oldest');
    const rest = await migrateDown({ dir, databaseUrl: url, count: 'all' });
    t.same(rest.migrations.map((m) => m.name), [names[1], names[0]]);
  });

  t.test('runs from sessions in different time zones: run_on is an instant, shown in UTC, and order still follows the versions', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const database = url.split('/').pop();
    const { dir, names } = migrationFolder(t, SPECS);
    await sql.unsafe(`ALTER DATABASE "${database}" SET TimeZone = 'Pacific/Kiritimati'`);
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    await sql.unsafe(`ALTER DATABASE "${database}" SET TimeZone = 'Pacific/Pago_Pago'`);
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    await sql.unsafe(`ALTER DATABASE "${database}" SET TimeZone = 'America/New_York'`);
    await migrateUp({ dir, databaseUrl: url });
    const [column] = await sql<{ type: string }[]>`SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = 'pgmigrations'::regclass AND attname = 'run_on'`;
    t.equal(column?.type, 'timestamp with time zone', 'a new table stores run_on with its time zone');
    const status = await migrationStatus({ dir, databaseUrl: url });
    const shown = status.applied.map((a) => a.runOn);
    t.same(status.applied.map((a) => a.name), names);
    t.same([...shown].sort(), shown, `run_on shown in UTC is in the order of the runs (${shown.join(', ')})`);
    const [now] = await sql<{ utc: string; before: string }[]>`
      SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS utc, to_char((now() - interval '1 hour') AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24') AS before`;
    t.ok(shown.every((s) => s.startsWith(now!.utc) || s.startsWith(now!.before)), `shown in UTC (${now!.utc}), not in the zones 11 and 14 hours away`);
    const down = await migrateDown({ dir, databaseUrl: url, count: 'all' });
    t.same(down.migrations.map((m) => m.name), [...names].reverse());
  });
});
