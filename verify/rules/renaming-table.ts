import { defineRule } from '../rule.js';
import { displayName, qualifiedName, relationName } from '../ast.js';

/** RENAME TO on a table in use breaks every running query and deployed code that still names the old table. */
export default defineRule({
  meta: {
    name: 'renaming-table',
    description: 'An existing table is not renamed unless a view keeps its old name working.',
    category: 'structure',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      renameTable: 'Renaming table {{from}} to {{to}} breaks every running query and deployed version of the application that still uses {{from}}.',
    },
    help: {
      renameTable: 'Keep the old name working with CREATE VIEW {{from}} AS SELECT * FROM {{to}} in the same migration, and drop the view once no code uses it.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file, side, changes, undoesUp }) {
        const n = statement.node;
        if (statement.kind !== 'RenameStmt' || n.renameType !== 'OBJECT_TABLE') return;
        const from = relationName(n.relation);
        if (!schema.isEstablished(from, context.migration.name)) return;
        if (changes.actions.length > 0 && changes.actions.every((a) => undoesUp(a.key))) return;
        // A view of the old name, created later in the same file, keeps old queries (and simple writes) working.
        const bridged = file.parsed.statements.some((s) => s.index > statement.index && s.kind === 'ViewStmt' && relationName(s.node.view) === from);
        if (bridged) return;
        const to = qualifiedName(n.relation?.schemaname, n.newname);
        context.report({ messageId: 'renameTable', file, at: statement.start, data: { from: displayName(from), to: displayName(to) } });
      },
    };
  },
});
