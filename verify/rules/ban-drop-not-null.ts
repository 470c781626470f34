import { defineRule } from '../rule.js';
import { displayName } from '../ast.js';

/** DROP NOT NULL on a table in use lets NULLs into a column that running code reads as always set. */
export default defineRule({
  meta: {
    name: 'ban-drop-not-null',
    description: 'NOT NULL is not dropped from a column of an existing table while code may assume it is set.',
    category: 'structure',
    severity: 'warning',
    lock: 'AccessExclusiveLock',
    messages: {
      dropNotNull: 'Dropping NOT NULL on {{table}}.{{column}} lets NULLs in, which breaks the running code and queries that assume every row has a value.',
    },
    help: {
      dropNotNull: 'Make every reader of {{table}}.{{column}} handle NULL first, then drop NOT NULL and say so with -- verify:ignore ban-drop-not-null <reason>.',
    },
  },
  create(context) {
    /** Down keys that undo the up: dropping the NOT NULL the up set is the rollback. */
    const expected = new Set<string>();
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file, side, changes }) {
        if (side === 'up') for (const action of changes.actions) for (const key of action.undoneBy) expected.add(key);
        if (!established) return;
        if (cmd.subtype !== 'AT_DropNotNull') return;
        if (side === 'down' && expected.has(`drop not null ${table}.${cmd.name}`)) return;
        // Already nullable, as far as the earlier migrations tell: nothing changes.
        const column = schema.table(table)?.columns.find((c) => c.name === cmd.name);
        if (column && !column.notNull) return;
        context.report({ messageId: 'dropNotNull', file, at: statement.start, data: { table: displayName(table), column: cmd.name ?? '' } });
      },
    };
  },
});
