// The audit trail: an append-only history of every event of the runner in the database it changes, beside
// node-pg-migrate's bookkeeping (pgmigrations, pgmigrations_checksums). pgmigrations says what is applied now; the
// audit trail says what happened: each apply, rollback (also within a redo or a deploy), accept-checksum, baseline,
// deploy start and end, and each failed migration with its error, with who (operator, OS user, client host, database
// role, application_name, client address), when, how long, the files' checksums and the outcome.
// - Append-only: a statement trigger refuses UPDATE, DELETE and TRUNCATE; rollbacks add an event, never delete one.
// - A successful migration's event is written in the migration's own transaction (with pgmigrations and the
//   checksums): it exists exactly when the migration committed. A failure's event is written after the migration's
//   transaction was rolled back, on the migration session (reset to the run's baseline) or, when that is lost, on
//   the run's lock connection.
// - Migrations cannot write to it: its name starts with pgmigrations, which the runner refuses in a migration.
// - A database migrated by a runner that keeps no audit trail (an older version of this one, node-pg-migrate's CLI)
//   is reconciled at the next run: what pgmigrations holds and the trail does not is recorded as 'unaudited'.
// Functions return data or SQL; scripts print.
import { hostname, userInfo } from 'node:os';
import { connect, connectionErrorMessage, scrubSecrets, type Sql } from '../core/postgres/database-url.js';
import { MigrationError } from './errors.js';
import { CHECKSUMS_TABLE, pairChecksum, quoteLiteral, type PairChecksum } from './checksums.js';
import type { MigrationPair } from './migration-files.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';

export const AUDIT_TABLE = 'pgmigrations_audit';
const TABLE = `"${MIGRATIONS_SCHEMA}"."${AUDIT_TABLE}"`;
const GUARD = `"${MIGRATIONS_SCHEMA}"."${AUDIT_TABLE}_append_only"`;
const GUARD_TRIGGER = `${AUDIT_TABLE}_append_only`;
/** Serializes the creation of the table between runs that do not hold the run's lock (a deploy's first entry). */
const CREATE_LOCK_ID = '7241865325823966';

export type AuditEventKind = 'apply' | 'rollback' | 'accept-checksum' | 'baseline' | 'deploy-start' | 'deploy-end';
/** What the operator ran. */
export type AuditCommand = 'migrate' | 'rollback' | 'redo' | 'deploy' | 'accept-checksum' | 'baseline';
/** 'unaudited': found in pgmigrations without an event (applied before the trail was kept, or by another tool). */
export type AuditOutcome = 'ok' | 'failed' | 'started' | 'unaudited';

/** Who runs the runner, as the client knows it; the database adds role, session user, application_name, address. */
export interface Operator {
  /** $USER, with git's user.name when it differs (the same as the checksums' applied_by). */
  readonly actor: string;
  readonly osUser: string;
  readonly clientHost: string;
}

/** The command a run belongs to, and the deploy entry it is part of; RunnerOptions.audit. */
export interface AuditScope {
  readonly command?: AuditCommand;
  /** The id of the deploy's deploy-start entry. */
  readonly deployId?: string;
}

export interface AuditEvent {
  readonly event: AuditEventKind;
  readonly command: AuditCommand;
  readonly outcome: AuditOutcome;
  readonly migration?: string;
  /** The file that ran, as shown to the user. */
  readonly file?: string;
  readonly sums?: PairChecksum;
  /** Measured by the runner; the event's start is its end minus this. Absent for an instant (deploy-start). */
  readonly milliseconds?: number;
  readonly error?: string;
  readonly detail?: string;
  readonly deployId?: string;
  readonly operator: Operator;
}

export function currentOperator(actor: string): Operator {
  let osUser = '';
  try {
    osUser = userInfo().username;
  } catch {
    osUser = process.env.USER ?? process.env.LOGNAME ?? '';
  }
  let host = '';
  try {
    host = hostname();
  } catch {
    host = '';
  }
  return { actor, osUser: osUser || 'unknown', clientHost: host || 'unknown' };
}

