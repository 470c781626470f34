// The report as JSON: every violation (static, executed, drift), the layout of each folder, what the executed proof
// measured and the drift's differences. Absent parts are null, so the shape never changes.
import { allViolations, type VerifyReport } from './types.js';

export function formatJson(report: VerifyReport): string {
  const violations = allViolations(report).map((v) => ({
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
  const executed = report.executed
    ? {
        migrations: report.executed.runs.flatMap((r) => r.migrations.map((m) => ({ name: m.name, upMs: m.upMs, downMs: m.downMs ?? null, irreversible: m.irreversible }))),
        locks: report.executed.runs.flatMap((r) => r.migrations.flatMap((m) => m.locks)),
        totalMs: report.executed.runs.reduce((sum, r) => sum + r.totalMs, 0),
      }
    : null;
  const drift = report.drift ? { differences: report.drift.differences } : null;
  return `${JSON.stringify({ files: report.static?.files ?? 0, layouts: report.static?.layouts ?? [], violations, executed, drift }, null, 2)}\n`;
}
