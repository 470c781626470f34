// The executed verification: public API only.
export { executeMigrations } from './execute.js';
export { detectDrift, DriftTargetError } from './drift.js';
export { ScratchDatabaseError } from './scratch-database.js';
export { isIrreversible } from './check-migration.js';
export { EXECUTED_RULES, type ExecutedRule } from './violations.js';
export { executedSummary } from './summary.js';
export type {
  DriftOptions,
  DriftReport,
  ExecuteOptions,
  ExecuteReport,
  LockHeld,
  MigrationRun,
  OutsideObject,
  RebuildFigures,
  StatementLocks,
  Violation,
} from './types.js';
