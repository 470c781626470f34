import { defineRule } from '../rule.js';
import { inTransactionBlock } from '../../core/migrations/layout.js';

/** DROP DATABASE has no place in a migration: it deletes everything in the database, and it refuses to run in a transaction. */
export default defineRule({
  meta: {
    name: 'ban-drop-database',
    description: 'A migration never drops a database.',
    category: 'destructive',
    severity: 'error',
    messages: {
      dropDatabase: 'Dropping database {{name}} deletes every schema, table and row in it for good.',
      dropDatabaseInTransaction: 'DROP DATABASE {{name}} cannot run inside a transaction block (the runner\'s transaction, or the implicit one of a file sent as one query), so this migration fails when it is deployed; run without one, it would delete everything in {{name}} for good.',
    },
    help: {
      dropDatabase: 'Drop databases by hand, outside the migration history, after taking a backup.',
      dropDatabaseInTransaction: 'Drop databases by hand, outside the migration history, after taking a backup.',
    },
  },
  create(context) {
    return {
      statement({ statement, file, side }) {
        if (statement.kind !== 'DropdbStmt') return;
        const messageId = inTransactionBlock(context.migration, side) ? 'dropDatabaseInTransaction' : 'dropDatabase';
        context.report({ messageId, file, at: statement.start, data: { name: statement.node.dbname } });
      },
    };
  },
});
