// The incremental snapshot (only changed units and their dependents read again) must equal a full snapshot after
// every kind of change, including renames whose new names show up in other objects' definitions.
import t from 'tap';
import { startTestServer } from './helpers/server.js';
import { SnapshotReader, takeSnapshot, type Snapshot } from '../verify/execute/snapshot.js';
import { describeDifference, diffSnapshots, RESTORE_WORDING } from '../verify/execute/snapshot-diff.js';

const STEPS: readonly string[] = [
  `CREATE TABLE a (id INTEGER PRIMARY KEY, name TEXT NOT NULL, qty INTEGER DEFAULT 0)`,
  `CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id))`,
  `CREATE VIEW v AS SELECT a.id, a.name FROM a JOIN b ON b.a_id = a.id`,
  `CREATE INDEX a_lower_name_idx ON a (lower(name))`,
  `CREATE TYPE mood AS ENUM ('happy')`,
  `ALTER TABLE b ADD COLUMN feeling mood`,
  `CREATE FUNCTION stamp() RETURNS TRIGGER LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
  `CREATE TRIGGER b_stamp BEFORE UPDATE ON b FOR EACH ROW EXECUTE FUNCTION stamp()`,
  `CREATE FUNCTION twice(x INTEGER) RETURNS INTEGER LANGUAGE sql IMMUTABLE RETURN x * 2`,
  `ALTER TABLE a ALTER COLUMN qty SET DEFAULT twice(1)`,
  `COMMENT ON TABLE a IS 'A.'`,
  `COMMENT ON COLUMN b.a_id IS 'Points at a.'`,
  `ALTER TABLE a RENAME TO a2`,
  `ALTER TABLE a2 RENAME COLUMN name TO title`,
  `ALTER TYPE mood RENAME TO feeling`,
  `ALTER TYPE feeling ADD VALUE 'sad'`,
  `ALTER FUNCTION stamp() RENAME TO stamp2`,
  `ALTER FUNCTION twice(INTEGER) RENAME TO double`,
  `REVOKE EXECUTE ON FUNCTION double(INTEGER) FROM PUBLIC`,
  `GRANT EXECUTE ON FUNCTION double(INTEGER) TO PUBLIC`,
  `COMMENT ON TABLE a2 IS NULL`,
  `COMMENT ON COLUMN b.a_id IS NULL`,
  `DROP TRIGGER b_stamp ON b`,
  `ALTER TABLE a2 ENABLE ROW LEVEL SECURITY`,
  `CREATE POLICY p ON a2 USING (true)`,
  `DROP POLICY p ON a2`,
  `DROP INDEX a_lower_name_idx`,
  `CREATE SEQUENCE s`,
  `ALTER SEQUENCE s OWNED BY b.id`,
  `ALTER SEQUENCE s OWNED BY NONE`,
  `GRANT SELECT ON a2 TO snapshot_reader`,
  `REVOKE SELECT ON a2 FROM snapshot_reader`,
  `CREATE SCHEMA extra`,
  `CREATE TABLE extra.c (id INTEGER)`,
  `ALTER SCHEMA extra RENAME TO extra2`,
  `CREATE DOMAIN positive AS INTEGER CONSTRAINT positive_check CHECK (VALUE > 0)`,
  `ALTER DOMAIN positive RENAME CONSTRAINT positive_check TO positive_only`,
  `DROP VIEW v`,
  `ALTER TABLE b ALTER COLUMN a_id TYPE BIGINT`,
  `ALTER TABLE b DROP CONSTRAINT b_a_id_fkey`,
  `DROP TABLE a2 CASCADE`,
];

function differences(expected: Snapshot, actual: Snapshot): string[] {
  return diffSnapshots(expected, actual).map((d) => describeDifference(d, RESTORE_WORDING));
}

t.test('incremental snapshots equal full ones after each change', async (t) => {
  const db = await startTestServer(t);
  const { sql } = await db.freshDatabase();
  const [{ version } = { version: 0 }] = await sql<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
  await sql.unsafe('CREATE ROLE snapshot_reader');
  const reader = new SnapshotReader(sql, version);
  t.same(differences(await takeSnapshot(sql, version), await reader.take()), [], 'empty database');
  let previous = await reader.take();
  for (const step of STEPS) {
    await sql.unsafe(step);
    const incremental = await reader.take();
    t.same(differences(await takeSnapshot(sql, version), incremental), [], step);
    t.not(differences(previous, incremental).length, 0, `${step} shows as a difference`);
    previous = incremental;
  }
});

t.test('privileges granted and revoked back read as never granted', async (t) => {
  const db = await startTestServer(t);
  const { sql } = await db.freshDatabase();
  const [{ version } = { version: 0 }] = await sql<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
  await sql.unsafe('CREATE ROLE round_trip_reader');
  await sql.unsafe('CREATE TABLE t (id INTEGER)');
  await sql.unsafe('CREATE FUNCTION f() RETURNS INTEGER LANGUAGE sql RETURN 1');
  const before = await takeSnapshot(sql, version);
  await sql.unsafe('GRANT SELECT ON t TO round_trip_reader');
  await sql.unsafe('REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC');
  t.same(differences(before, await takeSnapshot(sql, version)), [
    'table t privilege round_trip_reader SELECT still exists',
    'function f() revoked default privilege PUBLIC EXECUTE still exists',
  ]);
  await sql.unsafe('REVOKE SELECT ON t FROM round_trip_reader');
  await sql.unsafe('GRANT EXECUTE ON FUNCTION f() TO PUBLIC');
  const [acl] = await sql<{ relacl: string | null }[]>`SELECT relacl::text FROM pg_class WHERE relname = 't'`;
  t.not(acl?.relacl, null, 'the ACL is no longer NULL');
  t.same(differences(before, await takeSnapshot(sql, version)), []);
});
