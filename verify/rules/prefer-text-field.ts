import { defineRule } from '../rule.js';
import { columnTypeVisitor } from './support.js';

/** varchar(n) bakes the limit into the type; a CHECK constraint can change without blocking. */
export default defineRule({
  meta: {
    name: 'prefer-text-field',
    description: 'String columns are text (with a CHECK on the length if needed), not varchar(n).',
    category: 'style',
    severity: 'warning',
    messages: {
      varchar: 'Column {{table}}.{{column}} is {{type}}: changing that limit later is ALTER COLUMN ... TYPE, which takes an ACCESS EXCLUSIVE lock on {{table}} and blocks its reads and writes while it runs (and rewrites the table when the limit shrinks).',
    },
    help: {
      varchar: 'Use text with CHECK (length({{column}}) <= n); a new limit is then a new constraint, added NOT VALID and validated while reads and writes go on.',
    },
  },
  create(context) {
    return columnTypeVisitor(context, (type) => (type.builtin === 'varchar' && type.mods.length > 0 ? { messageId: 'varchar' } : undefined));
  },
});
