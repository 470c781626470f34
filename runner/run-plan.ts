// A dry run: the SQL a run would send, in order, with its bookkeeping; it reads the database and writes nothing.
import type { Sql } from '../core/postgres/database-url.js';
import { checksumTablesSql } from './checksums.js';
import { bookkeepingStatements, type PlannedStep } from './execute.js';
import type { MigrationPair } from './migration-files.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';
import { createMigrationsTableSql } from './pg-migrate-bridge.js';
import { baselineStatements, changesSession, type SessionBaseline } from './session.js';
import { auditSetupSql, currentOperator, migrationEventSql } from './audit.js';

export interface RunPlan {
  /** The session settings, sent first and again before each migration and its bookkeeping. */
  readonly session: readonly string[];
  /** DDL the first real run would send to create (or convert) the bookkeeping tables (empty when they are right). */
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
  /** For each statement: it changes the session for later statements (SET without LOCAL, RESET, SET ROLE, DISCARD...). */
  readonly changesSession: readonly boolean[];
  /**
   * pgmigrations, checksum and audit bookkeeping, in the same transaction (right after, for a no-transaction
   * migration); the audit event's duration shows as 0 here: a run measures it.
   */
  readonly bookkeeping: readonly string[];
}

/** What a run would send, in order: the steps the run would take, with their bookkeeping. */
export async function planRun(sql: Sql, steps: readonly PlannedStep[], baseline: SessionBaseline, actor: string): Promise<RunPlan> {
  const [present] = await sql.unsafe<{ migrations: boolean; sums: boolean; timestamp: boolean }[]>(
    `SELECT to_regclass('"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"') IS NOT NULL AS migrations,
            to_regclass('"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}_checksums"') IS NOT NULL AS sums,
            EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"') AND attname = 'run_on'
                    AND atttypid = 'timestamp without time zone'::regtype) AS timestamp`,
  );
  const table = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  const setup = [
    ...(present?.migrations ? [] : [`${createMigrationsTableSql(false)};`]),
    ...(present?.timestamp ? [`ALTER TABLE ${table} ALTER COLUMN run_on TYPE timestamptz USING run_on AT TIME ZONE '${baseline.timeZone.replace(/'/g, "''")}';`] : []),
    ...(present?.sums ? [] : checksumTablesSql(MIGRATIONS_SCHEMA).map((statement) => `${statement};`)),
    ...(await auditSetupSql(sql)).map((statement) => `${statement};`),
  ];
  return { session: baselineStatements(baseline), setup, migrations: steps.map(({ pair, direction }) => plannedMigration(pair, direction, actor)) };
}

export function plannedMigration(pair: MigrationPair, direction: 'up' | 'down', actor: string): PlannedMigration {
  const file = direction === 'up' ? pair.up : pair.down;
  return {
    name: pair.name,
    file: file.display,
    direction,
    noTransaction: pair.noTransaction,
    statements: file.statements.map((st) => (st.text.endsWith(';') ? st.text : `${st.text};`)),
    changesSession: file.statements.map((st) => changesSession(st)),
    bookkeeping: [...bookkeepingStatements(pair, direction, actor), migrationEventSql({ scope: {}, operator: currentOperator(actor), url: '' }, pair, direction, 'ok', 0)],
  };
}
