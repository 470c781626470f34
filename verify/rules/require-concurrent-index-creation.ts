import { defineRule } from '../rule.js';
import { displayName, relationName } from '../ast.js';

/** CREATE INDEX on a table in use must be CONCURRENTLY: a plain build blocks every write until it finishes. */
export default defineRule({
  meta: {
    name: 'require-concurrent-index-creation',
    description: 'CREATE INDEX on an existing table uses CONCURRENTLY.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'ShareLock',
    messages: {
      createIndex: 'Building {{index}} takes a SHARE lock on {{table}} and blocks writes until it finishes.',
    },
    help: {
      createIndex: 'Create the index CONCURRENTLY in a no-transaction migration.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        if (statement.kind !== 'IndexStmt') return;
        const n = statement.node;
        if (n.concurrent) return;
        // ON ONLY a partitioned table creates an empty, invalid parent index at once (CONCURRENTLY is impossible there);
        // the partitions' indexes are built one by one and attached.
        if (n.relation && !n.relation.inh) return;
        const table = relationName(n.relation);
        if (!schema.isEstablished(table, context.migration.name)) return;
        const index = n.idxname ? `index ${displayName(`${n.relation?.schemaname ?? 'public'}.${n.idxname}`)}` : 'this index';
        context.report({ messageId: 'createIndex', file, at: statement.start, data: { index, table: displayName(table) } });
      },
    };
  },
});
