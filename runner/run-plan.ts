// A dry run: the SQL a run would send, in order, with its bookkeeping; it reads the database and writes nothing.
import type { Sql } from '../core/postgres/database-url.js';
import { checksumTablesSql, forgetChecksumSql, pairChecksum, recordChecksumSql } from './checksums.js';
import { timeoutStatements, type SessionTimeouts } from './runtime-safety.js';
import type { MigrationPair } from './migration-files.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';

export interface RunPlan {
  /** The session settings, sent first. */
  readonly session: readonly string[];
  /** DDL the first real run would send to create the bookkeeping tables (empty when they exist). */
  readonly setup: readonly string[];
  readonly migrations: readonly PlannedMigration[];
}

export interface PlannedMigration {
  readonly name: string;
  readonly file: string;
  readonly direction: 'up' | 'down';
  /** Runs statement by statement outside a transaction (-- migrate:no-transaction). */
  readonly noTransaction: boolean;
  /** The statements as they are sent, each ending with a semicolon. */
  readonly statements: readonly string[];
  /** pgmigrations and checksum bookkeeping, in the same transaction (right after, for a no-transaction migration). */
  readonly bookkeeping: readonly string[];
}

/** What a run would send, in order: the migrations node-pg-migrate would pick (same rules), with their bookkeeping. */
export async function planRun(
  sql: Sql,
  pairs: readonly MigrationPair[],
  applied: readonly { name: string }[],
  direction: 'up' | 'down',
  count: number,
  only: string | undefined,
  timeouts: SessionTimeouts,
  actor: string,
): Promise<RunPlan> {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const chosen =
    direction === 'up'
      ? pairs.filter((p) => !appliedNames.has(p.name) && (!only || p.name === only)).slice(0, count)
      : applied
          .slice(Math.max(0, applied.length - (Number.isFinite(count) ? count : applied.length)))
          .reverse()
          .map((a) => byName.get(a.name))
          .filter((p): p is MigrationPair => p !== undefined);
  const [present] = await sql.unsafe<{ migrations: boolean; sums: boolean }[]>(
    `SELECT to_regclass('"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"') IS NOT NULL AS migrations, to_regclass('"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}_checksums"') IS NOT NULL AS sums`,
  );
  const setup = [
    ...(present?.migrations ? [] : [`CREATE TABLE "${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}" (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamp NOT NULL);`]),
    ...(present?.sums ? [] : checksumTablesSql(MIGRATIONS_SCHEMA).map((statement) => `${statement};`)),
  ];
  return { session: timeoutStatements(timeouts), setup, migrations: chosen.map((pair) => plannedMigration(pair, direction, actor)) };
}

export function plannedMigration(pair: MigrationPair, direction: 'up' | 'down', actor: string): PlannedMigration {
  const file = direction === 'up' ? pair.up : pair.down;
  const table = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  return {
    name: pair.name,
    file: file.display,
    direction,
    noTransaction: pair.noTransaction,
    statements: file.statements.map((st) => (st.text.endsWith(';') ? st.text : `${st.text};`)),
    bookkeeping:
      direction === 'up'
        ? [`INSERT INTO ${table} (name, run_on) VALUES ('${pair.name}', NOW());`, recordChecksumSql(MIGRATIONS_SCHEMA, pair.name, pairChecksum(pair), actor)]
        : [`DELETE FROM ${table} WHERE name='${pair.name}';`, forgetChecksumSql(MIGRATIONS_SCHEMA, pair.name)],
  };
}
