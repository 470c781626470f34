// The executed proof as data (JSON, SARIF), and its lock table in words (text, GitHub); the run's summary lines
// come with each run (verify/execute/summary.ts).
import type { ExecutedResults } from './types.js';

/** What JSON and SARIF carry of the executed proof: each migration's verdict and timings, each statement's locks, per folder what the run found. */
export function executedData(executed: ExecutedResults) {
  return {
    migrations: executed.runs.flatMap((r) => r.migrations.map((m) => ({ name: m.name, upMs: m.upMs, downMs: m.downMs ?? null, irreversible: m.irreversible, verdict: m.verdict, applied: m.applied }))),
    locks: executed.runs.flatMap((r) => r.migrations.flatMap((m) => m.locks)),
    totalMs: executed.runs.reduce((sum, r) => sum + r.totalMs, 0),
    runs: executed.runs.map((r) => ({ layout: r.layout ?? null, checked: r.migrations.length, failed: r.failed, notRun: r.notRun, rebuilds: r.rebuilds, outside: r.outside, summary: r.summary })),
  };
}

/** A short lock table per statement that took relation locks; empty when none did. */
export function lockLines(executed: ExecutedResults): string[] {
  const rows = executed.runs.flatMap((run) => run.migrations.flatMap((m) => m.locks.filter((s) => s.locks.length > 0)));
  return rows.map((row) => `  ${`${row.file}:${row.line}`.padEnd(60)} ${row.statement.padEnd(40).slice(0, 40)}  ${strongestPerRelation(row.locks)}`);
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
