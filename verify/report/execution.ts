// The executed proof as data (JSON, SARIF), and its lock table in words (text, GitHub); the run's summary lines
// come with each run (verify/execute/summary.ts).
import type { ExecutedResults } from './types.js';
import type { LockHeld } from '../execute/types.js';
import { LOCK_RANK } from '../lock-table.js';
import type { LockMode } from '../rule.js';

/** What JSON and SARIF carry of the executed proof: each migration's verdict and timings, each statement's locks, per folder what the run found. */
export function executedData(executed: ExecutedResults) {
  return {
    migrations: executed.runs.flatMap((r) => r.migrations.map((m) => ({ name: m.name, upMs: m.upMs, downMs: m.downMs ?? null, irreversible: m.irreversible, verdict: m.verdict, applied: m.applied }))),
    locks: executed.runs.flatMap((r) => r.migrations.flatMap((m) => m.locks)),
    totalMs: executed.runs.reduce((sum, r) => sum + r.totalMs, 0),
    runs: executed.runs.map((r) => ({ layout: r.layout ?? null, checked: r.migrations.length, failed: r.failed, notRun: r.notRun, rebuilds: r.rebuilds, outside: r.outside, summary: r.summary })),
  };
}

export interface LockLineOptions {
  /** Columns to wrap to (the terminal's width; 100 when not a terminal). */
  readonly width: number;
}

const HOW: Readonly<Record<string, string>> = {
  held: 'already held by the transaction',
  observed: 'observed from another session while it ran',
  documented: "PostgreSQL's documented lock, not observed",
};

/**
 * The lock report: per statement that took or needed a relation lock, its file:line, its whole text and its locks
 * (the strongest per relation, strongest first), wrapped to `width`; only the migrations in `locksShown` when set,
 * then a line saying how many were left out. Empty when no statement took a lock.
 */
export function lockLines(executed: ExecutedResults, options: LockLineOptions = { width: 100 }): string[] {
  const shown = executed.locksShown ? new Set(executed.locksShown) : undefined;
  const migrations = executed.runs.flatMap((run) => run.migrations);
  const out: string[] = [];
  let hidden = 0;
  for (const migration of migrations) {
    const rows = migration.locks.filter((s) => s.locks.length > 0);
    if (rows.length === 0) continue;
    if (shown && !shown.has(migration.name)) {
      hidden++;
      continue;
    }
    for (const row of rows) {
      out.push(`  ${row.file}:${row.line}${row.outside ? '  (outside a transaction)' : ''}`);
      out.push(...wrap(row.statement, options.width, '      '));
      out.push(...wrap(`locks: ${strongestPerRelation(row.locks)}`, options.width, '    ', '      '));
    }
  }
  if (hidden > 0) out.push(`  (${hidden} migration${hidden === 1 ? '' : 's'} unchanged since the last report not shown: --locks=all, or make verify-db LOCKS=all, shows every one)`);
  return out;
}

/** Words wrapped to `width` columns; a word longer than a line is cut. */
export function wrap(text: string, width: number, indent: string, next = indent): string[] {
  const lines: string[] = [];
  let line = '';
  let prefix = indent;
  const room = (): number => Math.max(20, width - prefix.length);
  for (let word of text.split(' ').filter((w) => w.length > 0)) {
    while ([...word].length > room()) {
      if (line) {
        lines.push(prefix + line);
        prefix = next;
        line = '';
      }
      const chars = [...word];
      lines.push(prefix + chars.slice(0, room()).join(''));
      prefix = next;
      word = chars.slice(room()).join('');
    }
    if (!word) continue;
    if (line && [...line].length + 1 + [...word].length > room()) {
      lines.push(prefix + line);
      prefix = next;
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(prefix + line);
  return lines;
}

/** "AccessExclusiveLock on users (already held by the transaction), ShareLock on x": the strongest mode per relation, strongest first. */
function strongestPerRelation(locks: readonly LockHeld[]): string {
  const best = new Map<string, LockHeld>();
  for (const lock of locks) {
    const known = best.get(lock.relation);
    if (!known || LOCK_RANK.indexOf(lock.mode as LockMode) > LOCK_RANK.indexOf(known.mode as LockMode)) best.set(lock.relation, lock);
  }
  const sorted = [...best.values()].sort((a, b) => LOCK_RANK.indexOf(b.mode as LockMode) - LOCK_RANK.indexOf(a.mode as LockMode) || (a.relation < b.relation ? -1 : 1));
  return sorted.map((l) => `${l.mode} on ${l.relation}${l.how ? ` (${HOW[l.how]})` : ''}`).join(', ');
}
