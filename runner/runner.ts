// The migration runner over the checked migration folder: node-pg-migrate's runner() drives up, down and redo
// (runner/pg-migrate-bridge.ts), the migrations run on one connection (runner/execute.ts), the run's lock (node-pg-migrate's
// id, so its own CLI and this runner exclude each other) on another that migrations never touch, in version order,
// recorded in pgmigrations. Functions return data; only scripts/migrate.ts prints.
import { resolve } from 'node:path';
import { connect, connectionErrorMessage, describeTarget, type Sql } from '../core/postgres/database-url.js';
import { ensureChecksumTables, operatorName, pairChecksum, quoteLiteral, readChecksums, recordBaseline, acceptChecksum, type AcceptedChecksum } from './checksums.js';
import {
  assessApplied,
  findInvalidIndexes,
  historyProblems,
  IntegrityError,
  invalidIndexProblem,
  type IntegrityProblem,
  type IntegrityState,
} from './integrity.js';
import { timeoutsFromEnv, type SessionTimeouts } from './runtime-safety.js';
import { loadMigrationFiles, type MigrationPair } from './migration-files.js';
import { MigrationError, MigrationFilesError, type FileProblem } from './errors.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';
import { executeMigrations, noop, translate, type MigrationStep, type PlannedStep } from './execute.js';
import { baselineStatements, isConnectionLost, lockSession, readBaseline, RunLock } from './session.js';
import { planRun, plannedMigration, type RunPlan } from './run-plan.js';
import { createMigrationsTableSql } from './pg-migrate-bridge.js';
import { lockRetriesFromEnv, runWithLockRetries, type LockRetry, type LockRetrySettings } from './lock-retry.js';

export type { LockRetry, LockRetrySettings } from './lock-retry.js';
import { droppedData, describeDrop } from '../core/migrations/drops.js';
import { guardRollback, irreversibleRefusal, type RollbackGuard } from './rollback-guard.js';
import { bookkeepingNameIn } from '../core/migrations/bookkeeping.js';
import { auditEventSql, currentOperator, ensureAuditTable, reconcileAuditTrail, recordAuditEvent, type AuditScope } from './audit.js';

export { RunLock } from './session.js';
export type { MigrationStep } from './execute.js';

export { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';
export type { PlannedMigration, RunPlan } from './run-plan.js';

export interface RunnerOptions {
  /** The migration folder, e.g. 'sql'. */
  readonly dir: string;
  readonly databaseUrl: string;
  /** Plan only: read the database, print nothing into it (not even pgmigrations). */
  readonly dryRun?: boolean;
  /** lock_timeout and statement_timeout of the migration session; default MIGRATE_LOCK_TIMEOUT / MIGRATE_STATEMENT_TIMEOUT or 5s / 15min. */
  readonly timeouts?: SessionTimeouts;
  /** Who runs it, recorded with the checksums; default $USER and git's user.name. */
  readonly actor?: string;
  /** SIGINT/SIGTERM: cancels the running statement on the server, then the run stops and says where it stands. */
  readonly signal?: AbortSignal;
  /** The run's lock, already held (a deploy holds it across its backup and migration); default: taken for this run. */
  readonly lock?: RunLock;
  /** Retries after a lock timeout (runner/lock-retry.ts); default MIGRATE_LOCK_RETRIES / MIGRATE_LOCK_RETRY_DELAY or 3 / 1s. */
  readonly lockRetries?: LockRetrySettings;
  /** Told of each retry as it is decided (the CLI prints it: the migration, the attempt, the wait, the blocker). */
  readonly onRetry?: (retry: LockRetry) => void;
  /** down and redo: show what the downs drop and ask for CONFIRM where data would be lost (runner/rollback-guard.ts). */
  readonly rollbackGuard?: RollbackGuard;
  /** What the audit trail records the run's events as part of (default: migrate for up, rollback for down). */
  readonly audit?: AuditScope;
}

export interface RunResult {
  readonly direction: 'up' | 'down';
  /** In the order they ran. */
  readonly migrations: readonly MigrationStep[];
  readonly milliseconds: number;
  /** Applied migrations that had no checksum yet (applied before checksums were kept): recorded now, from their files. */
  readonly baseline?: readonly string[];
  /** A dry run: what would run, in order; nothing ran. */
  readonly plan?: RunPlan;
  /** One-off changes to the bookkeeping made by this run (pgmigrations.run_on converted to timestamptz). */
  readonly notes?: readonly string[];
  /** The lock timeouts this run retried after, in order. */
  readonly retries?: readonly LockRetry[];
}

export interface AppliedMigration {
  readonly name: string;
  /** pgmigrations.run_on as 'YYYY-MM-DD HH:MM:SS', in UTC (server time while run_on has no time zone yet). */
  readonly runOn: string;
  /** False when the folder has no files for it any more. */
  readonly hasFiles: boolean;
  /** ok, changed (files edited since it was applied), missing, renamed, or untracked (no checksum recorded yet). */
  readonly state: IntegrityState;
  /** For 'changed': the files that differ. */
  readonly changed: readonly ('up' | 'down')[];
  /** For 'renamed': the pending migration with its content. */
  readonly renamedTo?: string;
}

export interface PendingMigration {
  readonly name: string;
  readonly file: string;
  /** It sorts before an applied migration, so `up` refuses to run it. */
  readonly outOfOrder: boolean;
}

export interface MigrationStatus {
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly PendingMigration[];
  /** What `up`, `down` and `redo` would refuse to run over, one line each (changed, missing, renamed, order, INVALID indexes). */
  readonly problems: readonly IntegrityProblem[];
}

/** Check the folder without touching a database: the pairs in order, or a MigrationFilesError listing every problem. */
export function checkMigrations(dir: string): Promise<readonly MigrationPair[]> {
  return loadMigrationFiles(dir);
}

/** Apply pending migrations in order (all of them unless `count`), each in its own transaction; returns what ran. */
export async function migrateUp(options: RunnerOptions & { readonly count?: number; readonly only?: string }): Promise<RunResult> {
  return run(options, 'up', options.count ?? Number.POSITIVE_INFINITY, options.only);
}

/** Roll back the last `count` applied migrations (default 1, 'all' for every one), newest first. */
export async function migrateDown(options: RunnerOptions & { readonly count?: number | 'all' }): Promise<RunResult> {
  const count = options.count === 'all' ? Number.POSITIVE_INFINITY : (options.count ?? 1);
  return run(options, 'down', count);
}

/** Roll back the last applied migration and apply it again. Both results are empty when nothing is applied. */
export async function redoLast(options: RunnerOptions): Promise<{ readonly down: RunResult; readonly up: RunResult }> {
  const redo = { ...options, audit: { ...options.audit, command: options.audit?.command ?? 'redo' } } as const;
  const down = await migrateDown({ ...redo, count: 1 });
  if (options.dryRun) {
    // Nothing was rolled back: the up half is the same migration's up file.
    const planned = down.plan?.migrations[0];
    const pair = planned ? (await loadMigrationFiles(options.dir)).find((p) => p.name === planned.name) : undefined;
    const up: RunResult = {
      direction: 'up',
      migrations: [],
      milliseconds: 0,
      ...(down.plan ? { plan: { session: [], setup: [], migrations: pair ? [plannedMigration(pair, 'up', options.actor ?? operatorName())] : [] } } : {}),
    };
    return { down, up };
  }
  const last = down.migrations[0];
  if (!last) return { down, up: { direction: 'up', migrations: [], milliseconds: 0 } };
  try {
    const up = await migrateUp({ ...redo, count: 1, only: last.name });
    return { down, up };
  } catch (error) {
    const pair = (await loadMigrationFiles(options.dir).catch(() => [])).find((p) => p.name === last.name);
    throw redoUpFailed(translate(error, options.databaseUrl), last, pair);
  }
}

/** The up half of a redo failed: its down was committed, and what it dropped is gone; the error says so. */
function redoUpFailed(error: MigrationError, last: MigrationStep, pair: MigrationPair | undefined): MigrationError {
  const dropped = pair ? droppedBy(pair) : [];
  const what = dropped.length ? `, and it dropped ${dropped.join(', ')} with their data` : '';
  error.message = `${error.message} (the down of ${last.name} (${last.file}) was committed before the up failed${what}: ${last.name} is now rolled back)`;
  error.runState = {
    direction: 'down',
    committed: [last],
    summary:
      `rolled back and committed by this redo: ${last.name}${dropped.length ? ` (its down dropped ${dropped.join(', ')})` : ''}; ` +
      `its up failed: ${upOutcome(error)}; ` +
      `next: fix ${pair ? pair.up.display : 'its up file'}, then make migrate${dropped.length ? '; restore the backup if the dropped data matters' : ''}.`,
  };
  return error;
}

/** What became of the failed up, from its run state ("... was rolled back as a whole and is not recorded"). */
function upOutcome(error: MigrationError): string {
  const parts = (error.runState?.summary ?? '').replace(/\.$/, '').split('; ');
  const outcome = parts.filter((part) => !/^(this run applied|applied and committed by this run|next:)/.test(part));
  return outcome.length ? outcome.join('; ') : 'it is not applied';
}

/** What a down file drops that holds data ("table widgets", "column products.sku"), read from its parse tree. */
function droppedBy(pair: MigrationPair): string[] {
  return pair.down.source.parsed.statements.flatMap((statement) => droppedData(statement).map(describeDrop));
}

/** Applied migrations in version order (with run_on), then pending ones in file order. Read-only. */
export async function migrationStatus(options: RunnerOptions): Promise<MigrationStatus> {
  const pairs = await loadMigrationFiles(options.dir);
  return withConnection(options.databaseUrl, async (sql) => {
    const applied = await readApplied(sql);
    const names = new Set(pairs.map((p) => p.name));
    const appliedNames = new Set(applied.map((a) => a.name));
    const lastApplied = applied.filter((a) => names.has(a.name)).map((a) => a.name).sort().pop();
    const states = new Map(assessApplied(pairs, applied, await readChecksums(sql, MIGRATIONS_SCHEMA)).map((s) => [s.name, s]));
    const problems = [...historyProblems(pairs, [...states.values()], MIGRATIONS_TABLE), ...(await findInvalidIndexes(sql)).map(invalidIndexProblem)];
    return {
      problems,
      applied: applied.map((a) => {
        const state = states.get(a.name);
        return {
          ...a,
          hasFiles: names.has(a.name),
          state: state?.state ?? 'untracked',
          changed: state?.changed ?? [],
          ...(state?.renamedTo ? { renamedTo: state.renamedTo } : {}),
        };
      }),
      pending: pairs
        .filter((p) => !appliedNames.has(p.name))
        .map((p) => ({ name: p.name, file: p.up.display, outOfOrder: lastApplied !== undefined && p.name < lastApplied })),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------

async function run(options: RunnerOptions, direction: 'up' | 'down', count: number, only?: string): Promise<RunResult> {
  const started = Date.now();
  const pairs = await loadMigrationFiles(resolve(options.dir));
  const timeouts = options.timeouts ?? timeoutsFromEnv();
  const url = options.databaseUrl;
  const actor = options.actor ?? operatorName();
  const lockRetries = options.lockRetries ?? lockRetriesFromEnv();
  if (options.dryRun) {
    // A dry run takes no lock: it reads, and a run in progress may change what it reads.
    return withConnection(url, async (sql) => {
      const baseline = await readBaseline(sql, timeouts);
      const { steps } = await checkedSteps(sql, pairs, direction, count, only);
      if (direction === 'down' && options.rollbackGuard) await guardRollback(sql, steps, options.rollbackGuard, describeTarget(url), true);
      return { direction, migrations: [], milliseconds: Date.now() - started, plan: await planRun(sql, steps, baseline, actor) };
    });
  }
  if (options.signal?.aborted) throw interruptedBeforeStart(options.signal);
  // The run's lock, on a connection of its own: nothing a migration does can release it.
  const lock = options.lock ?? (await RunLock.acquire(url));
  try {
    return await withConnection(url, async (sql, health) => {
      await lockSession(sql);
      const [session] = await sql.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      const baseline = await readBaseline(sql, timeouts);
      await sql.unsafe(baselineStatements(baseline).join('\n'));
      const { applied, steps } = await checkedSteps(sql, pairs, direction, count, only);
      if (direction === 'down' && options.rollbackGuard) await guardRollback(sql, steps, options.rollbackGuard, describeTarget(url), false);
      // Every check passed: only now is anything written.
      const notes = await ensureMigrationsTable(sql, actor);
      await ensureChecksumTables(sql, MIGRATIONS_SCHEMA);
      notes.push(...(await auditReady(sql)));
      const audit = { scope: options.audit ?? {}, operator: currentOperator(actor), url };
      const context = { sql, pid: Number(session?.pid), lock, url, baseline, actor, signal: options.signal, health, audit };
      const { committed: ran, retries } = await runWithLockRetries(steps, {
        settings: lockRetries,
        signal: options.signal,
        onRetry: options.onRetry,
        attempt: (remaining, before) => executeMigrations(context, remaining, before),
      });
      return { direction, migrations: ran, milliseconds: Date.now() - started, ...(notes.length ? { notes } : {}), ...(retries.length ? { retries } : {}) };
    });
  } finally {
    if (!options.lock) await lock.release();
  }
}

/** The audit table made (or its guard put back) and reconciled with pgmigrations; notes about what was found. */
async function auditReady(sql: Sql): Promise<string[]> {
  const notes = await ensureAuditTable(sql);
  const added = await reconcileAuditTrail(sql);
  if (added > 0) {
    notes.push(`the audit trail recorded ${added} event${added === 1 ? '' : 's'} found in pgmigrations without one (applied or rolled back before the trail was kept, or by another tool) as unaudited: make history shows them`);
  }
  return notes;
}

function interruptedBeforeStart(signal: AbortSignal): MigrationError {
  const error = new MigrationError('INTERRUPTED', `${String(signal.reason ?? 'a signal')}: stopped before anything ran`);
  return error;
}

/** What a run does, in order: pending migrations by version (up), or the newest applied by version, newest first (down). */
function chooseSteps(
  pairs: readonly MigrationPair[],
  applied: readonly { name: string }[],
  direction: 'up' | 'down',
  count: number,
  only: string | undefined,
): PlannedStep[] {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const chosen =
    direction === 'up'
      ? pairs.filter((p) => !appliedNames.has(p.name) && (!only || p.name === only)).slice(0, count)
      : [...appliedNames]
          .sort()
          .slice(Math.max(0, appliedNames.size - (Number.isFinite(count) ? count : appliedNames.size)))
          .reverse()
          .map((name) => byName.get(name))
          .filter((p): p is MigrationPair => p !== undefined);
  return chosen.map((pair) => ({ pair, direction }));
}

/**
 * A migration may not read or write the runner's bookkeeping (pgmigrations, pgmigrations_checksums, ...): one that
 * drops the checksums would let a later edit pass unseen. Refused, with file:line:column, before anything runs.
 */
function refuseBookkeepingStatements(steps: readonly PlannedStep[]): void {
  const problems: FileProblem[] = [];
  for (const { pair, direction } of steps) {
    const file = direction === 'up' ? pair.up : pair.down;
    for (const statement of file.statements) {
      const touched = bookkeepingNameIn(statement.text);
      if (!touched) continue;
      problems.push({
        code: 'BOOKKEEPING_STATEMENT',
        file: file.display,
        message: `${file.display}:${statement.line}:${statement.column}: touches ${touched}, the runner's bookkeeping: a migration may not read or change it (the runner records what ran; make accept-checksum and make rollback change it); remove the statement`,
      });
    }
  }
  if (problems.length > 0) throw new MigrationFilesError(problems);
}

/**
 * pgmigrations as node-pg-migrate makes it, but with run_on as timestamp with time zone, made before runner() runs so
 * its ensureMigrationsTable finds it and only reads. A table from before keeps its rows: run_on is converted once,
 * each value read in the session's time zone (the server's, unless the role or database sets another), and the
 * conversion is returned as a note and kept in the column's comment.
 */
async function ensureMigrationsTable(sql: Sql, actor: string): Promise<string[]> {
  const table = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  await sql.unsafe(createMigrationsTableSql(true));
  const [column] = await sql.unsafe<{ type: string }[]>(
    `SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = '${table}'::regclass AND a.attname = 'run_on' AND NOT a.attisdropped`,
  );
  if (column?.type !== 'timestamp without time zone') return [];
  const [zone] = await sql.unsafe<{ tz: string; rows: number; at: string }[]>(
    `SELECT current_setting('TimeZone') AS tz, (SELECT count(*) FROM ${table})::int AS rows, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS at`,
  );
  const tz = zone?.tz ?? 'UTC';
  const note = `converted ${MIGRATIONS_TABLE}.run_on from timestamp without time zone to timestamp with time zone on ${zone?.at}: its ${zone?.rows ?? 0} value${zone?.rows === 1 ? '' : 's'} were read in time zone ${tz}, the server's for this session (by ${actor})`;
  await sql.unsafe('BEGIN');
  try {
    await sql.unsafe(`ALTER TABLE ${table} ALTER COLUMN run_on TYPE timestamptz USING run_on AT TIME ZONE ${quoteLiteral(tz)}`);
    await sql.unsafe(`COMMENT ON COLUMN ${table}.run_on IS ${quoteLiteral(note)}`);
    await sql.unsafe('COMMIT');
  } catch (error) {
    await sql.unsafe('ROLLBACK').catch(noop);
    throw error;
  }
  return [note];
}

export interface AcceptResult {
  /** False when the recorded checksums already match the files (nothing was written). */
  readonly changed: boolean;
  readonly accepted: AcceptedChecksum;
}

/**
 * `make accept-checksum NAME=...`: record the current checksums of an applied migration whose files were edited, and
 * log who did it, when, and the old and new hashes. The database keeps what the old text did; the edit never runs.
 */
export async function acceptMigrationChecksum(options: RunnerOptions & { readonly name: string }): Promise<AcceptResult> {
  const started = Date.now();
  const name = options.name.replace(/^.*\//, '').replace(/\.(up|down)\.sql$/, '');
  const pairs = await loadMigrationFiles(options.dir);
  const lock = await RunLock.acquire(options.databaseUrl);
  try {
    return await withConnection(options.databaseUrl, async (sql) => {
      const applied = await readApplied(sql);
      if (!applied.some((a) => a.name === name)) {
        throw new MigrationError('NOT_APPLIED', `${name} is not applied to ${describeTarget(options.databaseUrl)}: only an applied migration has a checksum to accept (make status lists them)`);
      }
      const pair = pairs.find((p) => p.name === name);
      if (!pair) {
        throw new MigrationError('MISSING_FILES', `${name} is applied but has no files in ${options.dir}: restore them; there is nothing to accept`);
      }
      await ensureChecksumTables(sql, MIGRATIONS_SCHEMA);
      const recorded = (await readChecksums(sql, MIGRATIONS_SCHEMA)).get(name);
      const sums = pairChecksum(pair);
      const actor = options.actor ?? operatorName();
      if (recorded && recorded.up === sums.up && recorded.down === sums.down) {
        return { changed: false, accepted: { name, old: recorded, new: sums, actor, at: '' } };
      }
      const old = recorded ? { up: recorded.up, down: recorded.down } : undefined;
      await auditReady(sql);
      const event = auditEventSql(
        {
          event: 'accept-checksum',
          command: 'accept-checksum',
          outcome: 'ok',
          migration: name,
          file: pair.up.display,
          sums,
          detail: `accepted the edited files; recorded before: ${old ? `up ${old.up}, down ${old.down}` : 'none'}`,
          milliseconds: Date.now() - started,
          operator: currentOperator(actor),
        },
        options.databaseUrl,
      );
      return { changed: true, accepted: await acceptChecksum(sql, MIGRATIONS_SCHEMA, name, old, sums, actor, [event]) };
    });
  } finally {
    await lock.release();
  }
}

/**
 * `migrate baseline`: record the checksums of applied migrations that have none (applied before checksums were kept,
 * or their rows were lost), from the files as they are now, each logged as a baseline. Only on request: a run that
 * finds them refuses instead of trusting the files silently.
 */
export async function recordBaselineChecksums(options: RunnerOptions): Promise<readonly string[]> {
  const pairs = await loadMigrationFiles(options.dir);
  const lock = await RunLock.acquire(options.databaseUrl);
  try {
    return await withConnection(options.databaseUrl, async (sql) => {
      const applied = await readApplied(sql);
      const states = assessApplied(pairs, applied, await readChecksums(sql, MIGRATIONS_SCHEMA));
      await ensureChecksumTables(sql, MIGRATIONS_SCHEMA);
      await auditReady(sql);
      const actor = options.actor ?? operatorName();
      const untracked = states.filter((st) => st.state === 'untracked' && st.current).map((st) => ({ name: st.name, sums: st.current! }));
      const recorded = await recordBaseline(sql, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE, untracked, actor);
      const operator = currentOperator(actor);
      for (const { name, sums } of untracked.filter((u) => recorded.includes(u.name))) {
        const detail = 'recorded the checksums of the files as they are now, for a migration applied before checksums were kept';
        await recordAuditEvent(sql, { event: 'baseline', command: 'baseline', outcome: 'ok', migration: name, sums, detail, operator }, options.databaseUrl);
      }
      return recorded;
    });
  } finally {
    await lock.release();
  }
}

/**
 * What the run would do, after every check that needs the database: the history's integrity (changed, missing,
 * renamed files, order, INVALID indexes), irreversible downs in the way, and no statement touching the bookkeeping.
 */
async function checkedSteps(sql: Sql, pairs: readonly MigrationPair[], direction: 'up' | 'down', count: number, only: string | undefined) {
  const applied = await readApplied(sql);
  const states = assessApplied(pairs, applied, await readChecksums(sql, MIGRATIONS_SCHEMA));
  const problems = [...historyProblems(pairs, states, MIGRATIONS_TABLE), ...(await findInvalidIndexes(sql)).map(invalidIndexProblem)];
  if (problems.length > 0) throw new IntegrityError(problems);
  if (direction === 'down') refuseIrreversible(pairs, applied, count);
  const steps = chooseSteps(pairs, applied, direction, count, only);
  refuseBookkeepingStatements(steps);
  return { applied, steps };
}

/** Rolling back a migration whose down says `-- verify:irreversible <reason>` stops before anything runs, saying how many steps can. */
function refuseIrreversible(pairs: readonly MigrationPair[], applied: readonly { name: string }[], count: number): void {
  const steps = chooseSteps(pairs, applied, 'down', count, undefined);
  const blocked = steps.findIndex(({ pair }) => pair.down.irreversible !== undefined);
  if (blocked >= 0) throw irreversibleRefusal(steps, blocked);
}

async function readApplied(sql: Sql): Promise<{ name: string; runOn: string }[]> {
  const table = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
  const [exists] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('${table}') IS NOT NULL AS present`);
  if (!exists?.present) return [];
  // Version order, never run_on: sessions in other time zones (or a DST fall-back) wrote run_on out of order.
  const rows = await sql.unsafe<{ name: string; run_on: string }[]>(
    `SELECT name, to_char(CASE WHEN pg_typeof(run_on) = 'timestamp with time zone'::regtype THEN run_on::timestamptz AT TIME ZONE 'UTC' ELSE run_on::timestamp END, 'YYYY-MM-DD HH24:MI:SS') AS run_on
     FROM ${table} ORDER BY name, id`,
  );
  return rows.map((r) => ({ name: r.name, runOn: r.run_on }));
}

/**
 * One dedicated connection (the session's key, BEGIN/COMMIT) for the whole run; connection failures become
 * CONNECTION_FAILED. Once `health.lost` is set the connection is never touched again (postgres.js would crash).
 */
async function withConnection<T>(url: string, body: (sql: Awaited<ReturnType<Sql['reserve']>>, health: { lost: boolean }) => Promise<T>): Promise<T> {
  let pool: Sql;
  let reserved: Awaited<ReturnType<Sql['reserve']>>;
  const health = { lost: false };
  try {
    // No prepared statements: a migration's DISCARD ALL or DEALLOCATE must not break the runner's own queries.
    pool = connect(url, {
      idle_timeout: 0,
      // A migration may run for hours: postgres.js would otherwise end the connection after 30 to 60 minutes.
      max_lifetime: 0,
      prepare: false,
      connection: { application_name: 'skincare-migrate' },
      onSocketClose: () => {
        health.lost = true;
      },
    });
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  try {
    reserved = await pool.reserve();
    await reserved.unsafe('SELECT 1');
  } catch (error) {
    await pool.end({ timeout: 1 }).catch(noop);
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  try {
    return await body(reserved, health);
  } catch (error) {
    if (isConnectionLost(error)) health.lost = true;
    throw translate(error, url);
  } finally {
    if (!health.lost) reserved.release();
    await pool.end({ timeout: health.lost ? 0 : 5 }).catch(noop);
  }
}

