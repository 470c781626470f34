import type { ColumnDef, Node } from '@pgsql/types';
import { defineRule } from '../rule.js';
import { displayName, nodeOf, nodesOf, typeRef } from '../ast.js';

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
      AlterTableCmd(cmd, { established, table, schema, file, statement }) {
        if (!established || cmd.subtype !== 'AT_AddColumn') return;
        const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
        // A domain may bring its own DEFAULT, which the model does not record: trust it.
        if (schema.object('domain', typeRef(def.typeName).name)) return;
        const how = requiredWithoutValue(def);
        if (!how) return;
        context.report({ messageId: 'requiredField', file, at: def.location ?? statement.start, data: { table: displayName(table), column: def.colname ?? '', how } });
      },
    };
  },
});

/** 'NOT NULL' or 'PRIMARY KEY' when the column refuses NULL and nothing fills existing rows; undefined otherwise. */
function requiredWithoutValue(def: ColumnDef): string | undefined {
  if (SERIAL.has(typeRef(def.typeName).name)) return undefined;
  let how: string | undefined = def.is_not_null ? 'NOT NULL' : undefined;
  for (const c of nodesOf(def.constraints, 'Constraint')) {
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
function isNullConstant(expr: Node | undefined): boolean {
  if (!expr) return true;
  const constant = nodeOf(expr, 'A_Const');
  if (constant) return constant.isnull === true;
  const cast = nodeOf(expr, 'TypeCast');
  return cast ? isNullConstant(cast.arg) : false;
}
