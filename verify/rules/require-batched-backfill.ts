import { defineRule } from '../rule.js';
import { displayName, relationName } from '../ast.js';
import { inTransactionBlock } from '../../core/migrations/layout.js';

const VERBS: Readonly<Record<string, string>> = { UpdateStmt: 'UPDATE', DeleteStmt: 'DELETE', InsertStmt: 'INSERT ... SELECT' };

/** A backfill inside a migration changes every matching row in one transaction: row locks, WAL and bloat all at once. */
export default defineRule({
  meta: {
    name: 'require-batched-backfill',
    description: 'A migration does not backfill a table in use in one statement.',
    category: 'lock-safety',
    severity: 'warning',
    lock: 'RowExclusiveLock',
    messages: {
      backfill: '{{verb}} on {{table}} changes every matching row {{scope}}: it holds a ROW EXCLUSIVE lock on {{table}} and a lock on each changed row all that time, blocking other writers of those rows, and writes WAL for every row at once (replicas lag, vacuum trails behind).',
    },
    help: {
      backfill: 'Keep the schema change in the migration and run the backfill in batches of a few thousand rows (WHERE id > last AND id <= last + 5000, committing each), from a script or a no-transaction migration of one statement per batch.',
    },
  },
  create(context) {
    const { migration } = context;
    return {
      statement({ statement, schema, file, side }) {
        if (side !== 'up') return;
        const verb = VERBS[statement.kind];
        const n = statement.node;
        if (!verb || !n.relation) return;
        // INSERT ... VALUES adds a few known rows; INSERT ... SELECT copies a table.
        if (statement.kind === 'InsertStmt' && !n.selectStmt?.SelectStmt?.fromClause) return;
        const table = relationName(n.relation);
        if (!schema.isEstablished(table, migration.name)) return;
        const scope = inTransactionBlock(migration, side) ? 'inside the migration\'s one transaction, until it commits' : 'in one statement, until it ends';
        context.report({ messageId: 'backfill', file, at: statement.start, data: { verb, table: displayName(table), scope } });
      },
    };
  },
});
