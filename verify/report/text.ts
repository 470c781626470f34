// The report for a terminal: the layout of each folder, each violation with its code frame, a summary, then what
// the executed proof measured and any drift the violations do not already say.
import { LineIndex } from '../../core/migrations/source-position.js';
import type { Violation } from '../rule.js';
import { lockLines } from './execution.js';
import { allViolations, hasPosition, layoutLine, type VerifyReport } from './types.js';
import { printable, printableLines, printableSource } from '../../core/printable.js';

export interface TextOptions {
  readonly color: boolean;
  /** Columns to wrap the lock report to; default 100. */
  readonly width?: number;
}

const paint = (on: boolean, code: number, text: string): string => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

export function formatText(report: VerifyReport, options: TextOptions): string {
  const out: string[] = [];
  const violations = allViolations(report);
  const lineText = sourceLines(report.sources);
  const docs = new Map(report.rules.filter((r) => r.doc).map((r) => [r.id, r.doc!]));
  for (const entry of report.static?.layouts ?? []) out.push(printable(layoutLine(entry)));
  if (out.length && violations.length) out.push('');
  for (const v of violations) {
    const severity = paint(options.color, v.severity === 'error' ? 31 : 33, v.severity);
    const where = printable(hasPosition(v) ? `${v.file}:${v.line}:${v.column}` : v.file);
    out.push(`${paint(options.color, 1, where)}  ${severity}  ${paint(options.color, 2, v.rule)}  ${printable(v.message)}`);
    if (v.help) out.push(`  help: ${printable(v.help)}`);
    const source = hasPosition(v) ? lineText(v.file, v.line) : '';
    if (source) out.push(...codeFrame(v, source, options.color));
    // Where to read more: the rule's doc beside its code (verify-migrations --explain <rule> prints it).
    const doc = docs.get(v.rule);
    if (doc) out.push(`  docs: ${doc}`);
    out.push('');
  }
  const errors = violations.filter((v) => v.severity === 'error').length;
  const warnings = violations.length - errors;
  const counts = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
  if (report.static) out.push(`${report.static.files} file${report.static.files === 1 ? '' : 's'} checked: ${counts}`);
  else if (report.drift) out.push(`Drift check: ${counts}`);
  if (report.drift) {
    // A difference that is not already a violation's message (e.g. when replaying the migrations failed).
    const said = report.drift.violations.map((v) => v.message);
    for (const difference of report.drift.differences) if (!said.some((m) => m.includes(difference))) out.push(`drift: ${printable(difference)}`);
    const reconcile = report.drift.reconcile ?? [];
    if (reconcile.length) out.push('', 'To make the database match the migrations (printed for review, never run):', ...reconcile.map(printableLines));
  }
  if (report.executed) {
    const locks = lockLines(report.executed, { width: options.width ?? 100 });
    if (locks.length) out.push('', 'Locks taken, statement by statement (executed on PostgreSQL):', ...locks.map(printableLines), '');
    out.push(...report.executed.runs.flatMap((run) => run.summary).map(printableLines));
  }
  return `${out.join('\n')}\n`;
}

/** The most of a source line a code frame shows: a minified file's one line can be megabytes long. */
const FRAME_CHARACTERS = 160;
/** How much of the line before the reported column stays in view when the line is cut. */
const FRAME_LEAD = 60;

function codeFrame(v: Violation, source: string, color: boolean): string[] {
  const gutter = String(v.line).length;
  const characters = [...source];
  const width = v.endLine === v.line ? Math.max(1, v.endColumn - v.column) : Math.max(1, characters.length - v.column + 1);
  // A long line is shown as a window around the column, cut with an ellipsis on the side that goes on.
  const from = characters.length > FRAME_CHARACTERS ? Math.min(Math.max(0, v.column - 1 - FRAME_LEAD), characters.length - FRAME_CHARACTERS) : 0;
  const to = Math.min(characters.length, from + FRAME_CHARACTERS);
  const shown = `${from > 0 ? '…' : ''}${printableSource(characters.slice(from, to).join(''))}${to < characters.length ? '…' : ''}`;
  const column = v.column - 1 - from + (from > 0 ? 1 : 0);
  // Within a cut line the carets stop at its cut end.
  const visible = to < characters.length ? to - from - Math.max(0, v.column - 1 - from) : Infinity;
  const caret = paint(color, v.severity === 'error' ? 31 : 33, '^'.repeat(Math.max(1, Math.min(width, 80, visible))));
  return [`  ${paint(color, 2, `${v.line} |`)} ${shown}`, `  ${' '.repeat(gutter)} ${paint(color, 2, '|')} ${' '.repeat(Math.max(0, column))}${caret}`];
}

/** The text of a line of a verified file, '' when the report does not carry that file. */
function sourceLines(sources: ReadonlyMap<string, string>): (file: string, line: number) => string {
  const indexes = new Map<string, LineIndex | undefined>();
  return (file, line) => {
    if (!indexes.has(file)) {
      const text = sources.get(file);
      indexes.set(file, text === undefined ? undefined : new LineIndex(text));
    }
    return indexes.get(file)?.lineText(line) ?? '';
  };
}
