import { defineRule } from '../rule.js';
import { displayName, relationName } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** LOCK TABLE's modes, by the number the parser gives them (lockdefs.h). */
const MODES: Readonly<Record<number, string>> = {
  1: 'ACCESS SHARE',
  2: 'ROW SHARE',
  3: 'ROW EXCLUSIVE',
  4: 'SHARE UPDATE EXCLUSIVE',
  5: 'SHARE',
  6: 'SHARE ROW EXCLUSIVE',
  7: 'EXCLUSIVE',
  8: 'ACCESS EXCLUSIVE',
};

/** An explicit LOCK TABLE that blocks writes (SHARE or stronger) holds it for the whole migration. */
export default defineRule({
  meta: {
    name: 'ban-explicit-table-lock',
    description: 'A migration takes no explicit table lock that blocks writes.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      lockTable: 'LOCK TABLE {{table}} IN {{mode}} MODE blocks {{blocked}} on {{table}} from this statement until the migration commits, and waits first behind every query already running there.',
    },
    help: {
      lockTable: 'Leave locking to the statements that need it (with lock_timeout set), or split the work so no lock outlives one short statement.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        if (statement.kind !== 'LockStmt') return;
        const mode = statement.node.mode ?? 8;
        // Below SHARE, a lock blocks no plain read or write: nothing to report.
        if (mode < 5) return;
        for (const relation of statement.node.relations ?? []) {
          const table = relationName((relation as AstNode).RangeVar);
          if (schema.isNew(table, context.migration.name)) continue;
          const blocked = mode === 8 ? 'reads and writes' : 'writes';
          context.report({ messageId: 'lockTable', file, at: statement.start, data: { table: displayName(table), mode: MODES[mode] ?? 'ACCESS EXCLUSIVE', blocked } });
        }
      },
    };
  },
});
