import { defineRule } from '../rule.js';
import type { Action } from '../changes.js';
import type { SourceFile } from '../../core/migrations/layout.js';
import type { AstNode } from '../../core/migrations/parse.js';
import { displayName } from '../ast.js';

/** Rows the up inserts, updates or deletes in a table that existed before it are put back by the down. */
export default defineRule({
  meta: {
    name: 'down-reverses-data',
    description: 'The down file undoes the changes its up file makes to rows of tables that existed before it.',
    category: 'reversibility',
    severity: 'warning',
    allowedBy: 'irreversible',
    messages: {
      notUndone: 'Up {{label}}; down never {{inverse}}.',
    },
    help: {
      notUndone: 'Add {{inverseSql}} to the down, or mark the down -- verify:irreversible <reason>.',
    },
  },
  create(context) {
    const { migration } = context;
    const upActions: Array<{ action: Action; file: SourceFile; at: number; inverseSql: string }> = [];
    const performed = new Set<string>();
    /** `schema.table.column` added by this up: an UPDATE that fills only those is undone when the down drops them. */
    const added = new Set<string>();
    return {
      statement({ side, changes, statement, file, schema }) {
        if (side === 'down') {
          for (const action of changes.actions) {
            performed.add(action.key);
            for (const key of action.implies ?? []) performed.add(key);
          }
          return;
        }
        for (const action of changes.actions) {
          if (action.verb === 'add' && action.kind === 'column') added.add(action.name);
          if (!action.data) continue;
          const table = action.name;
          // Rows of a table this migration created go with it; the schema rule sees whether the down drops it.
          if (schema.isNew(table, migration.name)) continue;
          if (statement.kind === 'UpdateStmt') {
            const targets = updateTargets(statement.node);
            if (targets.length && targets.every((column) => added.has(`${table}.${column}`))) continue;
          }
          upActions.push({ action, file, at: statement.start, inverseSql: inverseOf(statement.kind, statement.node, table) });
        }
      },
      migrationEnd() {
        if (migration.up.parsed.error || migration.down?.parsed.error) return;
        for (const { action, file, at, inverseSql } of upActions) {
          // Dropping the column an UPDATE filled undoes it too.
          if (action.undoneBy.some((key) => performed.has(key))) continue;
          context.report({ messageId: 'notUndone', file, at, data: { label: action.label, inverse: action.inverseLabel, inverseSql } });
        }
      },
    };
  },
});

function updateTargets(node: AstNode): string[] {
  return (node.targetList ?? []).map((t: AstNode) => t.ResTarget?.name).filter((name: unknown): name is string => typeof name === 'string');
}

/** The statement a down would need, as far as the up's text tells it. */
function inverseOf(kind: string, node: AstNode, table: string): string {
  const shown = displayName(table);
  switch (kind) {
    case 'InsertStmt':
      return `DELETE FROM ${shown} WHERE <the rows inserted>`;
    case 'UpdateStmt': {
      const sets = updateTargets(node).map((column) => `${column} = <its previous value>`).join(', ');
      return `UPDATE ${shown} SET ${sets || '<the previous values>'} WHERE <the rows updated>`;
    }
    case 'DeleteStmt':
      return `INSERT INTO ${shown} SELECT * FROM <a copy of the deleted rows the up saved>`;
    default:
      return `INSERT INTO ${shown} SELECT * FROM <a copy of the rows the up saved>`;
  }
}
