// The executed proof's summary: as data (JSON, SARIF) and in words (text, GitHub): the lock table and the timings.
import type { ExecutedResults, StatementLocks } from './types.js';

/** What JSON and SARIF carry of the executed proof: each migration's timings, each statement's locks, the total. */
export function executedData(executed: ExecutedResults): { migrations: Array<{ name: string; upMs: number; downMs: number | null; irreversible: boolean }>; locks: StatementLocks[]; totalMs: number } {
  return {
    migrations: executed.runs.flatMap((r) => r.migrations.map((m) => ({ name: m.name, upMs: m.upMs, downMs: m.downMs ?? null, irreversible: m.irreversible }))),
    locks: executed.runs.flatMap((r) => r.migrations.flatMap((m) => m.locks)),
    totalMs: executed.runs.reduce((sum, r) => sum + r.totalMs, 0),
  };
}

/** A short lock table per statement that took relation locks; empty when none did. */
export function lockLines(executed: ExecutedResults): string[] {
  const rows = executed.runs.flatMap((run) => run.migrations.flatMap((m) => m.locks.filter((s) => s.locks.length > 0)));
  return rows.map((row) => `  ${`${row.file}:${row.line}`.padEnd(60)} ${row.statement.padEnd(40).slice(0, 40)}  ${strongestPerRelation(row.locks)}`);
}

/** One line per run: how many migrations, how long, which were applied up only. */
export function runLines(executed: ExecutedResults): string[] {
  return executed.runs.map((run) => {
    const ups = run.migrations.map((m) => m.upMs);
    const downs = run.migrations.flatMap((m) => (m.downMs === undefined ? [] : [m.downMs]));
    const irreversible = run.migrations.filter((m) => m.irreversible).map((m) => m.name);
    return (
      `Executed ${run.migrations.length} migration${run.migrations.length === 1 ? '' : 's'} up, down and up again in ${formatMs(run.totalMs)} (median up ${formatMs(median(ups))}, down ${formatMs(median(downs))}).` +
      (irreversible.length ? ` Applied up only (irreversible): ${irreversible.join(', ')}.` : '')
    );
  });
}

const LOCK_RANK = ['AccessShareLock', 'RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'];

/** "AccessExclusiveLock on users, ShareLock on x": the strongest mode per relation, strongest first, at most four. */
function strongestPerRelation(locks: ReadonlyArray<{ readonly relation: string; readonly mode: string }>): string {
  const best = new Map<string, string>();
  for (const lock of locks) {
    const known = best.get(lock.relation);
    if (!known || LOCK_RANK.indexOf(lock.mode) > LOCK_RANK.indexOf(known)) best.set(lock.relation, lock.mode);
  }
  const sorted = [...best].sort((a, b) => LOCK_RANK.indexOf(b[1]) - LOCK_RANK.indexOf(a[1]) || (a[0] < b[0] ? -1 : 1));
  const shown = sorted.slice(0, 4).map(([relation, mode]) => `${mode} on ${relation}`);
  return sorted.length > 4 ? `${shown.join(', ')}, +${sorted.length - 4} more` : shown.join(', ');
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function formatMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`;
}
