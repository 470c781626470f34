// The executed run in words: how many migrations were checked, which failed, what was applied up only, what was
// not run, and what the run found outside the scratch database. Every migration given is in exactly one count.
import type { ExecuteReport } from './types.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function list(names: readonly string[], max = 10): string {
  return names.length > max ? `${names.slice(0, max).join(', ')} and ${names.length - max} more` : names.join(', ');
}

function ms(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : value >= 10 ? `${Math.round(value)} ms` : `${value.toFixed(1)} ms`;
}

/** One line per fact, without line endings. */
export function executedSummary(report: ExecuteReport, layout?: string): string[] {
  const runs = report.migrations;
  const passed = runs.filter((m) => m.verdict === 'passed').length;
  const upOnly = runs.filter((m) => m.verdict === 'up-only');
  const total = runs.length + report.notRun.length;
  const perMigration = runs.length ? report.totalMs / runs.length : 0;
  const lines = [
    `Executed ${plural(runs.length, 'migration')}${total !== runs.length ? ` of ${total}` : ''}${layout ? ` (${layout} layout)` : ''} up, down and up again in ${ms(report.totalMs)} (${ms(perMigration)} per migration): ` +
      `${passed} passed, ${report.failed.length} failed${upOnly.length ? `, ${upOnly.length} applied up only` : ''}.`,
  ];
  if (report.failed.length) {
    const skipped = runs.filter((m) => !m.applied).map((m) => m.name);
    lines.push(`Failed: ${list(report.failed)}.${skipped.length ? ` Their up failed, so the chain went on without: ${list(skipped)}.` : ''}`);
  }
  if (upOnly.length) {
    const irreversible = upOnly.filter((m) => m.irreversible).map((m) => m.name);
    const noDown = upOnly.filter((m) => !m.irreversible).map((m) => m.name);
    if (irreversible.length) lines.push(`Applied up only (irreversible): ${list(irreversible)}.`);
    if (noDown.length) lines.push(`Applied up only (no down): ${list(noDown)}.`);
  }
  if (report.notRun.length) lines.push(`Not run, because the chain could not be rebuilt after the last failure: ${list(report.notRun)}.`);
  if (report.rebuilds.count) lines.push(`The scratch database was rebuilt ${plural(report.rebuilds.count, 'time')} after a failure (${report.rebuilds.fromCopy} from a copy), in ${ms(report.rebuilds.ms)}.`);
  for (const o of report.outside) {
    const what = `${o.kind} ${o.name}`;
    if (o.change === 'dropped') lines.push(`Outside the scratch database: ${o.migration} dropped ${what}; ${o.problem ?? 'it is not restored'}.`);
    else if (o.removed) lines.push(`Outside the scratch database: ${o.migration} creates ${what}; the run dropped it afterwards.`);
    else lines.push(`Outside the scratch database: ${o.migration} creates ${what}, which could not be removed: ${o.problem ?? 'unknown reason'}.`);
  }
  if (report.staleDropped.length) lines.push(`Dropped ${plural(report.staleDropped.length, 'scratch database')} left by earlier runs that are gone: ${list(report.staleDropped)}.`);
  return lines;
}
