// The migration runner: node-pg-migrate's runner() over the checked migration folder, on one postgres.js connection.
// Functions return data; only scripts/migrate.ts prints.
import { resolve } from 'node:path';
import type { RunnerOption } from 'node-pg-migrate';
import { connect, connectionErrorMessage, describeTarget, type Sql } from '../core/postgres/database-url.js';
import { ensureChecksumTables, operatorName, pairChecksum, readChecksums, recordBaseline, acceptChecksum, type AcceptedChecksum } from './checksums.js';
import {
  assessApplied,
  findInvalidIndexes,
  historyProblems,
  IntegrityError,
  invalidIndexProblem,
  type IntegrityProblem,
  type IntegrityState,
} from './integrity.js';
import { timeoutsFromEnv, timeoutStatements, type SessionTimeouts } from './runtime-safety.js';
import { loadMigrationFiles, type MigrationPair } from './migration-files.js';
import { MigrationError } from './errors.js';
import { ADVISORY_LOCK_ID, MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';
import { adapter, loaderFor, noop, QUIET, StatementTracker, translate } from './pg-migrate-bridge.js';
import { planRun, plannedMigration, type RunPlan } from './run-plan.js';

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
}

export interface MigrationStep {
  /** `<version>_<slug>` */
  readonly name: string;
  /** The file that ran, as shown to the user. */
  readonly file: string;
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
}

export interface AppliedMigration {
  readonly name: string;
  /** pgmigrations.run_on as 'YYYY-MM-DD HH:MM:SS' (server time). */
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
  const down = await migrateDown({ ...options, count: 1 });
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
  const up = await migrateUp({ ...options, count: 1, only: last.name });
  return { down, up };
}

