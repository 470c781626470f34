import { defineRule } from '../rule.js';
import { displayName, optionEnabled, relationName } from '../ast.js';

/** REINDEX without CONCURRENTLY rebuilds under locks that stop writes to the table (and reads through its indexes). */
export default defineRule({
  meta: {
    name: 'require-concurrent-reindex',
    description: 'REINDEX of an index or table in use uses CONCURRENTLY.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'ShareLock',
    messages: {
      reindex: 'REINDEX {{kind}} {{name}} takes a SHARE lock on {{table}}, blocking writes until the rebuild finishes, and an ACCESS EXCLUSIVE lock on each index it rebuilds, blocking the reads that use it.',
    },
    help: {
      reindex: 'Write REINDEX {{kind}} CONCURRENTLY {{name}} in a no-transaction migration.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        const n = statement.node;
        if (statement.kind !== 'ReindexStmt' || !n.relation) return;
        if (optionEnabled(n.params, 'concurrently')) return;
        const kind = n.kind === 'REINDEX_OBJECT_INDEX' ? 'INDEX' : 'TABLE';
        const name = relationName(n.relation);
        const table = kind === 'INDEX' ? schema.index(name)?.table : name;
        // Rebuilding what this migration created: nobody else uses it yet.
        if (table !== undefined && schema.isNew(table, context.migration.name)) return;
        context.report({ messageId: 'reindex', file, at: statement.start, data: { kind, name: displayName(name), table: table ? displayName(table) : 'its table' } });
      },
    };
  },
});
