// The static side: verify() with the rule down-reverses-up over the whole folder (so the schema model replays every
// migration), its violations grouped by migration. A migration with at least one is a claim "this down does not
// restore the schema". So is a down the verifier says PostgreSQL will refuse (DOWN_CANNOT_RUN: it does not parse, or
// not on the target version (the judge's, 15), names what is gone or already there, drops what others depend on, builds an index CONCURRENTLY inside a transaction): a
// down that cannot run restores nothing, and the verifier says so once, under the rule that names the cause.
import { resolve } from 'node:path';
import type { Migration } from '../../core/migrations/layout.js';
import { rules, verify, type Violation } from '../../verify/index.js';

export const STATIC_RULE = 'down-reverses-up';
/** Findings in a down that mean PostgreSQL stops it (engine checks and rules). */
export const DOWN_CANNOT_RUN: readonly string[] = ['syntax-error', 'syntax-needs-newer-postgres', 'object-missing', 'object-exists', 'drop-has-dependents', 'ban-concurrent-index-creation-in-transaction'];

/** Violations of the rule per migration name (every migration of the folder, cut or not). */
/** `baseline`: the history's setup, replayed by the schema model first (as `baseline` in verify-migrations.json). */
export async function staticClaims(directory: string, baseline?: string): Promise<Map<string, Violation[]>> {
  const wanted = [STATIC_RULE, ...DOWN_CANNOT_RUN];
  const chosen = rules.filter((r) => wanted.includes(r.meta.name));
  if (!chosen.some((r) => r.meta.name === STATIC_RULE)) throw new Error(`the verifier has no rule ${STATIC_RULE}`);
  const result = await verify({ paths: [directory], rules: chosen, cache: false, ...(baseline ? { baselines: { [resolve(directory)]: resolve(baseline) } } : {}) });
  return claimsByMigration(result.migrations, result.violations);
}

export function claimsByMigration(migrations: readonly Migration[], violations: readonly Violation[]): Map<string, Violation[]> {
  const byFile = new Map<string, string>();
  /** Down files (and down sections, from their first line) by path. */
  const downs = new Map<string, number>();
  for (const migration of migrations) {
    byFile.set(migration.up.path, migration.name);
    if (migration.down) {
      byFile.set(migration.down.path, migration.name);
      const first = migration.down.parsed.statements[0];
      downs.set(`${migration.name}\0${migration.down.path}`, migration.down.path === migration.up.path && first ? migration.down.lines.position(first.start).line : 1);
    }
  }
  const claims = new Map<string, Violation[]>();
  for (const violation of violations) {
    const name = byFile.get(violation.file);
    if (name === undefined) continue;
    const downFrom = downs.get(`${name}\0${violation.file}`);
    const inDown = downFrom !== undefined && violation.line >= downFrom;
    if (violation.rule !== STATIC_RULE && !(inDown && DOWN_CANNOT_RUN.includes(violation.rule))) continue;
    const list = claims.get(name) ?? [];
    list.push(violation);
    claims.set(name, list);
  }
  return claims;
}
