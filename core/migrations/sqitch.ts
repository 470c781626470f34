// Sqitch: `sqitch.plan` orders the changes; each has deploy/<change>.sql, revert/<change>.sql (and verify/<change>.sql,
// not a migration). A change reworked later keeps its earlier scripts as <change>@<tag>.sql.
import type { ListingEntry, MigrationFileName, SetProblem } from './layout.js';

export const SQITCH_PLAN = 'sqitch.plan';

/** The plan's changes in order: the name, and the tag that follows it (for a reworked change's earlier scripts). */
export function planChanges(plan: string): { name: string; line: number; tagAfter?: string }[] {
  const changes: { name: string; line: number; tagAfter?: string }[] = [];
  for (const [i, raw] of plan.split('\n').entries()) {
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('%') || line.startsWith('#')) continue;
    if (line.startsWith('@')) {
      const tag = line.slice(1).split(/\s/)[0]!;
      for (const change of changes) change.tagAfter ??= tag;
      continue;
    }
    const name = line.split(/\s/)[0]!;
    changes.push({ name, line: i + 1 });
  }
  return changes;
}

/** The migration files of a Sqitch project folder, in plan order; a planned change without a deploy script is reported. */
export function sqitchFiles(entries: readonly ListingEntry[], plan: string): { files: MigrationFileName[]; problems: SetProblem[] } {
  const folder = (name: string): ReadonlySet<string> => new Set(entries.find((e) => e.name === name)?.children ?? []);
  const deploy = folder('deploy');
  const revert = folder('revert');
  const changes = planChanges(plan);
  const files: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  for (const [index, change] of changes.entries()) {
    const reworked = changes.slice(index + 1).some((later) => later.name === change.name);
    const script = reworked && change.tagAfter ? `${change.name}@${change.tagAfter}.sql` : `${change.name}.sql`;
    const base = { version: String(index + 1).padStart(5, '0'), name: change.name, layout: 'sqitch' as const };
    if (!deploy.has(script)) {
      problems.push({ path: SQITCH_PLAN, code: 'unpaired-down', message: `Change ${change.name} (${SQITCH_PLAN} line ${change.line}) has no deploy/${script}: add it, or remove the change from the plan.` });
      continue;
    }
    files.push({ ...base, path: `deploy/${script}`, direction: 'up' });
    if (revert.has(script)) files.push({ ...base, path: `revert/${script}`, direction: 'down' });
  }
  return { files, problems };
}
