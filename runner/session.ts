// The session a migration runs in, and the lock that keeps two runs apart.
// - The run's lock is held on a connection of its own that migrations never touch: no DISCARD ALL, RESET, or
//   pg_advisory_unlock_all() in a migration can release it. The migration session also holds a second key, so a
//   session orphaned by a killed runner keeps the next run out until it ends.
// - Every migration starts from the same session: the settings read when the run connected (search_path, TimeZone,
//   role) and the run's timeouts, restored before each migration and before its bookkeeping.
import { connect, connectionErrorMessage, type Sql } from '../core/postgres/database-url.js';
import { quoteLiteral } from './checksums.js';
import { MigrationError } from './errors.js';
import { ADVISORY_LOCK_ID, SESSION_LOCK_ID } from './migrations-table.js';
import type { SessionTimeouts } from './runtime-safety.js';
import type { Statement } from './migration-files.js';

export type Reserved = Awaited<ReturnType<Sql['reserve']>>;

/** A connection error after which the connection must not be used again (postgres.js crashes writing to it). */
export function isConnectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^(CONNECTION_(CLOSED|DESTROYED|ENDED)|ECONNRESET|EPIPE|ECONNREFUSED|57P0[1-3]|08\d{3})$/.test(code);
}

/** The settings every migration starts from: what the run's session had when it connected. */
export interface SessionBaseline {
  readonly searchPath: string;
  readonly timeZone: string;
  /** current_user when the run connected. */
  readonly role: string;
  readonly sessionUser: string;
  readonly timeouts: SessionTimeouts;
}

export async function readBaseline(sql: Sql, timeouts: SessionTimeouts): Promise<SessionBaseline> {
  const [row] = await sql.unsafe<{ search_path: string; time_zone: string; role: string; session_user: string }[]>(
    `SELECT current_setting('search_path') AS search_path, current_setting('TimeZone') AS time_zone, current_user AS role, session_user AS session_user`,
  );
  return { searchPath: row?.search_path ?? '"$user", public', timeZone: row?.time_zone ?? 'UTC', role: row?.role ?? '', sessionUser: row?.session_user ?? '', timeouts };
}

/**
 * The statements that put the session back to the baseline, in order (a dry run prints them). They also take the
 * session's own key again (DISCARD ALL or pg_advisory_unlock_all() in a migration drops it); the run's lock,
 * held elsewhere, keeps any other run from taking it meanwhile.
 */
