// Bounded retries of a migration that failed on lock_timeout (SQLSTATE 55P03): the standard practice for a busy table.
// A transactional migration that timed out waiting for a lock was rolled back as a whole, so running it again is safe:
// the run goes on from it (node-pg-migrate reads pgmigrations again, so what committed before is not run twice and the
// retried migration is recorded once, by the attempt that commits it). A no-transaction migration is never retried:
// its earlier statements stay applied, and the run stops and says what was left, as for any other failure.
import { MigrationError, SqlError } from './errors.js';
import type { MigrationStep, PlannedStep } from './execute.js';

export interface LockRetrySettings {
  /** MIGRATE_LOCK_RETRIES: how many times a migration is run again after a lock timeout (default 3; 0 = never). */
  readonly retries: number;
  /** MIGRATE_LOCK_RETRY_DELAY in ms: the first wait; each next one doubles, with jitter (default 1000). */
  readonly baseDelayMs: number;
}

export const DEFAULT_LOCK_RETRIES: LockRetrySettings = { retries: 3, baseDelayMs: 1000 };

/** The longest wait between two attempts, whatever the base and the attempt. */
export const MAX_RETRY_DELAY_MS = 60_000;

/** MIGRATE_LOCK_RETRIES (a whole number) and MIGRATE_LOCK_RETRY_DELAY (e.g. 1s, 500ms); a bad value is a USAGE error. */
export function lockRetriesFromEnv(env: NodeJS.ProcessEnv = process.env): LockRetrySettings {
  const retriesText = (env.MIGRATE_LOCK_RETRIES ?? '').trim();
  if (retriesText !== '' && !/^\d{1,2}$/.test(retriesText)) {
    throw new MigrationError('USAGE', `MIGRATE_LOCK_RETRIES=${retriesText} is not a whole number from 0 to 99; use e.g. 3, or 0 for no retry`);
  }
  const delayText = (env.MIGRATE_LOCK_RETRY_DELAY ?? '').trim();
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|min)?$/.exec(delayText);
  if (delayText !== '' && !match) {
    throw new MigrationError('USAGE', `MIGRATE_LOCK_RETRY_DELAY=${delayText} is not a duration; use e.g. 1s, 500ms`);
  }
  const baseDelayMs = match ? Number(match[1]) * ({ ms: 1, s: 1000, min: 60_000 }[match[2] ?? 'ms'] ?? 1) : DEFAULT_LOCK_RETRIES.baseDelayMs;
  return { retries: retriesText === '' ? DEFAULT_LOCK_RETRIES.retries : Number(retriesText), baseDelayMs };
}

/**
 * The wait before retry number `retry` (1-based): base × 2^(retry-1), capped at MAX_RETRY_DELAY_MS, then "equal
 * jitter": half of it fixed, the other half random, so runs that failed together do not come back together.
 */
export function backoffDelay(retry: number, baseDelayMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_RETRY_DELAY_MS, baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

/** One retry, as reported while the run goes on. */
export interface LockRetry {
  /** The migration that timed out. */
  readonly name: string;
  /** The attempt that failed (1 = the first run of it). */
  readonly attempt: number;
  /** How many attempts it may have in all (1 + MIGRATE_LOCK_RETRIES). */
  readonly attempts: number;
  /** How long the run waits before the next attempt. */
  readonly delayMs: number;
  /** The lock timeout's message: file:line:column, the busy table and the session holding it (pid, user, application). */
  readonly error: string;
}

/** Whether `error` is a lock timeout of `step` that a retry may repeat: a transactional migration, rolled back whole. */
export function isRetryableLockTimeout(error: unknown, step: PlannedStep | undefined): boolean {
  return error instanceof SqlError && error.sqlState === '55P03' && step !== undefined && !step.pair.noTransaction;
}

/** A lock timeout of a no-transaction migration: the note added to its message. */
export function notRetriedNote(error: unknown, step: PlannedStep | undefined): string | undefined {
  if (!(error instanceof SqlError) || error.sqlState !== '55P03' || !step?.pair.noTransaction) return undefined;
  return `not retried after the lock timeout: ${step.pair.name} runs without a transaction`;
}

/** Sleep `ms`, or less when `signal` aborts. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

export interface RetryLoop {
  readonly settings: LockRetrySettings;
  readonly signal?: AbortSignal | undefined;
  readonly onRetry?: ((retry: LockRetry) => void) | undefined;
  /** Runs the steps not yet committed; given those committed by earlier attempts; returns every step committed. */
  readonly attempt: (steps: readonly PlannedStep[], committedBefore: readonly MigrationStep[]) => Promise<MigrationStep[]>;
}

/**
 * Run `steps`, and after a retryable lock timeout wait and run the rest again (from the migration that timed out), up
 * to `retries` times per migration. The last lock timeout is thrown with "gave up after N attempts" added.
 */
export async function runWithLockRetries(steps: readonly PlannedStep[], loop: RetryLoop): Promise<{ committed: MigrationStep[]; retries: LockRetry[] }> {
  const retries: LockRetry[] = [];
  let committed: MigrationStep[] = [];
  let remaining = [...steps];
  let failures = 0;
  let failing: string | undefined;
  for (;;) {
    try {
      committed = await loop.attempt(remaining, committed);
      return { committed, retries };
    } catch (error) {
      const runCommitted = error instanceof MigrationError ? (error.runState?.committed ?? []) : [];
      const done = new Set(runCommitted.map((c) => c.name));
      const left = remaining.filter((s) => !done.has(s.pair.name));
      const step = left[0];
      const note = notRetriedNote(error, step);
      if (note && error instanceof MigrationError) error.message = `${error.message} (${note})`;
      if (!isRetryableLockTimeout(error, step)) throw error;
      if (step!.pair.name !== failing) {
        failing = step!.pair.name;
        failures = 0;
      }
      failures += 1;
      const attempts = loop.settings.retries + 1;
      const sqlError = error as SqlError;
      if (loop.settings.retries === 0) throw sqlError;
      if (failures >= attempts || loop.signal?.aborted) {
        const gaveUp = loop.signal?.aborted
          ? `stopped retrying: ${String(loop.signal.reason ?? 'a signal')}`
          : `gave up after ${attempts} attempt${attempts === 1 ? '' : 's'} (MIGRATE_LOCK_RETRIES=${loop.settings.retries})`;
        sqlError.message = `${sqlError.message} (${gaveUp})`;
        throw sqlError;
      }
      const delayMs = backoffDelay(failures, loop.settings.baseDelayMs);
      const retry: LockRetry = { name: step!.pair.name, attempt: failures, attempts, delayMs, error: sqlError.message };
      retries.push(retry);
      loop.onRetry?.(retry);
      committed = [...runCommitted];
      remaining = left;
      await pause(delayMs, loop.signal);
    }
  }
}

/** One line for a retry: "attempt 1 of 4 of X hit the lock timeout (<error naming the blocker>); retrying in 0.8 s". */
export function describeRetry(retry: LockRetry): string {
  return `attempt ${retry.attempt} of ${retry.attempts} of ${retry.name} hit the lock timeout and was rolled back (${retry.error}); retrying in ${(retry.delayMs / 1000).toFixed(1)} s`;
}
