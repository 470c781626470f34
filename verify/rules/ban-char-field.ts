import { defineRule } from '../rule.js';
import { columnTypeVisitor } from './support.js';

/** char(n) / character(n) columns: blank-padded, and no faster than text. */
export default defineRule({
  meta: {
    name: 'ban-char-field',
    description: 'Columns are not char(n) / character(n).',
    category: 'style',
    severity: 'warning',
    messages: {
      charField: 'Column {{table}}.{{column}} is {{type}}: it pads every value with spaces to its full length, ignores trailing spaces when comparing, and is no faster than text.',
    },
    help: {
      charField: 'Use text (with a CHECK on length(...) if the length matters).',
    },
  },
  create(context) {
    return columnTypeVisitor(context, (type) => (type.builtin === 'bpchar' ? { messageId: 'charField' } : undefined));
  },
});
