// GitHub Actions workflow commands: one annotation per violation (static, executed, drift), a notice per folder's
// layout and per executed run, and the executed lock table folded in a log group.
import { lockLines } from './execution.js';
import { allViolations, hasPosition, layoutLine, type VerifyReport } from './types.js';
import { printable, printableLines } from '../../core/printable.js';

// %0A keeps a message's own line breaks in the annotation; any other control character is written as an escape.
const escape = (text: string): string => printable(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
const property = (text: string): string => escape(text).replace(/:/g, '%3A').replace(/,/g, '%2C');

export function formatGithub(report: VerifyReport): string {
  const out: string[] = [];
  for (const v of allViolations(report)) {
    const level = v.severity === 'error' ? 'error' : 'warning';
    const text = escape(v.help ? `${v.message} ${v.help}` : v.message);
    if (hasPosition(v)) out.push(`::${level} file=${property(v.file)},line=${v.line},col=${v.column},endLine=${v.endLine},endColumn=${v.endColumn},title=${property(v.rule)}::${text}`);
    // A drift violation points at the target database, not at a file.
    else out.push(`::${level} title=${property(`${v.rule} (${v.file})`)}::${text}`);
  }
  for (const entry of report.static?.layouts ?? []) out.push(`::notice title=verify-migrations::${escape(layoutLine(entry))}`);
  if (report.executed) {
    for (const line of report.executed.runs.flatMap((run) => run.summary)) out.push(`::notice title=verify-migrations --execute::${escape(line)}`);
    const locks = lockLines(report.executed);
    if (locks.length) out.push('::group::Locks taken, statement by statement (executed on PostgreSQL)', ...locks.map(printableLines), '::endgroup::');
  }
  return out.map((line) => `${line}\n`).join('');
}
