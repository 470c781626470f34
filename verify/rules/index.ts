// The registry, alphabetical.
import type { Rule } from '../rule.js';
import addingFieldWithDefault from './adding-field-with-default.js';
import addingForeignKeyConstraint from './adding-foreign-key-constraint.js';
import addingNotNullableField from './adding-not-nullable-field.js';
import addingRequiredField from './adding-required-field.js';
import addingSerialPrimaryKeyField from './adding-serial-primary-key-field.js';
import banCharField from './ban-char-field.js';
import banConcurrentIndexCreationInTransaction from './ban-concurrent-index-creation-in-transaction.js';
import banDisableRowLevelSecurity from './ban-disable-row-level-security.js';
import banDropDatabase from './ban-drop-database.js';
import banDropNotNull from './ban-drop-not-null.js';
import banDropReferencedKey from './ban-drop-referenced-key.js';
import banExplicitTableLock from './ban-explicit-table-lock.js';
import banGrantToPublic from './ban-grant-to-public.js';
import banLexerSettings from './ban-lexer-settings.js';
import banOwnerToSuperuser from './ban-owner-to-superuser.js';
import banPasswordLiteral from './ban-password-literal.js';
import banRunnerBookkeeping from './ban-runner-bookkeeping.js';
import banTruncateCascade from './ban-truncate-cascade.js';
import changingColumnType from './changing-column-type.js';
import constraintMissingNotValid from './constraint-missing-not-valid.js';
import destructiveNeedsFlag from './destructive-needs-flag.js';
import disallowedUniqueConstraint from './disallowed-unique-constraint.js';
import downReversesData from './down-reverses-data.js';
import downReversesUp from './down-reverses-up.js';
import dropHasDependents from './drop-has-dependents.js';
import enumAddValueSafety from './enum-add-value-safety.js';
import foreignKeyNeedsIndex from './foreign-key-needs-index.js';
import identifierTooLong from './identifier-too-long.js';
import noTransactionSingleStatement from './no-transaction-single-statement.js';
import objectExists from './object-exists.js';
import objectMissing from './object-missing.js';
import oneChangePerMigration from './one-change-per-migration.js';
import preferBigintOverInt from './prefer-bigint-over-int.js';
import preferBigintOverSmallint from './prefer-bigint-over-smallint.js';
import preferIdentity from './prefer-identity.js';
import preferRepack from './prefer-repack.js';
import preferRobustStmts from './prefer-robust-stmts.js';
import preferTextField from './prefer-text-field.js';
import preferTimestampTz from './prefer-timestamp-tz.js';
import renamingColumn from './renaming-column.js';
import renamingTable from './renaming-table.js';
import requireBatchedBackfill from './require-batched-backfill.js';
import requireConcurrentIndexCreation from './require-concurrent-index-creation.js';
import requireConcurrentIndexDeletion from './require-concurrent-index-deletion.js';
import requireConcurrentReindex from './require-concurrent-reindex.js';
import requireEnumValueOrdering from './require-enum-value-ordering.js';
import requireSecurityDefinerSearchPath from './require-security-definer-search-path.js';
import requireTimeoutSettings from './require-timeout-settings.js';
import sessionStateLeak from './session-state-leak.js';
import standbyLockConflict from './standby-lock-conflict.js';
import syntaxNeedsNewerPostgres from './syntax-needs-newer-postgres.js';
import transactionNesting from './transaction-nesting.js';

export const rules: readonly Rule[] = [
  addingFieldWithDefault,
  addingForeignKeyConstraint,
  addingNotNullableField,
  addingRequiredField,
  addingSerialPrimaryKeyField,
  banCharField,
  banConcurrentIndexCreationInTransaction,
  banDisableRowLevelSecurity,
  banDropDatabase,
  banDropNotNull,
  banDropReferencedKey,
  banExplicitTableLock,
  banGrantToPublic,
  banLexerSettings,
  banOwnerToSuperuser,
  banPasswordLiteral,
  banRunnerBookkeeping,
  banTruncateCascade,
  changingColumnType,
  constraintMissingNotValid,
  destructiveNeedsFlag,
  disallowedUniqueConstraint,
  downReversesData,
  downReversesUp,
  dropHasDependents,
  enumAddValueSafety,
  foreignKeyNeedsIndex,
  identifierTooLong,
  noTransactionSingleStatement,
  objectExists,
  objectMissing,
  oneChangePerMigration,
  preferBigintOverInt,
  preferBigintOverSmallint,
  preferIdentity,
  preferRepack,
  preferRobustStmts,
  preferTextField,
  preferTimestampTz,
  renamingColumn,
  renamingTable,
  requireBatchedBackfill,
  requireConcurrentIndexCreation,
  requireConcurrentIndexDeletion,
  requireConcurrentReindex,
  requireEnumValueOrdering,
  requireSecurityDefinerSearchPath,
  requireTimeoutSettings,
  sessionStateLeak,
  standbyLockConflict,
  syntaxNeedsNewerPostgres,
  transactionNesting,
];
