// Output formats: pure functions from violations to text. Positions were computed once, in source-position.ts.
import type { Violation } from './rule.js';

export type Format = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];

export interface TextOptions {
  readonly color: boolean;
  /** The source line, for the code frame; '' when unknown. */
  readonly lineText: (file: string, line: number) => string;
  readonly files: number;
}

const paint = (on: boolean, code: number, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

export function formatText(violations: readonly Violation[], options: TextOptions): string {
  const out: string[] = [];
  for (const v of violations) {
    const severity = paint(options.color, v.severity === 'error' ? 31 : 33, v.severity);
    out.push(`${paint(options.color, 1, `${v.file}:${v.line}:${v.column}`)}  ${severity}  ${paint(options.color, 2, v.rule)}  ${v.message}`);
    if (v.help) out.push(`  help: ${v.help}`);
    const source = options.lineText(v.file, v.line);
    if (source) {
      const gutter = String(v.line).length;
      const width = v.endLine === v.line ? Math.max(1, v.endColumn - v.column) : Math.max(1, [...source].length - v.column + 1);
      out.push(`  ${paint(options.color, 2, `${v.line} |`)} ${source}`);
      out.push(`  ${' '.repeat(gutter)} ${paint(options.color, 2, '|')} ${' '.repeat(Math.max(0, v.column - 1))}${paint(options.color, v.severity === 'error' ? 31 : 33, '^'.repeat(Math.min(width, 80)))}`);
    }
    out.push('');
  }
  const errors = violations.filter((v) => v.severity === 'error').length;
  const warnings = violations.length - errors;
  out.push(`${options.files} file${options.files === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`);
  return `${out.join('\n')}\n`;
}

export function formatJson(violations: readonly Violation[], files: number, extra: Record<string, unknown> = {}): string {
  const list = violations.map((v) => ({
    file: v.file,
    line: v.line,
    column: v.column,
    endLine: v.endLine,
    endColumn: v.endColumn,
    rule: v.rule,
    severity: v.severity,
    message: v.message,
    help: v.help ?? null,
  }));
  return `${JSON.stringify({ files, violations: list, ...extra }, null, 2)}\n`;
}

export interface RuleDescription {
  readonly name: string;
  readonly description: string;
  readonly severity: string;
}

/** SARIF 2.1.0, for code-scanning upload. */
export function formatSarif(violations: readonly Violation[], rules: readonly RuleDescription[], version: string): string {
  const ids = rules.map((r) => r.name);
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'verify-migrations',
            version,
            informationUri: 'https://www.postgresql.org/docs/current/sql-commands.html',
            rules: rules.map((r) => ({
              id: r.name,
              shortDescription: { text: r.description },
              defaultConfiguration: { level: r.severity === 'warning' ? 'warning' : 'error' },
            })),
          },
        },
        results: violations.map((v) => ({
          ruleId: v.rule,
          ...(ids.includes(v.rule) ? { ruleIndex: ids.indexOf(v.rule) } : {}),
          level: v.severity === 'warning' ? 'warning' : 'error',
          message: { text: v.help ? `${v.message} ${v.help}` : v.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: v.file },
                region: { startLine: Math.max(1, v.line), startColumn: Math.max(1, v.column), endLine: Math.max(1, v.endLine), endColumn: Math.max(1, v.endColumn) },
              },
            },
          ],
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}

/** GitHub Actions workflow commands. */
export function formatGithub(violations: readonly Violation[]): string {
  const escape = (text: string): string => text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const property = (text: string): string => escape(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
  return violations
    .map((v) => `::${v.severity === 'error' ? 'error' : 'warning'} file=${property(v.file)},line=${v.line},col=${v.column},endLine=${v.endLine},endColumn=${v.endColumn},title=${property(v.rule)}::${escape(v.help ? `${v.message} ${v.help}` : v.message)}`)
    .map((line) => `${line}\n`)
    .join('');
}

export interface ExecutionSummary {
  readonly migrations: ReadonlyArray<{ readonly name: string; readonly upMs: number; readonly downMs?: number; readonly irreversible: boolean; readonly locks: ReadonlyArray<{ readonly file: string; readonly line: number; readonly statement: string; readonly locks: ReadonlyArray<{ readonly relation: string; readonly mode: string }> }> }>;
  readonly totalMs: number;
  /** The run's summary lines (verify/execute/summary.ts), printed instead of the timing line when given. */
  readonly summary?: readonly string[];
}

/** The executed run in text: a short lock table per statement that took relation locks, then timings. */
export function formatExecutionText(runs: readonly ExecutionSummary[]): string {
  const out: string[] = [];
  const rows = runs.flatMap((run) => run.migrations.flatMap((m) => m.locks.filter((s) => s.locks.length > 0)));
  if (rows.length) {
    out.push('Locks taken, statement by statement (executed on PostgreSQL):');
    for (const row of rows) {
      const locks = strongestPerRelation(row.locks);
      out.push(`  ${`${row.file}:${row.line}`.padEnd(60)} ${row.statement.padEnd(40).slice(0, 40)}  ${locks}`);
    }
    out.push('');
  }
  for (const run of runs) {
    if (run.summary) {
      out.push(...run.summary);
      continue;
    }
    const ups = run.migrations.map((m) => m.upMs);
    const downs = run.migrations.flatMap((m) => (m.downMs === undefined ? [] : [m.downMs]));
    const irreversible = run.migrations.filter((m) => m.irreversible).map((m) => m.name);
    out.push(
      `Executed ${run.migrations.length} migration${run.migrations.length === 1 ? '' : 's'} up, down and up again in ${formatMs(run.totalMs)} (median up ${formatMs(median(ups))}, down ${formatMs(median(downs))}).` +
        (irreversible.length ? ` Applied up only (irreversible): ${irreversible.join(', ')}.` : ''),
    );
  }
  return `${out.join('\n')}\n`;
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
