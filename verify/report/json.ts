// The report as JSON: every violation (static, executed, drift), the layout of each folder, what the executed proof
// measured and the drift's differences. Absent parts are null, so the shape never changes.
import { executedData } from './execution.js';
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
  const executed = report.executed ? executedData(report.executed) : null;
  const drift = report.drift ? { differences: report.drift.differences, reconcile: report.drift.reconcile ?? [] } : null;
  return `${JSON.stringify({ files: report.static?.files ?? 0, layouts: report.static?.layouts ?? [], violations, executed, drift }, null, 2)}\n`;
}