/** The DDL of the table, its index and its append-only guard; idempotent (a dry run prints it). */
export function auditTableSql(): string[] {
  return [
    `CREATE TABLE IF NOT EXISTS ${TABLE} (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event text NOT NULL CHECK (event IN ('apply', 'rollback', 'accept-checksum', 'baseline', 'deploy-start', 'deploy-end')),
    command text CHECK (command IN ('migrate', 'rollback', 'redo', 'deploy', 'accept-checksum', 'baseline')),
    outcome text NOT NULL CHECK (outcome IN ('ok', 'failed', 'started', 'unaudited')),
    migration varchar(255),
    file text,
    up_sha256 text,
    down_sha256 text,
    started_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    duration_ms bigint,
    error text,
    detail text,
    deploy_id bigint,
    actor text NOT NULL,
    os_user text,
    client_host text,
    db_role text DEFAULT current_user,
    db_session_user text DEFAULT session_user,
    application_name text DEFAULT current_setting('application_name'),
    client_addr inet DEFAULT inet_client_addr(),
    backend_pid integer DEFAULT pg_backend_pid()
)`,
    `CREATE INDEX IF NOT EXISTS ${AUDIT_TABLE}_migration_idx ON ${TABLE} (migration, id)`,
    `COMMENT ON TABLE ${TABLE} IS 'Append-only history of the migration runner: every apply, rollback, redo, accept-checksum, baseline, deploy start and end, and failed migration, with who, when, how long, checksums and outcome (make history; docs/deploy.md#audit-trail). Written by the runner only; UPDATE, DELETE and TRUNCATE are refused'`,
    `CREATE OR REPLACE FUNCTION ${GUARD}() RETURNS trigger LANGUAGE plpgsql AS $guard$
BEGIN
    RAISE EXCEPTION '${AUDIT_TABLE} is append-only: % is refused', TG_OP
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'the audit trail keeps every event of the migration runner; see docs/deploy.md, Audit trail, for retention';
END
$guard$`,
    `CREATE OR REPLACE TRIGGER ${GUARD_TRIGGER} BEFORE UPDATE OR DELETE OR TRUNCATE ON ${TABLE} FOR EACH STATEMENT EXECUTE FUNCTION ${GUARD}()`,
  ];
}

/** The DDL a run would send to make the table right: empty when it is (a dry run's setup). Read-only. */
export async function auditSetupSql(sql: Sql): Promise<string[]> {
  return (await auditTableState(sql)) === 'ok' ? [] : auditTableSql();
}

async function auditTableState(sql: Sql): Promise<'ok' | 'missing' | 'unguarded'> {
  const [row] = await sql.unsafe<{ present: boolean; guarded: boolean }[]>(
    `SELECT to_regclass(${quoteLiteral(TABLE)}) IS NOT NULL AS present,
            EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass(${quoteLiteral(TABLE)}) AND tgname = ${quoteLiteral(GUARD_TRIGGER)} AND tgenabled IN ('O', 'A')) AS guarded`,
  );
  if (!row?.present) return 'missing';
  return row.guarded ? 'ok' : 'unguarded';
}

/**
 * Create the table (or put its guard back) when needed, in one transaction under a lock of its own. Returns a note
 * when the guard had been dropped or disabled (someone could have rewritten the history meanwhile).
 */
export async function ensureAuditTable(sql: Sql): Promise<string[]> {
  const state = await auditTableState(sql);
  if (state === 'ok') return [];
  await sql.unsafe('BEGIN');
  try {
    await sql.unsafe(`SELECT pg_advisory_xact_lock(${CREATE_LOCK_ID})`);
    for (const statement of auditTableSql()) await sql.unsafe(statement);
    await sql.unsafe(`ALTER TABLE ${TABLE} ENABLE TRIGGER ${GUARD_TRIGGER}`);
    await sql.unsafe('COMMIT');
  } catch (error) {
    await sql.unsafe('ROLLBACK').catch(() => undefined);
    throw error;
  }
  return state === 'unguarded'
    ? [`the append-only guard of ${AUDIT_TABLE} (trigger ${GUARD_TRIGGER}) was dropped or disabled: it is back; events from while it was off may have been changed`]
    : [];
}

