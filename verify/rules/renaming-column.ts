import { defineRule } from '../rule.js';
import { displayName, relationName } from '../ast.js';

/** RENAME COLUMN on a table in use breaks every running query and deployed code that still names the old column. */
export default defineRule({
  meta: {
    name: 'renaming-column',
    description: 'A column of an existing table is not renamed while code may still use its old name.',
    category: 'structure',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      renameColumn: 'Renaming column {{table}}.{{from}} to {{to}} breaks every running query and deployed version of the application that still uses {{from}}.',
    },
    help: {
      renameColumn: 'Add {{to}} as a new column, write to both and backfill it, move readers to {{to}}, and drop {{from}} in a later migration.',
    },
  },
  create(context) {
    /** Columns added by this migration: no code uses them yet. */
    const added = new Set<string>();
    return {
      statement({ statement, schema, file, side, changes, undoesUp }) {
        const n = statement.node;
        if (statement.kind === 'AlterTableStmt') {
          const table = relationName(n.relation);
          for (const command of n.cmds ?? []) if (command.AlterTableCmd?.subtype === 'AT_AddColumn') added.add(`${table}.${command.AlterTableCmd.def?.ColumnDef?.colname}`);
          return;
        }
        if (statement.kind !== 'RenameStmt' || n.renameType !== 'OBJECT_COLUMN' || n.relationType !== 'OBJECT_TABLE') return;
        const table = relationName(n.relation);
        if (!schema.isEstablished(table, context.migration.name) || added.has(`${table}.${n.subname}`)) return;
        if (changes.actions.length > 0 && changes.actions.every((a) => undoesUp(a.key))) return;
        context.report({ messageId: 'renameColumn', file, at: statement.start, data: { table: displayName(table), from: n.subname, to: n.newname } });
      },
    };
  },
});
