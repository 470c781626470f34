// Applying directives: the raw reports of the rules, filtered by -- verify:ignore, -- verify:allow-destructive and
// -- verify:irreversible (as each rule's meta.allowedBy says), with severities; then syntax errors and directive
// problems (unknown, unused) of the files. Returns violations with line:column.
import type { Directive } from '../core/migrations/directives.js';
import type { Migration, SourceFile } from '../core/migrations/layout.js';
import type { Statement } from '../core/migrations/parse.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { formatMessage, type Rule, type Severity, type VerifyOptions, type Violation } from './rule.js';
import { elementEnd } from './spans.js';

export type SeverityOf = (rule: string, fallback: Severity) => Severity | undefined;

export interface RawViolation {
  readonly rule: Rule;
  readonly messageId: string;
  readonly file: SourceFile;
  readonly at: number;
  readonly endAt?: number;
  readonly data?: Readonly<Record<string, string | number>>;
}

export function pushBuiltin(out: Violation[], severityOf: SeverityOf, rule: string, file: string, line: number, column: number, message: string, endLine = line, endColumn = column, fallback?: Severity): void {
  const severity = severityOf(rule, fallback ?? BUILTIN_RULES[rule]?.severity ?? 'error');
  if (!severity) return;
  out.push({ file, line, column, endLine, endColumn, rule, severity, message });
}