/** The INSERT that records `event`, returning its id; every text is scrubbed of the URL's password. */
export function auditEventSql(event: AuditEvent, url?: string): string {
  const text = (value: string | undefined): string => (value === undefined ? 'NULL' : quoteLiteral(scrubSecrets(value, url)));
  const ms = event.milliseconds === undefined ? undefined : Math.max(0, Math.round(event.milliseconds));
  const started = ms === undefined ? 'clock.at' : `clock.at - interval '${ms} milliseconds'`;
  const columns: [string, string][] = [
    ['event', quoteLiteral(event.event)],
    ['command', quoteLiteral(event.command)],
    ['outcome', quoteLiteral(event.outcome)],
    ['migration', text(event.migration)],
    ['file', text(event.file)],
    ['up_sha256', text(event.sums?.up)],
    ['down_sha256', text(event.sums?.down)],
    ['started_at', started],
    ['finished_at', 'clock.at'],
    ['duration_ms', ms === undefined ? 'NULL' : String(ms)],
    ['error', text(event.error)],
    ['detail', text(event.detail)],
    ['deploy_id', event.deployId === undefined ? 'NULL' : String(BigInt(event.deployId))],
    ['actor', text(event.operator.actor)],
    ['os_user', text(event.operator.osUser)],
    ['client_host', text(event.operator.clientHost)],
  ];
  // One clock reading: finished_at - started_at is exactly duration_ms.
  return `INSERT INTO ${TABLE} (${columns.map(([c]) => c).join(', ')}) SELECT ${columns.map(([, v]) => v).join(', ')} FROM (SELECT clock_timestamp() AS at) clock RETURNING id;`;
}

/** Write one event now (outside any migration); its id. */
export async function recordAuditEvent(sql: Sql, event: AuditEvent, url?: string): Promise<string> {
  const [row] = await sql.unsafe<{ id: string }[]>(auditEventSql(event, url));
  return String(row?.id ?? '');
}

/**
 * Bring the trail in line with pgmigrations (under the run's lock, before a run writes anything else): a migration
 * recorded in pgmigrations whose last event is not an apply was applied without the trail (before it existed, or by a
 * runner that keeps none): recorded as an 'unaudited' apply at its run_on, with the checksums and applied_by of
 * pgmigrations_checksums when known. A migration whose last event is an apply but that pgmigrations no longer holds
 * was rolled back without the trail: an 'unaudited' rollback, now. Returns how many events were added.
 */
