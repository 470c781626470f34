import { defineRule } from '../rule.js';
import { displayName, optionEnabled, relationName } from '../ast.js';
import { statementLocks } from '../lock-table.js';
import type { AstNode } from '../../core/migrations/parse.js';

/**
 * On a primary with streaming standbys, an ACCESS EXCLUSIVE lock is written to the WAL and taken again on every standby
 * by replay: the standby's reads of the table then hold up replay, and are cancelled after max_standby_streaming_delay.
 * Only when the migrations are marked for such a primary (`"standbys": true`, --standbys, or deploy's detection).
 */
export default defineRule({
  meta: {
    name: 'standby-lock-conflict',
    description: 'On a primary with standbys, a statement taking an ACCESS EXCLUSIVE lock on a table in use is flagged: replaying the lock cancels reads on the standbys.',
    category: 'lock-safety',
    severity: 'warning',
    lock: 'AccessExclusiveLock',
    messages: {
      replayedLock:
        'On each standby, replaying the ACCESS EXCLUSIVE lock this statement takes on {{tables}} cancels the reads of {{tables}} still running after max_standby_streaming_delay, and holds back all replay until then.',
    },
    help: {
      replayedLock: 'Use a form that takes a weaker lock where one exists (CONCURRENTLY), else keep the statement short and deploy when reads on the standbys can be retried.',
    },
  },
  create(context) {
    if (!context.options.standbys) return {};
    return {
      statement({ statement, schema, file }) {
        const tables = statementLocks(statement, (index) => schema.index(index)?.table)
          .filter((lock) => lock.mode === 'AccessExclusiveLock')
          .map((lock) => lock.relation);
        // LOCK TABLE ... IN ACCESS EXCLUSIVE MODE (mode 8, the default).
        if (statement.kind === 'LockStmt' && (statement.node.mode ?? 8) === 8) {
          for (const relation of statement.node.relations ?? []) tables.push(relationName((relation as AstNode).RangeVar));
        }
        // REINDEX without CONCURRENTLY takes SHARE on the table but ACCESS EXCLUSIVE on the indexes it rebuilds, which
        // every query on the table (its planning) needs: on a standby it conflicts like a lock on the table.
        if (statement.kind === 'ReindexStmt' && statement.node.relation && !optionEnabled(statement.node.params, 'concurrently')) {
          const named = relationName(statement.node.relation);
          const table = statement.node.kind === 'REINDEX_OBJECT_INDEX' ? schema.index(named)?.table : statement.node.kind === 'REINDEX_OBJECT_TABLE' ? named : undefined;
          if (table) tables.push(table);
        }
        // What this migration created has no readers on the standbys yet; an index's lock is reported as its table's.
        const inUse = [...new Set(tables)].filter((table) => schema.index(table) === undefined && !schema.isNew(table, context.migration.name));
        if (inUse.length) context.report({ messageId: 'replayedLock', file, at: statement.start, data: { tables: inUse.map(displayName).join(', ') } });
      },
    };
  },
});
