// The engine's own checks, reported like rules: the folder's problems, syntax errors and directives.
import type { Severity } from './rule.js';

/** Engine-level checks, reported like rules. */
export const BUILTIN_RULES: Readonly<Record<string, { severity: Severity; description: string }>> = {
  'syntax-error': { severity: 'error', description: 'The file does not parse as PostgreSQL 18 SQL.' },
  'invalid-directive': { severity: 'error', description: 'A -- verify: directive is unknown or gives no reason.' },
  'unused-directive': { severity: 'warning', description: 'A -- verify: directive suppresses nothing.' },
  'bad-file-name': { severity: 'error', description: 'A .sql file in the set does not follow <version>_<slug>.up.sql / .down.sql.' },
  'unpaired-down': { severity: 'error', description: 'A down file has no up file.' },
  'empty-migration': { severity: 'error', description: 'An up file, or a down without -- verify:irreversible, holds no SQL statement (only comments, as make new writes it), so the runner refuses it.' },
  'missing-up-marker': { severity: 'error', description: 'A file in a dbmate folder has no -- migrate:up line, so dbmate refuses to run it.' },
  'duplicate-version': { severity: 'error', description: 'Two migrations share one version.' },
  unreadable: { severity: 'error', description: 'A path cannot be read.' },
  'manifest-mismatch': { severity: 'error', description: 'A migration file recorded in migrations.sum was edited or deleted since, or migrations.sum does not add up.' },
  'manifest-missing': { severity: 'warning', description: 'A migration file is not recorded in migrations.sum (a folder without migrations.sum is not checked).' },
};
