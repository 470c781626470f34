// The registry, alphabetical.
import type { Rule } from '../rule.js';
import destructiveNeedsFlag from './destructive-needs-flag.js';
import downReversesUp from './down-reverses-up.js';
import foreignKeyNeedsIndex from './foreign-key-needs-index.js';
import oneChangePerMigration from './one-change-per-migration.js';

export const rules: readonly Rule[] = [
  destructiveNeedsFlag,
  downReversesUp,
  foreignKeyNeedsIndex,
  oneChangePerMigration,
];
