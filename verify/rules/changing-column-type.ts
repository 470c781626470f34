import { defineRule } from '../rule.js';
import { displayName, nodeOf, stringList, typeLabel, typeRef, type TypeRef } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';
import type { SchemaModel } from '../schema-model.js';

/** ALTER COLUMN ... TYPE on a table in use rewrites it and its indexes under ACCESS EXCLUSIVE, unless the change is binary-coercible. */
export default defineRule({
  meta: {
    name: 'changing-column-type',
    description: 'A column type change on an existing table needs no rewrite (e.g. varchar(n) to text or a longer varchar).',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      typeChange: 'Changing {{table}}.{{column}} from {{from}} to {{to}} rewrites {{table}} and its indexes under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      typeChangeUnknown: 'Changing {{table}}.{{column}} to {{to}} rewrites {{table}} and its indexes under an ACCESS EXCLUSIVE lock unless the change is binary-coercible (the current type is not known here), blocking reads and writes until it finishes.',
      usingRewrite: 'Changing {{table}}.{{column}} to {{to}} with a USING expression rewrites {{table}} and its indexes under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      collation: 'Changing the collation of {{table}}.{{column}} rebuilds its indexes ({{indexes}}) under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes until they finish.',
    },
    help: {
      typeChange: 'Add a new {{to}} column, backfill it in batches, switch reads and writes to it, and drop the old column in a later migration.',
      typeChangeUnknown: 'Add a new {{to}} column, backfill it in batches, switch reads and writes to it, and drop the old column in a later migration.',
      usingRewrite: 'Add a new {{to}} column, backfill it in batches with the USING expression, switch reads and writes to it, and drop the old column in a later migration.',
      collation: 'Build the new indexes with the new collation CONCURRENTLY on a new column, and switch over to it.',
    },
  },
  create(context) {
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        if (cmd.subtype !== 'AT_AlterColumnType') return;
        const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
        const column = cmd.name ?? '';
        const to = typeRef(def.typeName);
        const from = schema.table(table)?.columns.find((c) => c.name === column)?.type;
        const at = def.location ?? statement.start;
        const data = { table: displayName(table), column, to: typeLabel(to), from: from ? typeLabel(from) : '?' };
        if (def.raw_default && !isPlainCast(def.raw_default, column, to)) {
          context.report({ messageId: 'usingRewrite', file, at, data });
        } else if (!from) {
          context.report({ messageId: 'typeChangeUnknown', file, at, data });
        } else if (!needsNoRewrite(from, to)) {
          context.report({ messageId: 'typeChange', file, at, data });
        } else if (def.collClause) {
          const indexes = indexesOn(schema, table, column);
          if (indexes.length) context.report({ messageId: 'collation', file, at, data: { ...data, indexes: indexes.join(', ') } });
        }
      },
    };
  },
});

/** USING column or USING column::<the new type>: the same conversion as no USING at all. */
function isPlainCast(expr: AstNode, column: string, to: TypeRef): boolean {
  const target = expr.TypeCast ? typeRef(expr.TypeCast.typeName) : undefined;
  if (target && (target.name !== to.name || target.mods.join() !== to.mods.join() || target.array !== to.array)) return false;
  const ref = expr.TypeCast ? expr.TypeCast.arg?.ColumnRef : expr.ColumnRef;
  const names = stringList(ref?.fields);
  return names.length > 0 && names[names.length - 1] === column;
}

const TEMPORAL_MAX_PRECISION: Readonly<Record<string, number>> = { timestamp: 6, timestamptz: 6, time: 6, timetz: 6 };

/**
 * True when Postgres changes only the catalog: the types are binary-coercible and the new length, precision or scale
 * admits every old value (varchar_support, numeric_support, TemporalSimplify in the Postgres source).
 * int4 → int8 is NOT one of them: the values fit, but every row is rewritten.
 */
export function needsNoRewrite(from: TypeRef, to: TypeRef): boolean {
  const same = from.name === to.name;
  if (from.array || to.array) return from.array === to.array && same && from.mods.join() === to.mods.join();
  if (same && from.mods.join() === to.mods.join()) return true;
  const widerOrUnbounded = (): boolean => to.mods.length === 0 || (from.mods.length > 0 && to.mods[0]! >= from.mods[0]!);
  if ((from.name === 'varchar' || from.name === 'text') && to.name === 'text') return true;
  if (from.name === 'text' && to.name === 'varchar') return to.mods.length === 0;
  if (same && (from.name === 'varchar' || from.name === 'varbit')) return widerOrUnbounded();
  if (same && from.name === 'numeric') {
    if (to.mods.length === 0) return true;
    if (from.mods.length === 0) return false;
    const [p1, s1 = 0] = from.mods;
    const [p2, s2 = 0] = to.mods;
    return s1 === s2 && p2! >= p1!;
  }
  const max = TEMPORAL_MAX_PRECISION[from.name];
  if (same && max !== undefined) return widerOrUnbounded() || to.mods[0] === max;
  return bare(from.name) === 'cidr' && bare(to.name) === 'inet';
}

/** typeRef() names types it does not alias as public.<name>. */
function bare(name: string): string {
  return name.startsWith('public.') ? name.slice(7) : name;
}

function indexesOn(schema: SchemaModel, table: string, column: string): string[] {
  return schema.indexesOf(table).filter((i) => i.columns.includes(column)).map((i) => displayName(i.name));
}