/** Applied migrations (in the order they ran, with run_on), then pending ones in file order. Read-only. */
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
  const dir = resolve(options.dir);
  const pairs = await loadMigrationFiles(dir);
  const timeouts = options.timeouts ?? timeoutsFromEnv();
  const url = options.databaseUrl;
  return withConnection(url, async (sql) => {
    for (const statement of timeoutStatements(timeouts)) await sql.unsafe(statement);
    // A dry run takes no lock: it reads, and a run in progress may change what it reads.
    const locked = options.dryRun ? false : await lockMigrations(sql);
    try {
      const applied = await readApplied(sql);
      const states = assessApplied(pairs, applied, await readChecksums(sql, MIGRATIONS_SCHEMA));
      const problems = [...historyProblems(pairs, states, MIGRATIONS_TABLE), ...(await findInvalidIndexes(sql)).map(invalidIndexProblem)];
      if (problems.length > 0) throw new IntegrityError(problems);
      if (direction === 'down') refuseIrreversible(pairs, applied, count);
      const actor = options.actor ?? operatorName();
      if (options.dryRun) {
        return { direction, migrations: [], milliseconds: Date.now() - started, plan: await planRun(sql, pairs, applied, direction, count, only, timeouts, actor) };
      }
      await ensureChecksumTables(sql, MIGRATIONS_SCHEMA);
      const baseline = await recordBaseline(
        sql,
        MIGRATIONS_SCHEMA,
        MIGRATIONS_TABLE,
        states.filter((st) => st.state === 'untracked' && st.current).map((st) => ({ name: st.name, sums: st.current! })),
        actor,
      );
      const [session] = await sql.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
      const tracker = new StatementTracker();
      const client = adapter(sql, tracker, { url, timeouts, pid: session?.pid, pairs, actor });
      let ran: { readonly name: string }[];
      try {
        // Loaded here, not at the top: `status` and `check` do not need it, and it costs a third of a second.
        const { runner } = await import('node-pg-migrate');
        ran = await runner({
          dbClient: client as unknown as Extract<RunnerOption, { dbClient: unknown }>['dbClient'],
          dir,
          // Only the checked file names reach node-pg-migrate; a README.md beside them is never loaded.
          ignorePattern: '(?!\\d{14}_[a-z0-9_]+\\.(?:up|down)\\.sql$).*',
          migrationsTable: MIGRATIONS_TABLE,
          migrationsSchema: MIGRATIONS_SCHEMA,
          direction,
          count,
          ...(only ? { file: only } : {}),
          checkOrder: true,
          // The advisory lock is ours (lockMigrations): it covers the checks above as well.
          noLock: true,
          // One transaction per migration (Flyway's and node-pg-migrate's default): locks are released after each one,
          // so a NOT VALID constraint and its VALIDATE in the next migration never share a long lock.
          singleTransaction: false,
          migrationLoaderStrategies: [{ extensions: ['.sql'], loader: loaderFor(dir, pairs, tracker) }],
          logger: QUIET,
          verbose: false,
        });
      } catch (error) {
        throw translate(error, url);
      }
      const byName = new Map(pairs.map((p) => [p.name, p]));
      return {
        direction,
        migrations: ran.map((m) => {
          const pair = byName.get(m.name);
          return { name: m.name, file: pair ? (direction === 'up' ? pair.up.display : pair.down.display) : m.name };
        }),
        milliseconds: Date.now() - started,
        ...(baseline.length ? { baseline } : {}),
      };
    } finally {
      if (locked) {
        // A failed migration leaves its transaction open (node-pg-migrate sends no ROLLBACK): end it, then unlock.
        await sql.unsafe('ROLLBACK').catch(noop);
        await sql.unsafe(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_ID})`).catch(noop);
      }
    }
  });
}

/** Take the migration advisory lock without waiting; LOCKED when another run holds it. */
async function lockMigrations(sql: Sql): Promise<true> {
  const [row] = await sql.unsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_lock(${ADVISORY_LOCK_ID}) AS locked`);
  if (!row?.locked) {
    const [holder] = await sql
      .unsafe<{ pid: number; application_name: string; since: string }[]>(
        `SELECT a.pid, a.application_name, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since
         FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
         WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
           AND ((l.classid::bigint << 32) | l.objid::bigint) = ${ADVISORY_LOCK_ID}`,
      )
      .catch(() => []);
    const who = holder ? ` (backend pid ${holder.pid}, ${holder.application_name || 'no application_name'}, connected since ${holder.since})` : '';
    const dead = holder ? `; if that run is known to be dead, end it with SELECT pg_terminate_backend(${holder.pid})` : '';
    throw new MigrationError('LOCKED', `another migration run holds the advisory lock on this database${who}: wait for it to finish and retry${dead}`);
  }
  return true;
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
  const name = options.name.replace(/^.*\//, '').replace(/\.(up|down)\.sql$/, '');
  const pairs = await loadMigrationFiles(options.dir);
  return withConnection(options.databaseUrl, async (sql) => {
    await lockMigrations(sql);
    try {
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
      return { changed: true, accepted: await acceptChecksum(sql, MIGRATIONS_SCHEMA, name, old, sums, actor) };
    } finally {
      await sql.unsafe(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_ID})`).catch(noop);
    }
  });
}

/** Rolling back a migration whose down says `-- verify:irreversible <reason>` stops before anything runs. */
function refuseIrreversible(pairs: readonly MigrationPair[], applied: readonly { name: string }[], count: number): void {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const undone = applied.slice(Math.max(0, applied.length - (Number.isFinite(count) ? count : applied.length))).reverse();
  for (const { name } of undone) {
    const pair = byName.get(name);
    if (pair?.down.irreversible) {
      throw new MigrationError('IRREVERSIBLE', `${pair.down.display}: ${name} cannot be rolled back (${pair.down.irreversible}); nothing was rolled back: restore the backup taken before it was applied (docs/deploy.md)`);
    }
  }
}

async function readApplied(sql: Sql): Promise<{ name: string; runOn: string }[]> {
  const table = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
  const [exists] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('${table}') IS NOT NULL AS present`);
  if (!exists?.present) return [];
  const rows = await sql.unsafe<{ name: string; run_on: string }[]>(
    `SELECT name, to_char(run_on, 'YYYY-MM-DD HH24:MI:SS') AS run_on FROM ${table} ORDER BY run_on, id`,
  );
  return rows.map((r) => ({ name: r.name, runOn: r.run_on }));
}

/** One dedicated connection (session advisory lock, BEGIN/COMMIT) for the whole run; connection failures become CONNECTION_FAILED. */
async function withConnection<T>(url: string, body: (sql: Sql) => Promise<T>): Promise<T> {
  let pool: Sql;
  let reserved: Awaited<ReturnType<Sql['reserve']>>;
  try {
    pool = connect(url, { idle_timeout: 0, connection: { application_name: 'skincare-migrate' } });
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
    return await body(reserved);
  } catch (error) {
    throw translate(error, url);
  } finally {
    reserved.release();
    await pool.end({ timeout: 5 }).catch(noop);
  }
}

