// The deploy's preflight against the live database: the sessions that would block the pending migrations (holding or
// waiting on a lock on a table they touch), transactions open longer than MAX_TRANSACTION_AGE, and the schema's drift
// from its applied migrations (the verifier's --drift, read-only). Returns data; runner/deploy.ts reports it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect, scrubSecrets } from '../core/postgres/database-url.js';
import { relationsNamed } from '../core/migrations/relations.js';
import { MigrationError } from './errors.js';
import type { MigrationPair } from './migration-files.js';
import type { SessionTimeouts } from './runtime-safety.js';

export interface PreflightSettings {
  /** PREFLIGHT: 'refuse' (default) stops the deploy on a blocking session or a long transaction; 'warn' goes on. */
  readonly sessions: 'refuse' | 'warn';
  /** MAX_TRANSACTION_AGE: a PostgreSQL duration; a transaction open longer than this is reported (default 1min). */
  readonly maxTransactionAge: string;
  /** DRIFT: 'refuse' (default) stops on drift; 'warn' goes on; 'skip' does not look. */
  readonly drift: 'refuse' | 'warn' | 'skip';
}

export const DEFAULT_PREFLIGHT: PreflightSettings = { sessions: 'refuse', maxTransactionAge: '1min', drift: 'refuse' };