export async function reconcileAuditTrail(sql: Sql): Promise<number> {
  const [present] = await sql.unsafe<{ migrations: boolean; sums: boolean }[]>(
    `SELECT to_regclass(${quoteLiteral(`"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`)}) IS NOT NULL AS migrations,
            to_regclass(${quoteLiteral(`"${MIGRATIONS_SCHEMA}"."${CHECKSUMS_TABLE}"`)}) IS NOT NULL AS sums`,
  );
  if (!present?.migrations) return 0;
  const migrations = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  const sums = present.sums
    ? `"${MIGRATIONS_SCHEMA}"."${CHECKSUMS_TABLE}"`
    : `(SELECT NULL::varchar AS name, NULL::text AS up_sha256, NULL::text AS down_sha256, NULL::text AS applied_by, NULL::text AS db_role WHERE false)`;
  const rows = await sql.unsafe<{ id: string }[]>(
    `WITH last AS (
    SELECT DISTINCT ON (migration) migration, event FROM ${TABLE}
    WHERE migration IS NOT NULL AND event IN ('apply', 'rollback') AND outcome IN ('ok', 'unaudited')
    ORDER BY migration, id DESC
), applied AS (
    SELECT name, min(run_on::timestamptz) AS run_on FROM ${migrations} GROUP BY name
), missing AS (
    SELECT 1 AS part, 'apply' AS event, a.name, a.run_on AS at, s.up_sha256, s.down_sha256, coalesce(s.applied_by, 'unknown') AS actor, s.db_role,
           'recorded in ${MIGRATIONS_TABLE} (run_on ' || to_char(a.run_on AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC) without an audit event: applied before the audit trail was kept, or by a tool that does not keep it' AS detail
    FROM applied a LEFT JOIN ${sums} s ON s.name = a.name LEFT JOIN last l ON l.migration = a.name
    WHERE l.event IS DISTINCT FROM 'apply'
    UNION ALL
    SELECT 2, 'rollback', l.migration, clock_timestamp(), NULL, NULL, 'unknown', NULL,
           'applied according to the audit trail, but no longer in ${MIGRATIONS_TABLE}: rolled back (or its row deleted) by a tool that does not keep the audit trail, at an unknown time before this run'
    FROM last l WHERE l.event = 'apply' AND NOT EXISTS (SELECT 1 FROM applied a WHERE a.name = l.migration)
)
INSERT INTO ${TABLE} (event, outcome, migration, up_sha256, down_sha256, started_at, finished_at, actor, db_role, db_session_user, application_name, client_addr, backend_pid, detail)
SELECT event, 'unaudited', name, up_sha256, down_sha256, at, at, actor, db_role, NULL, NULL, NULL, NULL, detail FROM missing ORDER BY part, at, name
RETURNING id`,
  );
  return rows.length;
}

export interface HistoryOptions {
  /** `<version>_<slug>` (a file name is accepted): that migration's events only. */
  readonly name?: string;
  /** Newest first, at most this many (default 50). */
  readonly limit?: number;
}

export interface HistoryEntry {
  readonly id: string;
  readonly event: AuditEventKind;
  readonly command: AuditCommand | null;
  readonly outcome: AuditOutcome;
  readonly migration: string | null;
  readonly file: string | null;
  readonly upSha256: string | null;
  readonly downSha256: string | null;
  /** ISO 8601, UTC. */
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number | null;
  readonly error: string | null;
  readonly detail: string | null;
  readonly deployId: string | null;
  readonly actor: string;
  readonly osUser: string | null;
  readonly clientHost: string | null;
  readonly dbRole: string | null;
  readonly dbSessionUser: string | null;
  readonly applicationName: string | null;
  readonly clientAddr: string | null;
}

/** The trail, newest first; undefined when the database has none yet. Read-only. */
export async function readHistory(sql: Pick<Sql, 'unsafe'>, options: HistoryOptions = {}): Promise<HistoryEntry[] | undefined> {
  const [present] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass(${quoteLiteral(TABLE)}) IS NOT NULL AS present`);
  if (!present?.present) return undefined;
  const name = options.name?.replace(/^.*\//, '').replace(/\.(up|down)\.sql$/, '');
  const limit = Math.max(1, Math.floor(options.limit ?? 50));
  const utc = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const rows = await sql.unsafe<Record<string, string | null>[]>(
    `SELECT a.id::text AS id, event, command, outcome, migration, file, up_sha256, down_sha256, ${utc('started_at')} AS started_at, ${utc('finished_at')} AS finished_at,
            duration_ms::text, error, detail, deploy_id::text, actor, os_user, client_host, db_role, db_session_user, application_name, host(client_addr) AS client_addr
     FROM ${TABLE} a ${name ? `WHERE a.migration = ${quoteLiteral(name)} OR (a.event LIKE 'deploy-%' AND a.id IN (SELECT deploy_id FROM ${TABLE} WHERE migration = ${quoteLiteral(name)}))` : ''}
     ORDER BY a.id DESC LIMIT ${limit}`,
  );
  return rows.map((r) => ({
    id: r.id!,
    event: r.event as AuditEventKind,
    command: r.command as AuditCommand | null,
    outcome: r.outcome as AuditOutcome,
    migration: r.migration ?? null,
    file: r.file ?? null,
    upSha256: r.up_sha256 ?? null,
    downSha256: r.down_sha256 ?? null,
    startedAt: r.started_at!,
    finishedAt: r.finished_at!,
    durationMs: r.duration_ms == null ? null : Number(r.duration_ms),
    error: r.error ?? null,
    detail: r.detail ?? null,
    deployId: r.deploy_id ?? null,
    actor: r.actor!,
    osUser: r.os_user ?? null,
    clientHost: r.client_host ?? null,
    dbRole: r.db_role ?? null,
    dbSessionUser: r.db_session_user ?? null,
    applicationName: r.application_name ?? null,
    clientAddr: r.client_addr ?? null,
  }));
}

/** The trail as a table for a terminal, newest first; an event's error and detail on indented lines below it. Pure. */
export function formatHistory(entries: readonly HistoryEntry[]): string[] {
  const rows = entries.map((e) => ({
    id: `#${e.id}`,
    at: e.finishedAt.replace('T', ' ').replace(/\.\d+Z$/, ''),
    event: `${e.event}${e.command && !commandImplied(e) ? ` (${e.command}${e.deployId ? ` #${e.deployId}` : ''})` : ''}`,
    migration: e.migration ?? '',
    outcome: e.outcome,
    took: e.durationMs === null ? '' : formatDuration(e.durationMs),
    who: [
      e.actor,
      e.dbRole ? `as ${e.dbRole}${e.dbSessionUser && e.dbSessionUser !== e.dbRole ? ` (session ${e.dbSessionUser})` : ''}` : '',
      e.clientHost ? `on ${e.clientHost}` : '',
      e.clientAddr ? `from ${e.clientAddr}` : '',
      e.applicationName ? `via ${e.applicationName}` : '',
    ]
      .filter(Boolean)
      .join(' '),
    sums: e.upSha256 ? `up ${e.upSha256.slice(0, 8)} down ${(e.downSha256 ?? '').slice(0, 8)}` : '',
  }));
  const header = { id: 'id', at: 'at (UTC)', event: 'event', migration: 'migration', outcome: 'outcome', took: 'took', who: 'who', sums: 'checksums' };
  const keys = Object.keys(header) as (keyof typeof header)[];
  const width = Object.fromEntries(keys.map((k) => [k, Math.max(header[k].length, ...rows.map((r) => r[k].length))])) as Record<keyof typeof header, number>;
  const line = (r: typeof header): string =>
    keys
      .map((k) => (k === 'took' ? r[k].padStart(width[k]) : r[k].padEnd(width[k])))
      .join('  ')
      .trimEnd();
  const out = [line(header)];
  entries.forEach((e, i) => {
    out.push(line(rows[i]!));
    if (e.error) out.push(`      error: ${e.error}`);
    if (e.detail) out.push(`      ${e.detail}`);
  });
  return out;
}

/** 'apply' by migrate and 'rollback' by rollback say nothing more with their command. */
function commandImplied(e: HistoryEntry): boolean {
  return (e.event === 'apply' && e.command === 'migrate') || (e.event === 'rollback' && e.command === 'rollback') || e.event === e.command || (e.event.startsWith('deploy-') && e.command === 'deploy');
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** A run's audit: who runs it, as part of what; the ExecuteContext carries it to each migration. */
export interface RunAudit {
  readonly scope: AuditScope;
  readonly operator: Operator;
  /** The target, only to scrub its password from what is recorded. */
  readonly url: string;
}

/** The event of one migration run: in its own transaction when it succeeded, after its rollback when it failed. */
export function migrationEventSql(
  audit: RunAudit,
  pair: MigrationPair,
  direction: 'up' | 'down',
  outcome: 'ok' | 'failed',
  milliseconds: number,
  failure?: { readonly error: string; readonly state?: string },
): string {
  return auditEventSql(
    {
      event: direction === 'up' ? 'apply' : 'rollback',
      command: audit.scope.command ?? (direction === 'up' ? 'migrate' : 'rollback'),
      outcome,
      migration: pair.name,
      file: direction === 'up' ? pair.up.display : pair.down.display,
      sums: pairChecksum(pair),
      milliseconds,
      ...(failure ? { error: failure.error, ...(failure.state ? { detail: failure.state } : {}) } : {}),
      ...(audit.scope.deployId ? { deployId: audit.scope.deployId } : {}),
      operator: audit.operator,
    },
    audit.url,
  );
}

/** `make history`: the trail of the database at `url`, newest first; undefined when it has none yet. Read-only. */
export async function migrationHistory(url: string, options: HistoryOptions = {}): Promise<HistoryEntry[] | undefined> {
  let sql: Sql;
  try {
    sql = connect(url, { max: 1, idle_timeout: 1, prepare: false, connection: { application_name: 'skincare-history' } });
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  try {
    return await sql.begin('READ ONLY', (tx) => readHistory(tx, options));
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(28|3D|08|57P0)/.test(code)) {
      throw new MigrationError('DATABASE_ERROR', `cannot read ${AUDIT_TABLE}: ${scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0]} [${code}]`);
    }
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}
