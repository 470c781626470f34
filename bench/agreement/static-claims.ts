// The static side: verify() with the rule down-reverses-up over the whole folder (so the schema model replays every
// migration), its violations grouped by migration. A migration with at least one is a claim "this down does not
// restore the schema".
import type { Migration } from '../../core/migrations/layout.js';
import { rules, verify, type Violation } from '../../verify/index.js';

export const STATIC_RULE = 'down-reverses-up';

/** Violations of the rule per migration name (every migration of the folder, cut or not). */
export async function staticClaims(directory: string): Promise<Map<string, Violation[]>> {
  const rule = rules.find((r) => r.meta.name === STATIC_RULE);
  if (!rule) throw new Error(`the verifier has no rule ${STATIC_RULE}`);
  const result = await verify({ paths: [directory], rules: [rule], cache: false });
  return claimsByMigration(result.migrations, result.violations);
}

export function claimsByMigration(migrations: readonly Migration[], violations: readonly Violation[]): Map<string, Violation[]> {
  const byFile = new Map<string, string>();
  for (const migration of migrations) {
    byFile.set(migration.up.path, migration.name);
    if (migration.down) byFile.set(migration.down.path, migration.name);
  }
  const claims = new Map<string, Violation[]>();
  for (const violation of violations) {
    if (violation.rule !== STATIC_RULE) continue;
    const name = byFile.get(violation.file);
    if (name === undefined) continue;
    const list = claims.get(name) ?? [];
    list.push(violation);
    claims.set(name, list);
  }
  return claims;
}
