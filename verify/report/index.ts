// Output formats: pure functions from one VerifyReport to text. Positions were computed once, in source-position.ts.
import { formatGithub } from './github.js';
import { formatJson } from './json.js';
import { formatSarif } from './sarif.js';
import { formatText, type TextOptions } from './text.js';
import type { Format, VerifyReport } from './types.js';

export { formatGithub, formatJson, formatSarif, formatText, type TextOptions };
export { FORMATS, allViolations, layoutLine, type DriftResults, type MigrationRun, type ExecutedResults, type ExecutedRun, type Format, type LayoutCount, type RuleDescriptor, type StaticResults, type StatementLocks, type VerifyReport } from './types.js';

export function render(format: Format, report: VerifyReport, options: TextOptions = { color: false }): string {
  switch (format) {
    case 'json':
      return formatJson(report);
    case 'sarif':
      return formatSarif(report);
    case 'github':
      return formatGithub(report);
    default:
      return formatText(report, options);
  }
}
