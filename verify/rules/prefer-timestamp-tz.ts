import { defineRule } from '../rule.js';
import { columnTypeVisitor } from './support.js';

/** timestamp without time zone drops the offset; timestamptz stores an instant. */
export default defineRule({
  meta: {
    name: 'prefer-timestamp-tz',
    description: 'Columns are timestamptz, not timestamp without time zone.',
    category: 'style',
    severity: 'warning',
    messages: {
      timestamp: 'Column {{table}}.{{column}} is {{type}} (without time zone): it drops the UTC offset, so the same instant written from two time zones is stored as two different times.',
    },
    help: {
      timestamp: 'Use timestamptz (timestamp with time zone).',
    },
  },
  create(context) {
    return columnTypeVisitor(context, (type) => (type.builtin === 'timestamp' ? { messageId: 'timestamp' } : undefined));
  },
});
