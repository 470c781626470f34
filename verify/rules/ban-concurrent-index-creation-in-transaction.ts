import { optionEnabled } from '../ast.js';
import { defineRule } from '../rule.js';
import type { AstNode } from '../../core/migrations/parse.js';
import { inTransactionBlock, LAYOUTS, runnerOf } from '../../core/migrations/layout.js';

/** CONCURRENTLY index commands refuse to run in a transaction block: in a transactional migration they fail at deploy time. */
export default defineRule({
  meta: {
    name: 'ban-concurrent-index-creation-in-transaction',
    description: 'CREATE, DROP and REINDEX ... CONCURRENTLY run only outside a transaction block.',
    category: 'structure',
    severity: 'error',
    messages: {
      inTransaction: 'This migration runs in a transaction, where {{command}} fails with "cannot run inside a transaction block", so the deploy stops here.',
      inImplicitTransaction:
        '{{runner}} sends this {{unit}} to Postgres as one query, which runs its {{count}} statements as one implicit transaction, where {{command}} fails with "cannot run inside a transaction block", so the deploy stops here.',
    },
    help: {
      inTransaction: 'Move the statement to its own migration and {{optOut}}.',
      inImplicitTransaction: 'Move the statement to a migration of its own, as the only statement of its {{unit}}.',
    },
  },
  create(context) {
    const { migration } = context;
    return {
      statement({ statement, file, side }) {
        // A single statement sent as one query runs outside any transaction block; several make an implicit one.
        if (!inTransactionBlock(migration, side)) return;
        const command = concurrentCommand(statement.kind, statement.node);
        if (!command) return;
        const unit = LAYOUTS[migration.layout].unit;
        if (migration.transaction[side] === 'implicit-per-file') {
          context.report({ messageId: 'inImplicitTransaction', file, at: statement.start, data: { command, runner: runnerOf(migration.layout), unit, count: file.parsed.statements.length } });
        } else {
          context.report({ messageId: 'inTransaction', file, at: statement.start, data: { command, optOut: LAYOUTS[migration.layout].optOut(side) } });
        }
      },
    };
  },
});

function concurrentCommand(kind: string, n: AstNode): string | undefined {
  switch (kind) {
    case 'IndexStmt':
      return n.concurrent ? `CREATE ${n.unique ? 'UNIQUE ' : ''}INDEX CONCURRENTLY` : undefined;
    case 'DropStmt':
      return n.removeType === 'OBJECT_INDEX' && n.concurrent ? 'DROP INDEX CONCURRENTLY' : undefined;
    case 'ReindexStmt':
      return optionEnabled(n.params, 'concurrently') ? 'REINDEX CONCURRENTLY' : undefined;
    default:
      return undefined;
  }
}
