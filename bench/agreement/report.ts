// Text of the harness: one line per migration (with what each side said when they disagree), the migrations that
// could not be judged and why, and one Markdown table row per history for docs/reversibility.md.
import type { Tally, MigrationAgreement } from './tally.js';
import { percent } from './tally.js';
import { onlyWhitespace } from './schema-dump.js';
import { isJudged } from './judge.js';

export interface HistoryResult {
  readonly label: string;
  readonly directory: string;
  readonly layouts: readonly string[];
  /** Migrations in the folder, and how many were run (a --limit cuts the history). */
  readonly total: number;
  readonly run: number;
  readonly rows: readonly MigrationAgreement[];
  readonly tally: Tally;
  readonly staticMs: number;
  readonly judgeMs: number;
  /** The SQL run before the first migration, and its statements that failed (the run went on). */
  readonly setupFile?: string;
  readonly setupFailures?: readonly string[];
  /** --executed: the executed proof's claims against the same judge, or why it could not run. */
  readonly executed?: { readonly rows: readonly MigrationAgreement[]; readonly tally: Tally; readonly ms: number } | { readonly unusable: string };
}

const MAX_DIFF_LINES = 4;

function firstLine(text: string, max = 160): string {
  const line = text.split('\n')[0]!.trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

export function formatMigrationLine(row: MigrationAgreement, verbose: boolean): string[] {
  const { judged, claims, outcome } = row;
  const staticSays = claims.length ? `static: ${claims.length} claim${claims.length > 1 ? 's' : ''}` : 'static: none';
  const judgeSays = `judge: ${judged.verdict}`;
  const lines = [`  ${outcome.padEnd(10)} ${row.name}  (${staticSays}; ${judgeSays}; ${Math.round(judged.ms)} ms)`];
  const disagree = outcome === 'FP' || outcome === 'FN';
  if (!disagree && !verbose && outcome !== 'not judged') return lines;
  for (const claim of claims.slice(0, verbose || disagree ? 3 : 0)) lines.push(`      static ${claim.file}:${claim.line}:${claim.column}: ${firstLine(claim.message)}`);
  if (judged.error) lines.push(`      judge  ${judged.verdict === 'up-failed' ? 'up' : 'down'} failed: ${firstLine(judged.error)}`);
  if (judged.partlyApplied) lines.push('      judge  a no-transaction file failed part-way: its first statements stay applied');
  if (judged.difference) {
    const { missing, extra } = judged.difference;
    if (onlyWhitespace(judged.difference)) lines.push('      judge  the dumps differ only in whitespace (a body re-created with other indentation)');
    for (const statement of missing.slice(0, MAX_DIFF_LINES)) lines.push(`      judge  missing after the down: ${firstLine(statement)}`);
    for (const statement of extra.slice(0, MAX_DIFF_LINES)) lines.push(`      judge  left by the down:       ${firstLine(statement)}`);
    const more = missing.length + extra.length - Math.min(missing.length, MAX_DIFF_LINES) - Math.min(extra.length, MAX_DIFF_LINES);
    if (more > 0) lines.push(`      judge  … and ${more} more dump statement${more > 1 ? 's' : ''}`);
  }
  if (judged.reapplyError) lines.push(`      judge  the up again failed (${firstLine(judged.reapplyError)}): the chain goes on from the state after the down`);
  return lines;
}

export function formatHistory(result: HistoryResult, verbose: boolean): string {
  const cut = result.run < result.total ? `the first ${result.run} of ${result.total}` : `${result.total}`;
  const lines = [`${result.label} (${result.directory}; ${result.layouts.join(', ') || 'no migrations'}; ${cut} migrations)`];
  if (result.setupFile) {
    const failed = result.setupFailures ?? [];
    lines.push(`  setup ${result.setupFile}: ${failed.length ? `${failed.length} statement${failed.length > 1 ? 's' : ''} failed, the run went on` : 'ran'}`);
    for (const failure of failed.slice(0, 5)) lines.push(`      ${firstLine(failure)}`);
  }
  for (const row of result.rows) lines.push(...formatMigrationLine(row, verbose));
  lines.push(summaryLine(result));
  if (result.executed) lines.push(...executedLines(result.executed));
  return lines.join('\n');
}

function executedLines(executed: NonNullable<HistoryResult['executed']>): string[] {
  if ('unusable' in executed) return [`executed proof: not measured: ${executed.unusable}`];
  const lines: string[] = [];
  for (const row of executed.rows) {
    if (row.outcome !== 'FP' && row.outcome !== 'FN') continue;
    lines.push(`  executed ${row.outcome} ${row.name}  (judge: ${row.judged.verdict})`);
    for (const claim of row.claims.slice(0, 2)) lines.push(`      executed ${claim.file}:${claim.line}:${claim.column}: ${firstLine(claim.message)}`);
  }
  const t = executed.tally;
  const unjudged = t.notJudged - executed.rows.filter((r) => !isJudged(r.judged.verdict)).length;
  if (unjudged > 0) lines.push(`executed proof: its up failed on ${unjudged} migration${unjudged > 1 ? 's' : ''} the judge ran: not counted`);
  lines.push(`executed proof: TP ${t.tp}, FP ${t.fp}, FN ${t.fn}, TN ${t.tn}; precision ${percent(t.precision)}, recall ${percent(t.recall)}; ${(executed.ms / 1000).toFixed(1)} s`);
  return lines;
}

export function summaryLine(result: HistoryResult): string {
  const t = result.tally;
  const skipped = result.rows.filter((r) => r.outcome === 'not judged');
  const upFailed = skipped.filter((r) => r.judged.verdict === 'up-failed').length;
  const irreversible = skipped.length - upFailed;
  return (
    `${result.label}: judged ${t.tp + t.fp + t.fn + t.tn} of ${result.run}` +
    (upFailed ? ` (${upFailed} up failed: skipped, the chain went on without them)` : '') +
    (irreversible ? ` (${irreversible} marked irreversible)` : '') +
    `; TP ${t.tp}, FP ${t.fp}, FN ${t.fn}, TN ${t.tn}; precision ${percent(t.precision)}, recall ${percent(t.recall)}` +
    `; static ${(result.staticMs / 1000).toFixed(1)} s, judge ${(result.judgeMs / 1000).toFixed(1)} s`
  );
}

export const TABLE_HEADER = [
  '| history | layout | migrations judged | TP | FP | FN | TN | precision | recall | time (static / judge) |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];

export function tableRow(result: HistoryResult): string {
  const t = result.tally;
  const judged = t.tp + t.fp + t.fn + t.tn;
  const of = result.run < result.total ? `${judged} of the first ${result.run} (of ${result.total})` : `${judged} of ${result.total}`;
  const time = `${(result.staticMs / 1000).toFixed(1)} s / ${(result.judgeMs / 1000).toFixed(1)} s`;
  return `| ${result.label} | ${result.layouts.join(', ')} | ${of} | ${t.tp} | ${t.fp} | ${t.fn} | ${t.tn} | ${percent(t.precision)} | ${percent(t.recall)} | ${time} |`;
}
