import { defineRule } from '../rule.js';
import { displayName, relationName, typeLabel, typeRef, type TypeRef } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

const DATA_KINDS: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'table', OBJECT_SCHEMA: 'schema', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain', OBJECT_SEQUENCE: 'sequence',
  OBJECT_EXTENSION: 'extension', OBJECT_DATABASE: 'database',
};
// Not here: views and materialized views (a materialized view's rows are derived; REFRESH rebuilds them), indexes, functions, triggers, policies.

/** Statements that can lose data need an explicit, reasoned flag. */
export default defineRule({
  meta: {
    name: 'destructive-needs-flag',
    description: 'Statements that can lose data carry -- verify:allow-destructive <reason>.',
    category: 'destructive',
    severity: 'error',
    allowedBy: 'allow-destructive',
    messages: {
      drop: 'Dropping {{kind}} {{name}} deletes its data for good.',
      dropColumn: 'Dropping column {{table}}.{{column}} deletes its data for good.',
      cascade: 'DROP ... CASCADE on {{name}} also drops every object that depends on it, none of which the migration names.',
      truncate: 'TRUNCATE deletes every row of {{name}}.',
      deleteAll: 'DELETE without WHERE deletes every row of {{name}}.',
      updateAll: 'UPDATE without WHERE overwrites {{columns}} in every row of {{name}}.',
      typeChange: 'Changing {{table}}.{{column}} from {{from}} to {{to}} can reject or alter existing values.',
      typeChangeUnknown: 'Changing the type of {{table}}.{{column}} to {{to}} can reject or alter existing values (its current type is not known here).',
    },
    help: {
      drop: 'If the data is truly no longer needed, say why with -- verify:allow-destructive <reason> above the statement.',
      dropColumn: 'Stop using the column first, and say why it can go with -- verify:allow-destructive <reason> above the statement.',
      cascade: 'Drop the dependent objects by name first, then drop this one without CASCADE.',
      truncate: 'If every row can go, say why with -- verify:allow-destructive <reason> above the statement.',
      deleteAll: 'Add a WHERE clause, or say why every row can go with -- verify:allow-destructive <reason>.',
      updateAll: 'Add a WHERE clause, or say why every row gets the new value with -- verify:allow-destructive <reason>.',
      typeChange: 'Add a new column, backfill it, and switch over; or say why the values fit with -- verify:allow-destructive <reason>.',
      typeChangeUnknown: 'Add a new column, backfill it, and switch over; or say why the values fit with -- verify:allow-destructive <reason>.',
    },
  },
  create(context) {
    return {
      statement({ statement, file, changes, schema, undoesUp }) {
        const inverse = undoesUp;
        const n = statement.node;
        const at = statement.start;
        switch (statement.kind) {
          case 'DropStmt': {
            const kind = DATA_KINDS[n.removeType];
            if (n.behavior === 'DROP_CASCADE') {
              if (changes.actions.every((a) => inverse(a.key))) return;
              context.report({ messageId: 'cascade', file, at, data: { name: changes.actions.map((a) => a.name).map(displayName).join(', ') } });
              return;
            }
            if (!kind) return;
            for (const action of changes.actions) {
              if (inverse(action.key) || !action.destroys) continue;
              context.report({ messageId: 'drop', file, at, data: { kind, name: displayName(action.name) } });
            }
            return;
          }
          case 'AlterTableStmt':
            for (const command of n.cmds ?? []) {
              const cmd = command.AlterTableCmd ?? {};
              const table = relationName(n.relation);
              // A column the history's table does not have loses no data (IF EXISTS skips it; without, object-missing says it fails).
              const known = schema.table(table);
              const absent = known !== undefined && !known.columns.some((c) => c.name === cmd.name);
              if (cmd.subtype === 'AT_DropColumn' && !absent && !inverse(`drop column ${table}.${cmd.name}`)) {
                context.report({ messageId: 'dropColumn', file, at, data: { table: displayName(table), column: cmd.name } });
              }
              if (cmd.subtype === 'AT_AlterColumnType' && !inverse(`alter type ${table}.${cmd.name}`)) {
                const to = typeRef(cmd.def?.ColumnDef?.typeName);
                const column = schema.table(table)?.columns.find((c) => c.name === cmd.name);
                if (column && !cmd.def?.ColumnDef?.raw_default && isWidening(column.type, to)) continue;
                const data = { table: displayName(table), column: cmd.name, to: typeLabel(to), from: column ? typeLabel(column.type) : '?' };
                context.report({ messageId: column ? 'typeChange' : 'typeChangeUnknown', file, at, data });
              }
            }
            return;
          case 'TruncateStmt':
            for (const action of changes.actions) if (!inverse(action.key)) context.report({ messageId: 'truncate', file, at, data: { name: displayName(action.name) } });
            return;
          case 'DeleteStmt':
            if (!n.whereClause) context.report({ messageId: 'deleteAll', file, at, data: { name: displayName(relationName(n.relation)) } });
            return;
          case 'UpdateStmt': {
            // The rows of a table this migration created are its own: nothing was there to overwrite.
            const table = relationName(n.relation);
            if (n.whereClause || !schema.isEstablished(table, context.migration.name)) return;
            const columns = (n.targetList ?? []).map((target: AstNode) => target.ResTarget?.name).filter(Boolean);
            context.report({ messageId: 'updateAll', file, at, data: { name: displayName(table), columns: columns.join(', ') || 'its columns' } });
            return;
          }
          default:
            return;
        }
      },
    };
  },
});

const INTEGER_RANK: Readonly<Record<string, number>> = { int2: 1, int4: 2, int8: 3 };

/** True when every value of `from` fits `to` unchanged. */
export function isWidening(from: TypeRef, to: TypeRef): boolean {
  if (from.array !== to.array) return false;
  if (from.name === to.name && from.mods.join() === to.mods.join()) return true;
  if (from.name === 'varchar' && to.name === 'text') return true;
  if (from.name === 'varchar' && to.name === 'varchar') return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
  if (from.name === 'bpchar' && to.name === 'text') return false;
  const a = INTEGER_RANK[from.name];
  const b = INTEGER_RANK[to.name];
  if (a && b) return b >= a;
  if (a && to.name === 'numeric') return to.mods.length === 0;
  if (from.name === 'numeric' && to.name === 'numeric') {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return s2 >= s1 && p2! - s2 >= p1! - s1;
  }
  if (from.name === 'varbit' && to.name === 'varbit') return to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
  return false;
}
