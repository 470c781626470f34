// One migration's executed checks: up, down restores the schema, up again gives the same schema.
import type { Sql } from '../../core/postgres/database-url.js';
import type { Migration } from '../../core/migrations/layout.js';
import { applyFile, type AppliedFile } from './apply.js';
import { prepareFile, type PreparedFile } from './prepared-file.js';
import type { Snapshot, SnapshotReader } from './snapshot.js';
import { describeDifference, diffSnapshots, REPEAT_WORDING, RESTORE_WORDING, type Wording } from './snapshot-diff.js';
import { differenceViolation, failureViolation, missingDownViolation } from './violations.js';
import type { MigrationRun, Violation } from './types.js';

/** At most this many schema differences are reported per comparison; the last line says how many more there were. */
const MAX_DIFFERENCES = 50;

export interface MigrationOutcome {
  readonly run: MigrationRun;
  readonly violations: readonly Violation[];
  /** The up succeeded: later migrations run on top of it. False: the up failed and the chain goes on without it. */
  readonly applied: boolean;
  /** The schema the chain should now have: after the up when it was applied, else before it. */
  readonly expected: Snapshot;
  /** The scratch database has that schema now; false after a failure or a down that did not restore it: rebuild. */
  readonly inExpectedState: boolean;
}

/** Marked irreversible in the model (`-- verify:irreversible <reason>`): applied up only (one meaning everywhere). */
export function isIrreversible(migration: Migration): boolean {
  return migration.irreversible !== undefined;
}

/**
 * S0; up; S1; down; S0 again?; up; S1 again? — `before` is S0 when the caller already has it.
 * Irreversible migrations (and those without a down) are applied up only; one without a down and no reason fails `down-fails`.
 */
export async function checkMigration(sql: Sql, snapshots: SnapshotReader, migration: Migration, before: Snapshot | undefined, observer?: (database: string) => Sql): Promise<MigrationOutcome> {
  const up = prepareFile(migration.up);
  const irreversible = isIrreversible(migration);
  const down = migration.down && !irreversible ? prepareFile(migration.down) : undefined;
  const snapshot = (): Promise<Snapshot> => snapshots.take();
  const same = (a: Snapshot, b: Snapshot): boolean => diffSnapshots(a, b).length === 0;
  const run = (verdict: MigrationRun['verdict'], applied: AppliedFile, reverted?: AppliedFile): MigrationRun => ({
    name: migration.name,
    upMs: round(applied.ms),
    ...(reverted ? { downMs: round(reverted.ms) } : {}),
    irreversible,
    verdict,
    applied: verdict !== 'failed' || !applied.failure,
    locks: [...applied.locks, ...(reverted?.locks ?? [])],
  });

  const initial = before ?? (await snapshot());
  const applied = await applyFile(sql, up, { mode: migration.transaction.up, recordLocks: true, ...(observer ? { observer } : {}) });
  if (applied.failure) {
    // A transactional up rolled back; one run statement by statement may have left part of itself behind.
    const now = await snapshot();
    return { run: run('failed', applied), violations: [failureViolation('up-fails', up, applied.failure)], applied: false, expected: initial, inExpectedState: same(initial, now) };
  }
  const afterUp = await snapshot();
  if (!down) {
    // Marked irreversible: applied up only, as the runner will. No down and no reason: a rollback cannot run.
    const violations = irreversible || migration.down ? [] : [missingDownViolation(up, migration.downLabel)];
    return { run: run(violations.length ? 'failed' : 'up-only', applied), violations, applied: true, expected: afterUp, inExpectedState: true };
  }

  const reverted = await applyFile(sql, down, { mode: migration.transaction.down, recordLocks: true, ...(observer ? { observer } : {}) });
  if (reverted.failure) {
    const now = await snapshot();
    return { run: run('failed', applied, reverted), violations: [failureViolation('down-fails', down, reverted.failure)], applied: true, expected: afterUp, inExpectedState: same(afterUp, now) };
  }
  const violations = compare(initial, await snapshot(), RESTORE_WORDING, 'down-restores-schema', down);

  const again = await applyFile(sql, up, { mode: migration.transaction.up, recordLocks: false });
  if (again.failure) {
    violations.push(failureViolation('up-is-repeatable', up, again.failure));
    const now = await snapshot();
    return { run: run('failed', applied, reverted), violations, applied: true, expected: afterUp, inExpectedState: same(afterUp, now) };
  }
  const after = await snapshot();
  const repeated = compare(afterUp, after, REPEAT_WORDING, 'up-is-repeatable', up);
  violations.push(...repeated);
  return { run: run(violations.length ? 'failed' : 'passed', applied, reverted), violations, applied: true, expected: afterUp, inExpectedState: repeated.length === 0 };
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
