// What a statement destroys that holds data, read from its parse tree: the tables, materialized views and columns it
// drops, the schemas and types it drops with CASCADE (and so the tables or columns in them), the rows it deletes or
// truncates. Pure: names as written (no catalog); the runner resolves them against the database (runner/rollback-guard.ts).
import type { AstNode } from './parse.js';

export type DataDropKind = 'table' | 'materialized view' | 'column' | 'schema' | 'type' | 'delete' | 'truncate';

export interface DataDrop {
  readonly kind: DataDropKind;
  /** The schema as written; undefined when the name is unqualified (the session's search_path decides). */
  readonly schema?: string;
  /** The table, materialized view, schema or type, as written. */
  readonly name: string;
  /** For 'column': the column dropped. */
  readonly column?: string;
  /** CASCADE: a schema's tables, a type's columns, the tables a TRUNCATE reaches through foreign keys. */
  readonly cascade: boolean;
  /** IF EXISTS. */
  readonly missingOk: boolean;
  /** For 'delete': the statement has a WHERE clause (it may delete some rows only). */
  readonly filtered?: boolean;
}

const DROPPED_RELATIONS: Readonly<Record<string, DataDropKind>> = {
  OBJECT_TABLE: 'table',
  OBJECT_MATVIEW: 'materialized view',
};

/** The data-holding things `statement` destroys, in the order written. */
export function droppedData(statement: { readonly kind: string; readonly node: AstNode }): DataDrop[] {
  const node = statement.node;
  const cascade = node.behavior === 'DROP_CASCADE';
  switch (statement.kind) {
    case 'DropStmt': {
      const missingOk = Boolean(node.missing_ok);
      const objects = (node.objects ?? []) as AstNode[];
      const relationKind = DROPPED_RELATIONS[node.removeType as string];
      if (relationKind) {
        return objects.map((object) => ({ kind: relationKind, ...qualified(names(object)), cascade, missingOk }));
      }
      if (node.removeType === 'OBJECT_SCHEMA' && cascade) {
        return objects.map((object) => ({ kind: 'schema' as const, name: String(object.String?.sval ?? ''), cascade, missingOk }));
      }
      if ((node.removeType === 'OBJECT_TYPE' || node.removeType === 'OBJECT_DOMAIN') && cascade) {
        return objects.map((object) => ({ kind: 'type' as const, ...qualified(names(object.TypeName ?? object)), cascade, missingOk }));
      }
      return [];
    }
    case 'AlterTableStmt': {
      if (node.objtype !== 'OBJECT_TABLE' || !node.relation) return [];
      const table = rangeVar(node.relation);
      return ((node.cmds ?? []) as AstNode[])
        .map((cmd) => cmd.AlterTableCmd)
        .filter((cmd): cmd is AstNode => cmd?.subtype === 'AT_DropColumn')
        .map((cmd) => ({ kind: 'column' as const, ...table, column: String(cmd.name), cascade: cmd.behavior === 'DROP_CASCADE', missingOk: Boolean(cmd.missing_ok) }));
    }
    case 'DeleteStmt':
      return node.relation ? [{ kind: 'delete', ...rangeVar(node.relation), cascade: false, missingOk: false, filtered: node.whereClause !== undefined }] : [];
    case 'TruncateStmt':
      return ((node.relations ?? []) as AstNode[]).map((relation) => ({ kind: 'truncate' as const, ...rangeVar(relation.RangeVar ?? relation), cascade, missingOk: false }));
    default:
      return [];
  }
}

/** How a drop reads in a message: `table widgets`, `column shop.products.sku`, `rows of settings (DELETE)`. */
export function describeDrop(drop: DataDrop): string {
  const name = drop.schema ? `${drop.schema}.${drop.name}` : drop.name;
  switch (drop.kind) {
    case 'column':
      return `column ${name}.${drop.column}`;
    case 'delete':
      return `rows of ${name} (DELETE${drop.filtered ? ' … WHERE' : ''})`;
    case 'truncate':
      return `rows of ${name} (TRUNCATE${drop.cascade ? ' … CASCADE' : ''})`;
    case 'schema':
      return `schema ${name} (CASCADE)`;
    case 'type':
      return `type ${name} (CASCADE: the columns of that type)`;
    default:
      return `${drop.kind} ${name}`;
  }
}

function names(list: AstNode): string[] {
  return ((list.List?.items ?? list.names ?? []) as AstNode[]).map((item) => String(item.String?.sval ?? ''));
}

function qualified(parts: readonly string[]): { schema?: string; name: string } {
  const name = parts[parts.length - 1] ?? '';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return schema ? { schema, name } : { name };
}

function rangeVar(relation: AstNode): { schema?: string; name: string } {
  return relation.schemaname ? { schema: String(relation.schemaname), name: String(relation.relname) } : { name: String(relation.relname) };
}