export function baselineStatements(baseline: SessionBaseline): string[] {
  return [
    'SET SESSION AUTHORIZATION DEFAULT;',
    'RESET ALL;',
    ...(baseline.role && baseline.role !== baseline.sessionUser ? [`SET ROLE ${quoteIdent(baseline.role)};`] : []),
    `SELECT set_config('search_path', ${quoteLiteral(baseline.searchPath)}, false), set_config('TimeZone', ${quoteLiteral(baseline.timeZone)}, false);`,
    `SET lock_timeout = '${baseline.timeouts.lockTimeout}';`,
    `SET statement_timeout = '${baseline.timeouts.statementTimeout}';`,
    `SELECT pg_advisory_unlock_all(), pg_try_advisory_lock(${SESSION_LOCK_ID});`,
  ];
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/**
 * A statement whose effect outlives its migration in the session: SET or RESET without LOCAL, SET ROLE, SET SESSION
 * AUTHORIZATION, DISCARD, set_config(..., false), advisory unlocks. The runner restores the session after it; a dry
 * run marks it.
 */
export function changesSession(statement: Pick<Statement, 'text' | 'kind'>): boolean {
  const text = statement.text;
  if (statement.kind === 'VariableSetStmt' || (statement.kind === '' && /^\s*(SET|RESET)\b/i.test(text))) {
    return !/^\s*SET\s+LOCAL\b/i.test(text) && !/^\s*SET\s+TRANSACTION\b/i.test(text);
  }
  if (statement.kind === 'DiscardStmt' || /^\s*DISCARD\b/i.test(text)) return true;
  return /\bset_config\s*\([^;]*?,\s*false\s*\)/i.test(text) || /\bpg_advisory_unlock(_all)?\s*\(/i.test(text);
}

/** The run's lock on a connection of its own. */
export class RunLock {
  private constructor(
    private readonly pool: Sql,
    private readonly connection: Reserved,
    /** The backend pid holding the lock. */
    readonly pid: number,
    /** False once its socket closed: then it is never written to again. */
    private readonly health: { alive: boolean },
  ) {}

  private get alive(): boolean {
    return this.health.alive;
  }

  /** Take the lock without waiting; MigrationError LOCKED (naming who holds it) when another run has it. */
  static async acquire(url: string): Promise<RunLock> {
    let pool: Sql;
    let connection: Reserved;
    const health = { alive: true };
    try {
      pool = connect(url, {
        idle_timeout: 0,
        max_lifetime: 0,
        connection: { application_name: 'skincare-migrate-lock' },
        onSocketClose: () => {
          health.alive = false;
        },
      });
    } catch (error) {
      throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
    }
    try {
      connection = await pool.reserve();
    } catch (error) {
      await pool.end({ timeout: 1 }).catch(() => undefined);
      throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
    }
    try {
      const [row] = await connection.unsafe<{ locked: boolean; pid: number }[]>(`SELECT pg_try_advisory_lock(${ADVISORY_LOCK_ID}) AS locked, pg_backend_pid() AS pid`);
      if (!row?.locked) throw await lockedError(connection, 'another migration run holds the advisory lock on this database');
      return new RunLock(pool, connection, Number(row.pid), health);
    } catch (error) {
      connection.release();
      await pool.end({ timeout: 1 }).catch(() => undefined);
      if (error instanceof MigrationError) throw error;
      throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
    }
  }

  /** Ask the server to cancel what `pid` is running; false when the lock's connection is gone. */
  async cancel(pid: number): Promise<boolean> {
    const rows = await this.query<{ cancelled: boolean }>(`SELECT pg_cancel_backend(${Number(pid)}) AS cancelled`);
    return rows?.[0]?.cancelled ?? false;
  }

  /** A read on the lock's connection (after a fault of the migration session); undefined when it is gone too. */
  async query<T>(text: string): Promise<T[] | undefined> {
    if (!this.alive) return undefined;
    try {
      return [...(await this.connection.unsafe<T[]>(text))];
    } catch (error) {
      if (isConnectionLost(error)) this.health.alive = false;
      return undefined;
    }
  }

  /** The connection itself, for reads after a fault; undefined once it is gone. */
  get sql(): Sql | undefined {
    return this.alive ? this.connection : undefined;
  }

  async release(): Promise<void> {
    const alive = this.alive;
    if (alive) {
      await this.connection.unsafe(`SELECT pg_advisory_unlock(${ADVISORY_LOCK_ID})`).catch(() => undefined);
      if (this.alive) this.connection.release();
    }
    this.health.alive = false;
    await this.pool.end({ timeout: alive ? 2 : 0 }).catch(() => undefined);
  }
}

/** Take the session's own key on the migration session; LOCKED when an orphaned session of an earlier run has it. */
export async function lockSession(sql: Sql): Promise<void> {
  const [row] = await sql.unsafe<{ locked: boolean }[]>(`SELECT pg_try_advisory_lock(${SESSION_LOCK_ID}) AS locked`);
  if (!row?.locked) {
    throw await lockedError(sql, 'the migration session of an earlier run is still running (its runner is gone, the server has not noticed yet)');
  }
}

async function lockedError(sql: Sql, what: string): Promise<MigrationError> {
  const holders = await sql
    .unsafe<{ pid: number; application_name: string; since: string; state: string }[]>(
      `SELECT DISTINCT a.pid, a.application_name, to_char(a.backend_start, 'YYYY-MM-DD HH24:MI:SS TZ') AS since, coalesce(a.state, '?') AS state
       FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND ((l.classid::bigint << 32) | l.objid::bigint) IN (${ADVISORY_LOCK_ID}, ${SESSION_LOCK_ID})
       ORDER BY a.pid`,
    )
    .catch(() => []);
  const who = holders.length
    ? ` (${holders.map((h) => `backend pid ${h.pid}, ${h.application_name || 'no application_name'}, ${h.state}, connected since ${h.since}`).join('; ')})`
    : '';
  const pids = holders.map((h) => h.pid);
  const dead = pids.length
    ? `; if that run is known to be dead, end it with SELECT ${pids.map((pid) => `pg_terminate_backend(${pid})`).join(', ')}`
    : '';
  return new MigrationError('LOCKED', `${what}${who}: wait for it to finish and retry${dead}`);
}
