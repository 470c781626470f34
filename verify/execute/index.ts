// The executed verification: public API only.
export { executeMigrations } from './execute.js';
export { detectDrift, DriftTargetError } from './drift.js';
export { ScratchDatabaseError } from './scratch-database.js';
export { readMigrationFolder, toExecutable } from './load-folder.js';
export { EXECUTED_RULES, type ExecutedRule } from './violations.js';
export type {
  DriftOptions,
  DriftReport,
  ExecutableMigration,
  ExecuteOptions,
  ExecuteReport,
  LockHeld,
  MigrationRun,
  StatementLocks,
  Violation,
} from './types.js';
