import { defineRule } from '../rule.js';
import { bookkeepingNameIn } from '../../core/migrations/bookkeeping.js';
import { statementText } from '../../core/migrations/migration.js';

/** pgmigrations and the pgmigrations_* tables (checksums, the audit trail) are the runner's: a migration never names them. */
export default defineRule({
  meta: {
    name: 'ban-runner-bookkeeping',
    description: 'A migration never reads or changes the runner\'s bookkeeping (pgmigrations and the pgmigrations_* tables).',
    category: 'integrity',
    severity: 'error',
    messages: {
      bookkeeping:
        'This statement names {{name}}, the migration runner\'s bookkeeping: changing it can hide an edited migration, mark one applied that never ran, or rewrite the audit trail, and the runner refuses to run this migration.',
    },
    help: {
      bookkeeping: 'Leave the bookkeeping to the runner: make rollback, make accept-checksum and make history change or read it.',
    },
  },
  create(context) {
    return {
      statement({ statement, file }) {
        const name = bookkeepingNameIn(statementText(file, statement), statement.node);
        if (!name) return;
        context.report({ messageId: 'bookkeeping', file, at: statement.start, data: { name } });
      },
    };
  },
});
