import type { SourceFile } from '../../core/migrations/layout.js';
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
    // Units of work per file: a lone statement, or a BEGIN ... COMMIT block the file writes (it fails as a whole).
    const units = new Map<SourceFile, number>();
    return {
      statement({ statement, file, side, inExplicitTransaction }) {
        // Either file's `-- migrate:no-transaction` makes the runner run both directions statement by statement. A file
        // sent as one query (golang-migrate, diesel's run_in_transaction = false, dbmate's transaction:false) is an
        // implicit transaction instead: its statements fail together, so they may be many.
        if (context.migration.transaction[side] !== 'none' || inExplicitTransaction) return;
        const control = statement.kind === 'TransactionStmt' ? String(statement.node.kind ?? '') : '';
        if (control !== '' && !/TRANS_STMT_(BEGIN|START)$/.test(control)) return;
        const count = (units.get(file) ?? 0) + 1;
        units.set(file, count);
        if (count === 2) context.report({ messageId: 'secondStatement', file, at: statement.start });
      },
    };
  },
});
