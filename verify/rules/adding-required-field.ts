import { defineRule } from '../rule.js';
import { alterTableOf, displayName, typeRef } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

const SERIAL = new Set(['serial', 'bigserial', 'smallserial']);

/** ADD COLUMN ... NOT NULL without a default: every existing row would hold NULL, so Postgres refuses it on a table with rows. */
export default defineRule({
  meta: {
    name: 'adding-required-field',
    description: 'A NOT NULL column added to an existing table has a default.',
    category: 'integrity',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      requiredField: 'Adding column {{table}}.{{column}} {{how}} without a default fails as soon as {{table}} holds a row, since every existing row would get NULL.',
    },
    help: {
      requiredField: 'Give the column a constant DEFAULT, or add it nullable, backfill it, and set NOT NULL in a later migration.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        const alter = alterTableOf(statement);
        if (!alter || !schema.isEstablished(alter.table, context.migration.name)) return;
        const table = alter.table;
        for (const cmd of alter.commands) {
          if (cmd.subtype !== 'AT_AddColumn') continue;
          const def: AstNode = cmd.def?.ColumnDef ?? {};
          // A domain may bring its own DEFAULT, which the model does not record: trust it.
          if (schema.object('domain', typeRef(def.typeName).name)) continue;
          const how = requiredWithoutValue(def);
          if (!how) continue;
          context.report({ messageId: 'requiredField', file, at: def.location ?? statement.start, data: { table: displayName(table), column: def.colname, how } });
        }
      },
    };
  },
});

/** 'NOT NULL' or 'PRIMARY KEY' when the column refuses NULL and nothing fills existing rows; undefined otherwise. */
function requiredWithoutValue(def: AstNode): string | undefined {
  if (SERIAL.has(typeRef(def.typeName).name)) return undefined;
  let how: string | undefined = def.is_not_null ? 'NOT NULL' : undefined;
  for (const item of def.constraints ?? []) {
    const c: AstNode = item.Constraint ?? {};
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        how ??= 'NOT NULL';
        break;
      case 'CONSTR_PRIMARY':
        how = 'PRIMARY KEY';
        break;
      case 'CONSTR_DEFAULT':
        if (!isNullConstant(c.raw_expr)) return undefined;
        break;
      // An identity column draws a value per row; a generated column computes one.
      case 'CONSTR_IDENTITY':
      case 'CONSTR_GENERATED':
        return undefined;
      default:
        break;
    }
  }
  return how;
}

/** DEFAULT NULL (or NULL::type) fills nothing. */
function isNullConstant(expr: AstNode | undefined): boolean {
  if (!expr) return true;
  if (expr.A_Const) return expr.A_Const.isnull === true;
  if (expr.TypeCast) return isNullConstant(expr.TypeCast.arg);
  return false;
}
