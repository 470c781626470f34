import { defineRule } from '../rule.js';

/** Without a transaction, a failure halfway leaves the statements before it applied: one statement per file. */
export default defineRule({
  meta: {
    name: 'no-transaction-single-statement',
    description: 'Each file of a -- migrate:no-transaction migration holds exactly one statement.',
    category: 'structure',
    severity: 'error',
    messages: {
      secondStatement: 'This migration runs without a transaction, so if this statement or a later one fails, the statements before it stay applied with nothing to undo them.',
    },
    help: {
      secondStatement: 'Keep one statement in each file of a no-transaction migration, and move the others to migrations of their own.',
    },
  },
  create(context) {
    return {
      statement({ statement, file, side }) {
        // Either file's `-- migrate:no-transaction` makes the runner run both directions statement by statement. A file
        // sent as one query (golang-migrate, diesel's run_in_transaction = false, dbmate's transaction:false) is an
        // implicit transaction instead: its statements fail together, so they may be many.
        if (context.migration.transaction[side] !== 'none' || statement.index !== 1) return;
        context.report({ messageId: 'secondStatement', file, at: statement.start });
      },
    };
  },
});