const DURATION = /^(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?$/;

/** A PostgreSQL duration setting in milliseconds (no unit: milliseconds, as for lock_timeout). */
export function durationMs(text: string): number {
  const match = DURATION.exec(text.trim());
  if (!match) return Number.NaN;
  const factor = { us: 0.001, ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Number(match[1]) * factor;
}

/** PREFLIGHT, MAX_TRANSACTION_AGE and DRIFT from the environment; a bad value is a USAGE error saying what is accepted. */
export function preflightSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): PreflightSettings {
  const choice = <T extends string>(variable: string, allowed: readonly T[], fallback: T): T => {
    const value = (env[variable] ?? '').trim().toLowerCase();
    if (value === '') return fallback;
    if (!allowed.includes(value as T)) throw new MigrationError('USAGE', `${variable}=${env[variable]} is not one of ${allowed.join(', ')}`);
    return value as T;
  };
  const age = (env.MAX_TRANSACTION_AGE ?? '').trim() || DEFAULT_PREFLIGHT.maxTransactionAge;
  if (!(durationMs(age) > 0)) {
    throw new MigrationError('USAGE', `MAX_TRANSACTION_AGE=${age} is not a positive duration; use e.g. 30s, 1min, 10min`);
  }
  return {
    sessions: choice('PREFLIGHT', ['refuse', 'warn'] as const, DEFAULT_PREFLIGHT.sessions),
    maxTransactionAge: age,
    drift: choice('DRIFT', ['refuse', 'warn', 'skip'] as const, DEFAULT_PREFLIGHT.drift),
  };
}

/** The relations the up files of `pairs` name (created, altered, read, referenced or dropped), from their parse trees. */
export function relationsTouched(pairs: readonly MigrationPair[]): string[] {
  return [...new Set(pairs.flatMap((pair) => pair.up.source.parsed.statements.flatMap((statement) => relationsNamed(statement.node))))];
}

export interface LiveSession {
  readonly pid: number;
  readonly user: string;
  readonly application: string;
  /** pg_stat_activity.state: active, idle in transaction, ... */
  readonly state: string;
  /** How long its transaction has been open (else its query, else its connection), HH:MM:SS. */
  readonly age: string;
  /** For a session with a lock on a touched table: the table, the lock mode, and whether it waits for it. */
  readonly lock?: { readonly relation: string; readonly mode: string; readonly granted: boolean };
  /** Whether it would block the migration: the reason, else undefined (listed, not counted). */
  readonly blocks?: string;
}

export interface LiveSessions {
  /** The touched relations that exist now (those a pending migration creates do not yet). */
  readonly relations: readonly string[];
  /** Sessions holding or waiting on a lock on one of them, one entry per session (a lock it waits for first). */
  readonly lockers: readonly LiveSession[];
  /** Other sessions whose transaction is older than MAX_TRANSACTION_AGE. */
  readonly longTransactions: readonly LiveSession[];
}

interface Row {
  pid: number;
  user: string | null;
  application: string | null;
  state: string | null;
  age: string;
  xact_ms: number | null;
  relation: string | null;
  mode: string | null;
  granted: boolean | null;
}

/**
 * Who is in the way, read from pg_locks and pg_stat_activity: client backends of this database, never this session
 * nor another run of this runner (application_name skincare-*: the run's advisory lock decides between runs, and
 * ending another run's migration session would be the wrong advice).
 * A session with a lock on a touched table blocks when it is idle in its transaction (it keeps the lock until its
 * client acts), waits for the lock itself, or has had its transaction open longer than the migration's lock_timeout
 * (5 s when that is 0); other holders (short queries) are listed but not counted. Any session whose transaction is
 * older than MAX_TRANSACTION_AGE blocks (it holds back CREATE INDEX CONCURRENTLY and vacuum, and may hold locks).
 */
export async function findLiveSessions(url: string, relations: readonly string[], settings: PreflightSettings, timeouts: SessionTimeouts): Promise<LiveSessions> {
  const lockMs = durationMs(timeouts.lockTimeout) || 5000;
  const maxAgeMs = durationMs(settings.maxTransactionAge);
  const sql = connect(url, { max: 1, idle_timeout: 1, connection: { application_name: 'skincare-deploy' } });
  try {
    return await sql.begin('READ ONLY', async (tx) => {
      await tx.unsafe(`SET LOCAL statement_timeout = '30s'`);
      const [existing] = await tx.unsafe<{ names: string[] | null }[]>(
        `SELECT array_agg(to_regclass(r)::text ORDER BY ordinality) AS names FROM unnest($1::text[]) WITH ORDINALITY AS u(r, ordinality) WHERE to_regclass(r) IS NOT NULL`,
        [[...relations]],
      );
      const present = [...new Set(existing?.names ?? [])];
      const rows = await tx.unsafe<Row[]>(
        `WITH target AS (
           SELECT to_regclass(r)::oid AS oid FROM unnest($1::text[]) AS r WHERE to_regclass(r) IS NOT NULL
           UNION SELECT i.indrelid FROM pg_index i WHERE i.indexrelid IN (SELECT to_regclass(r)::oid FROM unnest($1::text[]) AS r)
         ),
         session AS (
           SELECT a.pid, a.usename AS user, a.application_name AS application, a.state, a.xact_start,
                  to_char(now() - coalesce(a.xact_start, a.query_start, a.backend_start), 'HH24:MI:SS') AS age,
                  (extract(epoch FROM now() - a.xact_start) * 1000)::float8 AS xact_ms
           FROM pg_stat_activity a
           WHERE a.datname = current_database() AND a.backend_type = 'client backend' AND a.pid <> pg_backend_pid()
             AND a.application_name NOT LIKE 'skincare-%'
         )
         SELECT s.pid, s.user, s.application, s.state, s.age, s.xact_ms,
                l.relation::regclass::text AS relation, l.mode, l.granted
         FROM session s
         LEFT JOIN pg_locks l ON l.pid = s.pid AND l.locktype = 'relation' AND l.relation IN (SELECT oid FROM target)
           AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
         WHERE l.pid IS NOT NULL OR s.xact_ms > $2::float8
         ORDER BY s.xact_start NULLS LAST, s.pid, l.granted, l.mode DESC`,
        [[...relations], maxAgeMs],
      );
      const lockers = new Map<number, LiveSession>();
      const long = new Map<number, LiveSession>();
      for (const row of rows) {
        const base = {
          pid: Number(row.pid),
          user: row.user ?? '?',
          application: row.application ?? '',
          state: row.state ?? 'unknown',
          age: row.age,
        };
        const xactMs = row.xact_ms === null ? undefined : Number(row.xact_ms);
        const tooOld = xactMs !== undefined && xactMs > maxAgeMs ? `its transaction is older than MAX_TRANSACTION_AGE = ${settings.maxTransactionAge}` : undefined;
        if (row.relation && row.mode && !lockers.has(base.pid)) {
          const blocks = /^idle in transaction/.test(base.state)
            ? 'it is idle in its transaction and keeps the lock until its client acts'
            : row.granted === false
              ? 'it is waiting for the lock itself, and the migration would queue behind it'
              : xactMs !== undefined && xactMs > lockMs
                ? `its transaction has been open longer than the migration's lock_timeout (${timeouts.lockTimeout === '0' ? '5s' : timeouts.lockTimeout})`
                : tooOld;
          lockers.set(base.pid, { ...base, lock: { relation: row.relation, mode: row.mode, granted: row.granted !== false }, ...(blocks ? { blocks } : {}) });
        } else if (!row.relation && tooOld && !long.has(base.pid)) {
          long.set(base.pid, { ...base, blocks: tooOld });
        }
      }
      for (const pid of lockers.keys()) long.delete(pid);
      return { relations: present, lockers: [...lockers.values()], longTransactions: [...long.values()] };
    });
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** One line for a session: who, what it holds, for how long, and the exact way out. */
export function describeSession(session: LiveSession): string {
  const app = session.application ? `, application "${session.application}"` : '';
  const lock = session.lock ? ` ${session.lock.granted ? 'holds' : 'waits for'} ${session.lock.mode} on ${session.lock.relation}` : ' has an open transaction';
  const head = `pid ${session.pid} (user ${session.user}${app}, ${session.state} for ${session.age})${lock}`;
  if (!session.blocks) return `${head}: a short query, not counted`;
  return `${head}: ${session.blocks}; wait for it, or end it: SELECT pg_terminate_backend(${session.pid})`;
}

/** The sessions that block (lockers and long transactions counted against the deploy). */
export function blockingSessions(found: LiveSessions): LiveSession[] {
  return [...found.lockers, ...found.longTransactions].filter((s) => s.blocks !== undefined);
}

/** The one-line refusal for blocking sessions, with the exact commands. */
export function sessionsRefusal(blocking: readonly LiveSession[]): string {
  const n = blocking.length;
  const kill = blocking.map((s) => `SELECT pg_terminate_backend(${s.pid});`).join(' ');
  return `${n} session${n === 1 ? '' : 's'} would block the migration (listed above): wait for ${n === 1 ? 'it' : 'them'} to finish, or end ${n === 1 ? 'it' : 'them'} (${kill}), then re-run; PREFLIGHT=warn deploys anyway`;
}

export interface DriftResult {
  /** What differs, one line each (empty: no drift). */
  readonly differences: readonly string[];
  /** What kept the check from comparing (an applied migration that fails to replay), one line each. */
  readonly problems: readonly string[];
  /** The DDL that would reconcile the database with its migrations, for a DBA to review; never run. */
  readonly reconcile: readonly string[];
}

/**
 * The verifier's drift check (`verify-migrations --drift`, read-only on the target: one READ ONLY transaction; the
 * applied migrations are replayed on a scratch database of VERIFY_DATABASE_URL, else the embedded server), as a
 * subprocess: runner/ does not import verify/.
 */
export function runDriftCheck(cli: string, dir: string, url: string): DriftResult {
  if (!existsSync(cli)) throw new MigrationError('DEPLOY_FAILED', `the verifier is not built (${cli} is missing): run make build`);
  const result = spawnSync(process.execPath, [cli, '--drift', '--format', 'json', dir], {
    encoding: 'utf8',
    timeout: 600_000,
    env: { ...process.env, DATABASE_URL: url, NO_COLOR: '1' },
  });
  const stderr = scrubSecrets(`${result.stderr ?? ''}`, url).trim().split('\n').pop() ?? '';
  if (result.status !== 0 && result.status !== 1) {
    throw new MigrationError('DEPLOY_FAILED', `the drift check failed (exit ${result.status ?? result.signal}): ${stderr.replace(/^verify-migrations: /, '') || 'no output'}`);
  }
  let report: { violations?: { rule?: string; file?: string; line?: number; message?: string }[]; drift?: { differences?: string[]; reconcile?: string[] } | null };
  try {
    report = JSON.parse(result.stdout) as typeof report;
  } catch {
    throw new MigrationError('DEPLOY_FAILED', `the drift check printed no report (exit ${result.status}): ${stderr || 'no output'}`);
  }
  const problems = (report.violations ?? []).filter((v) => v.rule !== 'schema-drift').map((v) => `${v.file ?? ''}${v.line ? `:${v.line}` : ''}: ${v.message ?? v.rule}`);
  return { differences: report.drift?.differences ?? [], reconcile: report.drift?.reconcile ?? [], problems };
}

export interface LiveCheckOptions {
  readonly url: string;
  readonly dir: string;
  /** The pending migrations, in order. */
  readonly pending: readonly MigrationPair[];
  /** How many migrations the database records as applied (no drift check without one). */
  readonly appliedCount: number;
  readonly settings: PreflightSettings;
  readonly timeouts: SessionTimeouts;
  /** dist/verify/cli.js */
  readonly verifyCli: string;
  readonly say: (kind: 'ok' | 'info' | 'warn', text: string) => void;
}

/** The drift check, then the live sessions: reported through `say`; returns what refuses the deploy (empty: go on). */
export async function checkLiveDatabase(options: LiveCheckOptions): Promise<string[]> {
  const { settings, say } = options;
  const failures: string[] = [];
  if (settings.drift === 'skip') {
    say('warn', 'DRIFT=skip: the schema was not compared with its applied migrations');
  } else if (options.appliedCount === 0) {
    say('ok', 'drift: no migration is applied yet, nothing to compare');
  } else {
    const drift = runDriftCheck(options.verifyCli, options.dir, options.url);
    const found = [...drift.problems, ...drift.differences];
    if (found.length === 0) {
      const n = options.appliedCount;
      say('ok', `drift: none (the schema is what its ${n} applied migration${n === 1 ? ' makes' : 's make'})`);
    } else {
      for (const line of found) say('warn', `drift: ${line}`);
      for (const ddl of drift.reconcile) say('info', `  to reconcile (review, never run blindly): ${ddl}`);
      const n = found.length;
      const what = `${n} difference${n === 1 ? '' : 's'} between the schema and its applied migrations (listed above; make drift shows them)`;
      if (settings.drift === 'warn') say('warn', `DRIFT=warn: going on despite ${what}`);
      else failures.push(`drift: ${what}: reconcile the database or write a migration for the change, then re-run; DRIFT=warn deploys anyway`);
    }
  }
  if (options.pending.length === 0) return failures;
  const relations = relationsTouched(options.pending);
  const found = await findLiveSessions(options.url, relations, settings, options.timeouts);
  for (const session of [...found.lockers, ...found.longTransactions]) say(session.blocks ? 'warn' : 'info', `session ${describeSession(session)}`);
  const blocking = blockingSessions(found);
  const tables = found.relations.length ? found.relations.join(', ') : 'none exists yet';
  if (blocking.length === 0) {
    say('ok', `sessions: none blocks the tables the pending migrations touch (${tables}); no transaction older than MAX_TRANSACTION_AGE = ${settings.maxTransactionAge}`);
  } else if (settings.sessions === 'warn') {
    say('warn', `PREFLIGHT=warn: going on despite ${blocking.length} blocking session${blocking.length === 1 ? '' : 's'}; the migration waits up to lock_timeout = ${options.timeouts.lockTimeout} and is retried (MIGRATE_LOCK_RETRIES)`);
  } else {
    failures.push(sessionsRefusal(blocking));
  }
  return failures;
}
