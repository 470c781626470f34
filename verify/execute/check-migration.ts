// One migration's executed checks: up, down restores the schema, up again gives the same schema.
import type { Sql } from '../../core/postgres/database-url.js';
import { applyFile, type AppliedFile } from './apply.js';
import { prepareFile, type PreparedFile } from './prepared-file.js';
import type { Snapshot, SnapshotReader } from './snapshot.js';
import { describeDifference, diffSnapshots, REPEAT_WORDING, RESTORE_WORDING, type Wording } from './snapshot-diff.js';
import { differenceViolation, failureViolation } from './violations.js';
import type { ExecutableMigration, MigrationRun, Violation } from './types.js';

/** At most this many schema differences are reported per comparison; the last line says how many more there were. */
const MAX_DIFFERENCES = 50;

export interface MigrationOutcome {
  readonly run: MigrationRun;
  readonly violations: readonly Violation[];
  /** Later migrations depend on this one: stop after a failure. */
  readonly stop: boolean;
  /** The schema after the migration, when it was taken. */
  readonly after?: Snapshot;
}

/**
 * S0; up; S1; down; S0 again?; up; S1 again? — `before` is S0 when the caller already has it.
 * Irreversible migrations (and those without a down file) are applied up only.
 */
export async function checkMigration(sql: Sql, snapshots: SnapshotReader, migration: ExecutableMigration, before: Snapshot | undefined): Promise<MigrationOutcome> {
  const up = prepareFile(migration.upPath, migration.upText);
  const down = migration.downPath !== undefined && migration.downText !== undefined && !migration.irreversible ? prepareFile(migration.downPath, migration.downText) : undefined;
  const transaction = !migration.noTransaction;
  const snapshot = (): Promise<Snapshot> => snapshots.take();
  const run = (applied: AppliedFile, reverted?: AppliedFile): MigrationRun => ({
    name: migration.name,
    upMs: round(applied.ms),
    ...(reverted ? { downMs: round(reverted.ms) } : {}),
    irreversible: migration.irreversible,
    locks: [...applied.locks, ...(reverted?.locks ?? [])],
  });

  const initial = down ? (before ?? (await snapshot())) : undefined;
  const applied = await applyFile(sql, up, { transaction, recordLocks: true });
  if (applied.failure) return { run: run(applied), violations: [failureViolation('up-fails', up, applied.failure)], stop: true };
  if (!down || !initial) return { run: run(applied), violations: [], stop: false };

  const afterUp = await snapshot();
  const reverted = await applyFile(sql, down, { transaction, recordLocks: true });
  if (reverted.failure) return { run: run(applied, reverted), violations: [failureViolation('down-fails', down, reverted.failure)], stop: true };
  const violations = compare(initial, await snapshot(), RESTORE_WORDING, 'down-restores-schema', down);

  const again = await applyFile(sql, up, { transaction, recordLocks: false });
  if (again.failure) return { run: run(applied, reverted), violations: [...violations, failureViolation('up-is-repeatable', up, again.failure)], stop: true };
  const after = await snapshot();
  violations.push(...compare(afterUp, after, REPEAT_WORDING, 'up-is-repeatable', up));
  return { run: run(applied, reverted), violations, stop: false, after };
}

function compare(expected: Snapshot, actual: Snapshot, wording: Wording, rule: 'down-restores-schema' | 'up-is-repeatable', file: PreparedFile): Violation[] {
  const differences = diffSnapshots(expected, actual);
  const shown = differences.slice(0, MAX_DIFFERENCES).map((d) => differenceViolation(rule, file, describeDifference(d, wording), d.names));
  if (differences.length > MAX_DIFFERENCES) shown.push(differenceViolation(rule, file, `${differences.length - MAX_DIFFERENCES} more differences are not listed`, []));
  return shown;
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