/** Apply directives to the raw reports, then add syntax errors and directive problems. */
export function applyDirectives(migration: Migration, raw: RawViolation[], severityOf: SeverityOf, options: VerifyOptions, files: SourceFile[], known: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const used = new Set<Directive>();
  const irreversible = [migration.down, migration.up].flatMap((f) => f?.directives.filter((d) => d.kind === 'irreversible') ?? []);
  // Which rules reported each place, for meta.supersedes: the more specific finding stands alone. The place is the
  // byte a rule points at (the constraint, the column), so two constraints of one ALTER TABLE stay two places.
  const reportedAt = new Map<string, Rule[]>();
  const statementKey = (report: RawViolation): string => `${report.file.path}\0${report.at}`;
  for (const report of raw) {
    const key = statementKey(report);
    reportedAt.set(key, [...(reportedAt.get(key) ?? []), report.rule]);
  }
  for (const report of raw) {
    const meta = report.rule.meta;
    const statement = statementAt(report.file.parsed.statements, report.at);
    const covers = (d: Directive): boolean => d.scope === 'file' || (statement !== undefined && d.scope === statement.index);
    // A file-wide ignore in the other file of the migration covers the migration too (a finding about the up is often
    // answered in the down, where the author explains why it does not undo it).
    const other = files.find((f) => f !== report.file && f.path !== report.file.path);
    const ignores = (d: Directive): boolean => d.kind === 'ignore' && d.rules.includes(meta.name);
    const ignore = report.file.directives.find((d) => ignores(d) && covers(d)) ?? other?.directives.find((d) => ignores(d) && d.scope === 'file');
    if (ignore) {
      used.add(ignore);
      continue;
    }
    if (reportedAt.get(statementKey(report))?.some((other) => other.meta.supersedes?.includes(meta.name))) continue;
    if (meta.allowedBy === 'allow-destructive') {
      if (options.allowDestructive) continue;
      const allow = report.file.directives.find((d) => d.kind === 'allow-destructive' && covers(d));
      if (allow) {
        used.add(allow);
        continue;
      }
    }
    if (meta.allowedBy === 'irreversible' && migration.irreversible !== undefined) {
      irreversible.forEach((d) => used.add(d));
      continue;
    }
    const severity = severityOf(meta.name, meta.severity);
    if (!severity) continue;
    const start = report.file.lines.position(report.at);
    // Without an end from the rule: the statement, or the list element (column, constraint, command) the report starts.
    const end = report.file.lines.position(report.endAt ?? (statement && report.at > statement.start ? elementEnd(report.file.lines, report.at, statement.end) : statement?.end) ?? report.at);
    const template = meta.messages[report.messageId] ?? report.messageId;
    const help = meta.help?.[report.messageId];
    out.push({
      file: report.file.path,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      rule: meta.name,
      severity,
      message: formatMessage(template, report.data),
      messageId: report.messageId,
      ...(help ? { help: formatMessage(help, report.data) } : {}),
    });
  }
  // The runner refuses an up with no statement (make new's template holds only comments), and a down with none unless it
  // says -- verify:irreversible <reason>: say so before it does. That directive is then what the down needs, never unused.
  const up = migration.up;
  if (migration.layout === 'paired' && !up.parsed.error && up.parsed.statements.length === 0) {
    pushBuiltin(out, severityOf, 'empty-migration', up.path, 1, 1, `${up.path.split('/').pop()} holds no SQL statement, so the runner refuses it: write the change, one change per migration.`);
  }
  const down = migration.down;
  if (migration.layout === 'paired' && down && !down.parsed.error && down.parsed.statements.length === 0) {
    const needed = down.directives.filter((d) => d.kind === 'irreversible');
    if (needed.length) needed.forEach((d) => used.add(d));
    // Both empty (make new's templates): one finding, at the up. A rule that -- verify:irreversible answers has already
    // said the migration cannot be rolled back (an empty down after a schema change): that finding stands alone.
    else if (up.parsed.statements.length > 0 && !raw.some((r) => r.rule.meta.allowedBy === 'irreversible')) pushBuiltin(out, severityOf, 'empty-migration', down.path, 1, 1, `${down.path.split('/').pop()} holds no SQL statement, so the runner refuses it: write the statements that undo the up, or say why it cannot be undone with -- verify:irreversible <reason>.`);
  }
  for (const file of files) {
    const error = file.parsed.error;
    if (error) {
      const at = file.lines.position(error.offset);
      pushBuiltin(out, severityOf, 'syntax-error', file.path, at.line, at.column, `${capitalize(error.message)}.`);
    }
    for (const directive of file.directives) {
      const at = file.lines.position(directive.start);
      const end = file.lines.position(directive.end);
      const unknown = directive.kind === 'ignore' ? directive.rules.filter((r) => !known.has(r)) : [];
      if (unknown.length) {
        pushBuiltin(out, severityOf, 'invalid-directive', file.path, at.line, at.column, `Directive verify:ignore names unknown rule ${unknown.join(', ')}: check the spelling (verify-migrations --list-rules).`, end.line, end.column);
        continue;
      }
      if (directive.kind === 'invalid') pushBuiltin(out, severityOf, 'invalid-directive', file.path, at.line, at.column, directive.problem ?? 'Invalid directive.', end.line, end.column);
      else if ((directive.kind === 'ignore' || directive.kind === 'allow-destructive' || directive.kind === 'irreversible') && !used.has(directive) && !file.parsed.error) {
        if (directive.kind === 'allow-destructive' && options.allowDestructive) continue;
        if (directive.kind === 'ignore' && directive.rules.some((r) => severityOf(r, 'error') === undefined)) continue;
        const what = directive.kind === 'ignore' ? `verify:ignore ${directive.rules.join(',')}` : `verify:${directive.kind}`;
        const why = directive.scope === 'none' ? 'it stands directly above no statement' : 'nothing here breaks that rule';
        pushBuiltin(out, severityOf, 'unused-directive', file.path, at.line, at.column, `Directive ${what} suppresses nothing (${why}): remove it.`, end.line, end.column);
      }
    }
  }
  return out;
}

/** The statement whose text holds byte `at` (statements are in file order: a binary search, files can hold 100,000). */
function statementAt(statements: readonly Statement[], at: number): Statement | undefined {
  let lo = 0;
  let hi = statements.length - 1;
  let found: Statement | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = statements[mid]!;
    if (candidate.start <= at) {
      found = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && at <= Math.max(found.end, found.start) ? found : undefined;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
