// What keeps a migration from hurting a live database while it runs: lock_timeout (a migration waiting for a busy
// table queues every other query on it behind itself) and statement_timeout, and, when the lock timeout fires,
// which table was busy and who held it.
import { parse } from 'libpg-query';
import { connect, scrubSecrets } from '../core/postgres/database-url.js';
import { MigrationError } from './errors.js';
import { relationsNamed } from '../core/migrations/relations.js';

export interface SessionTimeouts {
  /** PostgreSQL interval text, e.g. '5s'; '0' disables. */
  readonly lockTimeout: string;
  readonly statementTimeout: string;
}

export const DEFAULT_TIMEOUTS: SessionTimeouts = { lockTimeout: '5s', statementTimeout: '15min' };

const INTERVAL = /^\d+(\.\d+)?\s*(us|ms|s|min|h|d)?$/;

/** MIGRATE_LOCK_TIMEOUT and MIGRATE_STATEMENT_TIMEOUT (e.g. 5s, 500ms, 15min, 2h; 0 = none), else the defaults. */
export function timeoutsFromEnv(env: NodeJS.ProcessEnv = process.env): SessionTimeouts {
  const pick = (variable: string, fallback: string): string => {
    const value = (env[variable] ?? '').trim();
    if (value === '') return fallback;
    if (!INTERVAL.test(value)) {
      throw new MigrationError('USAGE', `${variable}=${value} is not a duration PostgreSQL accepts; use e.g. 5s, 500ms, 15min, 2h, or 0 for none`);
    }
    return value;
  };
  return { lockTimeout: pick('MIGRATE_LOCK_TIMEOUT', DEFAULT_TIMEOUTS.lockTimeout), statementTimeout: pick('MIGRATE_STATEMENT_TIMEOUT', DEFAULT_TIMEOUTS.statementTimeout) };
}

/** The relations a statement names (tables, indexes), schema-qualified when it says so, in order, without repeats. */
export async function relationsOf(statement: string): Promise<string[]> {
  try {
    return relationsNamed(await parse(statement));
  } catch {
    return [];
  }
}

export interface LockHolder {
  readonly relation: string;
  readonly pid: number;
  readonly mode: string;
  readonly user: string;
  readonly application: string;
  readonly state: string;
  /** How long its transaction (or query) has been running, HH:MM:SS. */
  readonly since: string;
}

/**
 * After a lock timeout: which of the statement's relations another session holds a lock on, and who.
 * Read on a connection of its own (the migration's transaction is aborted); `exceptPid` is the migration's session.
 */
export async function findLockHolders(url: string, statement: string, exceptPid: number | undefined): Promise<{ relations: string[]; holders: LockHolder[] }> {
  const relations = await relationsOf(statement);
  if (relations.length === 0) return { relations, holders: [] };
  const sql = connect(url, { max: 1, idle_timeout: 1, connect_timeout: 5, connection: { application_name: 'skincare-migrate-diagnose' } });
  try {
    const rows = await sql.unsafe<{ relation: string; pid: number; mode: string; user: string | null; application: string | null; state: string | null; since: string | null }[]>(
      `SELECT l.relation::regclass::text AS relation, l.pid, l.mode, a.usename AS user, a.application_name AS application, a.state,
              to_char(now() - coalesce(a.xact_start, a.query_start, a.backend_start), 'HH24:MI:SS') AS since
       FROM pg_locks l
       LEFT JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE l.locktype = 'relation' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         AND l.relation = ANY (SELECT to_regclass(r)::oid FROM unnest($1::text[]) AS r)
         AND l.pid <> pg_backend_pid() AND l.pid IS DISTINCT FROM $2::int
       ORDER BY array_position($1::text[], l.relation::regclass::text), a.xact_start NULLS LAST, l.pid`,
      [relations, exceptPid ?? null],
    );
    return {
      relations,
      holders: rows.map((r) => ({ relation: r.relation, pid: Number(r.pid), mode: r.mode, user: r.user ?? '?', application: r.application ?? '', state: r.state ?? 'unknown', since: r.since ?? '?' })),
    };
  } catch {
    return { relations, holders: [] };
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** The one-line explanation appended to PostgreSQL's "canceling statement due to lock timeout". */
export function describeLockTimeout(found: { relations: readonly string[]; holders: readonly LockHolder[] }, timeouts: SessionTimeouts, url: string): string {
  const waited = `the migration waited lock_timeout = ${timeouts.lockTimeout} (MIGRATE_LOCK_TIMEOUT)`;
  const [first] = found.holders;
  if (first) {
    const pids = [...new Set(found.holders.map((h) => h.pid))];
    const others = pids.length > 1 ? ` and ${pids.length - 1} more session${pids.length > 2 ? 's' : ''} (pid ${pids.slice(1, 4).join(', ')})` : '';
    const app = first.application ? `, application "${first.application}"` : '';
    return scrubSecrets(
      `table ${first.relation} was busy: pid ${first.pid} (user ${first.user}${app}, ${first.state} for ${first.since}) holds ${first.mode} on it${others}, and ${waited}. ` +
        `Re-run when that session is done, or end it (SELECT pg_terminate_backend(${first.pid})) and re-run; raise MIGRATE_LOCK_TIMEOUT only if ${first.relation} may be blocked that long`,
      url,
    );
  }
  if (found.relations.length > 0) {
    return `${waited} for a lock on ${found.relations.join(', ')}; no session holds one now, so re-run (SELECT * FROM pg_locks WHERE NOT granted shows who waits on whom)`;
  }
  return `${waited} for a lock; re-run when the database is quieter (SELECT * FROM pg_locks WHERE NOT granted shows who waits on whom)`;
}

/** Advice appended to "canceling statement due to statement timeout". */
export function describeStatementTimeout(timeouts: SessionTimeouts): string {
  return `the statement ran longer than statement_timeout = ${timeouts.statementTimeout} (MIGRATE_STATEMENT_TIMEOUT); if it needs longer, re-run with a larger one, e.g. make migrate MIGRATE_STATEMENT_TIMEOUT=2h`;
}
