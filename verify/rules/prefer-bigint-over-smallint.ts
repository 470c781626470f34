import { defineRule } from '../rule.js';
import { columnTypeVisitor } from './support.js';

const INT2 = new Set(['int2', 'smallserial', 'serial2']);

/** 16-bit integer columns run out; widening one later rewrites the table. */
export default defineRule({
  meta: {
    name: 'prefer-bigint-over-smallint',
    description: 'Integer columns are bigint, not smallint or smallserial.',
    category: 'style',
    severity: 'warning',
    messages: {
      smallint: 'Column {{table}}.{{column}} is {{type}}, a 16-bit integer: past 32,767 every insert fails, and widening it later rewrites the table under an ACCESS EXCLUSIVE lock.',
    },
    help: {
      smallint: 'Use bigint, with a CHECK constraint if the range must stay small.',
    },
  },
  create(context) {
    return columnTypeVisitor(context, (type) => (!type.bounded && type.builtin && INT2.has(type.builtin) ? { messageId: 'smallint' } : undefined));
  },
});
