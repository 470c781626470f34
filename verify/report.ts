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
