import { defineRule } from '../rule.js';
import { displayName, qualifiedFromList, stringList } from '../ast.js';

/** ALTER TYPE ... ADD VALUE says where the label goes (BEFORE/AFTER), as squawk asks. */
export default defineRule({
  meta: {
    name: 'require-enum-value-ordering',
    description: 'ALTER TYPE ... ADD VALUE says where the new label goes with BEFORE or AFTER.',
    category: 'style',
    severity: 'warning',
    messages: {
      unordered: "ADD VALUE '{{label}}' without BEFORE or AFTER appends it after every label of {{type}}, so ORDER BY and comparisons on {{type}} put it last whether or not that is its meaning.",
    },
    help: {
      unordered: "Say where it goes: ADD VALUE '{{label}}' BEFORE '<label>', or AFTER {{last}} when last is its meaning.",
    },
  },
  create(context) {
    return {
      statement({ statement, file, schema }) {
        const n = statement.node;
        // AFTER the last label is how a migration says the value goes last on purpose.
        if (statement.kind !== 'AlterEnumStmt' || n.oldVal || !n.newVal || n.newValNeighbor) return;
        const type = qualifiedFromList(stringList(n.typeName));
        const last = schema.object('enum', type)?.labels?.at(-1);
        context.report({ messageId: 'unordered', file, at: statement.start, data: { label: n.newVal, type: displayName(type), last: last === undefined ? "'<last label>'" : `'${last}'` } });
      },
    };
  },
});
