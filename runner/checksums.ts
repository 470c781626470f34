// The checksums of applied migrations, kept in the database beside pgmigrations: the normalized sha256 of the up and
// down file each migration was applied with (the same hash as sql/migrations.sum), when and by whom; and a log of
// every checksum accepted later (make accept-checksum) or recorded for a migration applied before checksums were kept.
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { migrationChecksum } from '../core/migrations/manifest.js';
import type { Sql } from '../core/postgres/database-url.js';
import type { MigrationPair } from './migration-files.js';

export const CHECKSUMS_TABLE = 'pgmigrations_checksums';
export const CHECKSUM_LOG_TABLE = 'pgmigrations_checksum_log';

export interface PairChecksum {
  readonly up: string;
  readonly down: string;
}

export interface RecordedChecksum extends PairChecksum {
  readonly name: string;
  /** 'YYYY-MM-DD HH:MM:SS' in the server's time zone. */
  readonly appliedAt: string;
  readonly appliedBy: string;
}

export function pairChecksum(pair: MigrationPair): PairChecksum {
  return { up: migrationChecksum(pair.up.bytes), down: migrationChecksum(pair.down.bytes) };
}

/** A SQL string literal (standard_conforming_strings is on since PostgreSQL 9.1). */
export function quoteLiteral(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

function table(schema: string, name: string): string {
  return `"${schema}"."${name}"`;
}

/** The DDL of both tables; idempotent. */
export function checksumTablesSql(schema: string): string[] {
  const sums = table(schema, CHECKSUMS_TABLE);
  const log = table(schema, CHECKSUM_LOG_TABLE);
  return [
    `CREATE TABLE IF NOT EXISTS ${sums} (
    name varchar(255) PRIMARY KEY,
    up_sha256 text NOT NULL,
    down_sha256 text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL,
    db_role text NOT NULL DEFAULT current_user
)`,
    `COMMENT ON TABLE ${sums} IS 'The normalized sha256 of the up and down file each applied migration ran with (see sql/migrations.sum); written by the migration runner, never by hand'`,
    `CREATE TABLE IF NOT EXISTS ${log} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(255) NOT NULL,
    event text NOT NULL CHECK (event IN ('accepted', 'baseline')),
    old_up_sha256 text,
    old_down_sha256 text,
    new_up_sha256 text NOT NULL,
    new_down_sha256 text NOT NULL,
    actor text NOT NULL,
    db_role text NOT NULL DEFAULT current_user,
    logged_at timestamptz NOT NULL DEFAULT now()
)`,
    `COMMENT ON TABLE ${log} IS 'Checksums of applied migrations accepted after an edit (make accept-checksum) or recorded for migrations applied before checksums were kept'`,
  ];
}

/** Create the tables when missing (the caller holds the migration advisory lock). */
export async function ensureChecksumTables(sql: Sql, schema: string): Promise<void> {
  const [present] = await sql.unsafe<{ sums: boolean; log: boolean }[]>(
    `SELECT to_regclass(${quoteLiteral(table(schema, CHECKSUMS_TABLE))}) IS NOT NULL AS sums, to_regclass(${quoteLiteral(table(schema, CHECKSUM_LOG_TABLE))}) IS NOT NULL AS log`,
  );
  if (present?.sums && present.log) return;
  for (const statement of checksumTablesSql(schema)) await sql.unsafe(statement);
}

/** The recorded checksums by migration name; empty when the table does not exist yet. Read-only. */
export async function readChecksums(sql: Sql, schema: string): Promise<ReadonlyMap<string, RecordedChecksum>> {
  const [present] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass(${quoteLiteral(table(schema, CHECKSUMS_TABLE))}) IS NOT NULL AS present`);
  if (!present?.present) return new Map();
  const rows = await sql.unsafe<{ name: string; up_sha256: string; down_sha256: string; applied_at: string; applied_by: string }[]>(
    `SELECT name, up_sha256, down_sha256, to_char(applied_at, 'YYYY-MM-DD HH24:MI:SS') AS applied_at, applied_by FROM ${table(schema, CHECKSUMS_TABLE)}`,
  );
  return new Map(rows.map((r) => [r.name, { name: r.name, up: r.up_sha256, down: r.down_sha256, appliedAt: r.applied_at, appliedBy: r.applied_by }]));
}

/** Record (or replace) the checksums of a migration that was just applied. */
export function recordChecksumSql(schema: string, name: string, sums: PairChecksum, actor: string): string {
  return (
    `INSERT INTO ${table(schema, CHECKSUMS_TABLE)} (name, up_sha256, down_sha256, applied_by) ` +
    `VALUES (${quoteLiteral(name)}, ${quoteLiteral(sums.up)}, ${quoteLiteral(sums.down)}, ${quoteLiteral(actor)}) ` +
    `ON CONFLICT (name) DO UPDATE SET up_sha256 = EXCLUDED.up_sha256, down_sha256 = EXCLUDED.down_sha256, applied_at = now(), applied_by = EXCLUDED.applied_by, db_role = current_user;`
  );
}

/** Forget the checksums of a migration that was just rolled back. */
export function forgetChecksumSql(schema: string, name: string): string {
  return `DELETE FROM ${table(schema, CHECKSUMS_TABLE)} WHERE name = ${quoteLiteral(name)};`;
}

/**
 * Record the current checksums of applied migrations that have none (applied before checksums were kept), with
 * pgmigrations.run_on as applied_at, and log each as a baseline. Returns their names.
 */
export async function recordBaseline(
  sql: Sql,
  schema: string,
  migrationsTable: string,
  pairs: readonly { readonly name: string; readonly sums: PairChecksum }[],
  actor: string,
): Promise<string[]> {
  const done: string[] = [];
  for (const { name, sums } of pairs) {
    await sql.unsafe(
      `WITH recorded AS (
    INSERT INTO ${table(schema, CHECKSUMS_TABLE)} (name, up_sha256, down_sha256, applied_at, applied_by)
    SELECT ${quoteLiteral(name)}, ${quoteLiteral(sums.up)}, ${quoteLiteral(sums.down)}, coalesce(max(run_on), now()), ${quoteLiteral(`${actor} (baseline)`)}
    FROM ${table(schema, migrationsTable)} WHERE name = ${quoteLiteral(name)}
    ON CONFLICT (name) DO NOTHING
    RETURNING name
)
INSERT INTO ${table(schema, CHECKSUM_LOG_TABLE)} (name, event, new_up_sha256, new_down_sha256, actor)
SELECT name, 'baseline', ${quoteLiteral(sums.up)}, ${quoteLiteral(sums.down)}, ${quoteLiteral(actor)} FROM recorded`,
    );
    done.push(name);
  }
  return done;
}

export interface AcceptedChecksum {
  readonly name: string;
  readonly old: PairChecksum | undefined;
  readonly new: PairChecksum;
  readonly actor: string;
  /** 'YYYY-MM-DD HH:MM:SS+00' (UTC). */
  readonly at: string;
}

/** Replace a migration's recorded checksums by those of its files now, and log it (and run `also`: its audit event); one transaction. */
export async function acceptChecksum(
  sql: Sql,
  schema: string,
  name: string,
  old: PairChecksum | undefined,
  sums: PairChecksum,
  actor: string,
  also: readonly string[] = [],
): Promise<AcceptedChecksum> {
  await sql.unsafe('BEGIN');
  try {
    await sql.unsafe(
      `INSERT INTO ${table(schema, CHECKSUMS_TABLE)} (name, up_sha256, down_sha256, applied_by) ` +
        `VALUES (${quoteLiteral(name)}, ${quoteLiteral(sums.up)}, ${quoteLiteral(sums.down)}, ${quoteLiteral(actor)}) ` +
        `ON CONFLICT (name) DO UPDATE SET up_sha256 = EXCLUDED.up_sha256, down_sha256 = EXCLUDED.down_sha256`,
    );
    const [logged] = await sql.unsafe<{ at: string }[]>(
      `INSERT INTO ${table(schema, CHECKSUM_LOG_TABLE)} (name, event, old_up_sha256, old_down_sha256, new_up_sha256, new_down_sha256, actor) ` +
        `VALUES (${quoteLiteral(name)}, 'accepted', ${old ? quoteLiteral(old.up) : 'NULL'}, ${old ? quoteLiteral(old.down) : 'NULL'}, ${quoteLiteral(sums.up)}, ${quoteLiteral(sums.down)}, ${quoteLiteral(actor)}) ` +
        `RETURNING to_char(logged_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS at`,
    );
    for (const statement of also) await sql.unsafe(statement);
    await sql.unsafe('COMMIT');
    return { name, old, new: sums, actor, at: logged?.at ?? '' };
  } catch (error) {
    await sql.unsafe('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Who runs this: $USER, with git's user.name when it is set and differs ("alice (git: Alice Doe)"). */
export function operatorName(): string {
  let user = process.env.USER ?? process.env.LOGNAME ?? '';
  if (!user) {
    try {
      user = userInfo().username;
    } catch {
      user = '';
    }
  }
  const git = spawnSync('git', ['config', 'user.name'], { encoding: 'utf8', timeout: 2000 });
  const gitName = git.status === 0 ? git.stdout.trim() : '';
  if (gitName && user && gitName !== user) return `${user} (git: ${gitName})`;
  return gitName || user || 'unknown';
}
