// The executed proof's side (optional, --executed): verify/execute's executeMigrations() over the same Migration
// objects the judge runs, on its own scratch database (VERIFY_DATABASE_URL's server, else the embedded one). A
// migration with a `down-fails` or `down-restores-schema` violation is a claim that its down does not restore.
// The executed proof takes the one migration model's Migrations only from the version that reads folders through
// core/migrations; an older one (which exports toExecutable) is said to be unusable here, not guessed at.
import type { Migration, SourceFile } from '../../core/migrations/layout.js';
import * as execute from '../../verify/execute/index.js';
import type { Violation } from '../../verify/index.js';

export const EXECUTED_CLAIM_RULES: readonly string[] = ['down-fails', 'down-restores-schema'];

export class ExecutedProofUnusable extends Error {}

interface ModelReport {
  readonly violations: readonly Violation[];
}
type ModelExecute = (migrations: readonly Migration[], options: { url?: string; baseline?: SourceFile }) => Promise<ModelReport>;

export interface ExecutedClaims {
  /** Violations of the executed rules per migration name. */
  readonly claims: Map<string, Violation[]>;
  /** Migrations whose up failed in the executed proof (`up-fails`): it could not judge their down. */
  readonly upFailed: ReadonlySet<string>;
}

/** Throws ExecutedProofUnusable when the API cannot take Migrations. */
export async function executedClaims(migrations: readonly Migration[], url?: string, baseline?: SourceFile): Promise<ExecutedClaims> {
  const api: Record<string, unknown> = execute;
  if ('toExecutable' in api) {
    throw new ExecutedProofUnusable('the executed proof on this branch takes its own ExecutableMigrations, not the migration model\'s: it cannot judge this history the same way');
  }
  const run = api.executeMigrations as ModelExecute;
  const report = await run(migrations, { ...(url ? { url } : {}), ...(baseline ? { baseline } : {}) });
  const byFile = new Map<string, string>();
  for (const migration of migrations) {
    byFile.set(migration.up.path, migration.name);
    if (migration.down) byFile.set(migration.down.path, migration.name);
  }
  const claims = new Map<string, Violation[]>();
  const upFailed = new Set<string>();
  for (const violation of report.violations) {
    const name = byFile.get(violation.file);
    if (name === undefined) continue;
    if (violation.rule === 'up-fails') upFailed.add(name);
    if (!EXECUTED_CLAIM_RULES.includes(violation.rule)) continue;
    claims.set(name, [...(claims.get(name) ?? []), violation]);
  }
  return { claims, upFailed };
}
