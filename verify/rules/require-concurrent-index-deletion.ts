import { defineRule } from '../rule.js';
import { displayName, qualifiedFromList, stringList } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** DROP INDEX on a table in use must be CONCURRENTLY: a plain drop queues an ACCESS EXCLUSIVE lock behind every query. */
export default defineRule({
  meta: {
    name: 'require-concurrent-index-deletion',
    description: 'DROP INDEX on an existing table uses CONCURRENTLY.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      dropIndex: 'Dropping index {{index}} takes an ACCESS EXCLUSIVE lock on {{table}} and blocks reads and writes until it finishes.',
    },
    help: {
      dropIndex: 'Drop the index CONCURRENTLY in a no-transaction migration.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        if (statement.kind !== 'DropStmt' || statement.node.removeType !== 'OBJECT_INDEX' || statement.node.concurrent) return;
        for (const object of statement.node.objects ?? []) {
          const name = qualifiedFromList(names(object));
          // IF EXISTS of an index the history already dropped (with its column or table, or by name) does nothing.
          if (statement.node.missing_ok && schema.wasDropped('index', name)) continue;
          // An index the model never saw (created outside the history) sits on a table that counts as existing.
          const table = schema.index(name)?.table;
          if (table !== undefined && schema.isNew(table, context.migration.name)) continue;
          // Not in the model: unknown only when dynamic SQL may have created it (isUnknown of a name the model lacks).
          if (schema.isUnknown(table ?? name)) continue;
          context.report({ messageId: 'dropIndex', file, at: statement.start, data: { index: displayName(name), table: table ? displayName(table) : 'its table' } });
        }
      },
    };
  },
});

function names(object: AstNode): string[] {
  return object.List ? stringList(object.List.items) : object.String ? [object.String.sval] : [];
}
