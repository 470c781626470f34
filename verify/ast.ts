// Small readers over libpg-query's JSON AST: names, types, lists, typed node access. No rule logic here.
import type { Node } from '@pgsql/types';
import type { AstNode, Statement } from '../core/migrations/parse.js';

/** Every node kind of PostgreSQL 18's AST ('CreateStmt', 'IndexStmt', 'ColumnDef', ...) with its typed body. */
export type NodeByKind = { [K in KeysOf<Node>]: Extract<Node, Record<K, unknown>>[K] };
type KeysOf<T> = T extends unknown ? keyof T : never;
export type NodeKind = keyof NodeByKind;

/** The body of a wrapped node when it is of `kind` (`nodeOf(cmd.def, 'ColumnDef')`), else undefined. */
export function nodeOf<K extends NodeKind>(node: Node | AstNode | undefined, kind: K): NodeByKind[K] | undefined {
  return (node as Record<string, unknown> | undefined)?.[kind] as NodeByKind[K] | undefined;
}

/** The bodies of the nodes of a list that are of `kind`. */
export function nodesOf<K extends NodeKind>(list: readonly (Node | AstNode)[] | undefined, kind: K): NodeByKind[K][] {
  return (list ?? []).flatMap((node) => {
    const body = nodeOf(node, kind);
    return body === undefined ? [] : [body];
  });
}

/** `{ String: { sval } }` lists → ['a', 'b']. */
export function stringList(list: readonly (Node | AstNode)[] | undefined): string[] {
  return (list ?? []).map((item) => nodeOf(item, 'String')?.sval ?? (nodeOf(item, 'A_Star') ? '*' : ''));
}

/** Names as Postgres resolves them: the parser already folded unquoted identifiers; a missing schema is public. */
export function qualifiedName(schema: string | undefined, name: string): string {
  return `${schema ?? 'public'}.${name}`;
}

/** `public.x` → `x`, other schemas stay. */
export function displayName(qualified: string): string {
  return qualified.startsWith('public.') ? qualified.slice(7) : qualified;
}

export function relationName(rangeVar: AstNode | undefined): string {
  if (!rangeVar) return '';
  return qualifiedName(rangeVar.schemaname, rangeVar.relname ?? '');
}

/** ALTER TABLE on a table (not an index, view or sequence): the table's qualified name and its AlterTableCmd nodes. */
export function alterTableOf(statement: Statement): { readonly table: string; readonly commands: readonly AstNode[] } | undefined {
  if (statement.kind !== 'AlterTableStmt' || (statement.node.objtype && statement.node.objtype !== 'OBJECT_TABLE')) return undefined;
  return { table: relationName(statement.node.relation), commands: (statement.node.cmds ?? []).map((command: AstNode) => command.AlterTableCmd ?? {}) };
}

/** A name list (['myschema','mytype'] or ['mytype']) → qualified name. */
export function qualifiedFromList(names: readonly string[]): string {
  if (names.length >= 2) return `${names[names.length - 2]}.${names[names.length - 1]}`;
  return qualifiedName(undefined, names[0] ?? '');
}

export interface TypeRef {
  /** Normalized name: int4, int8, varchar, text, timestamptz, numeric, serial, public.mood ... */
  readonly name: string;
  readonly mods: readonly number[];
  readonly array: boolean;
}

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'int4', integer: 'int4', int4: 'int4', smallint: 'int2', int2: 'int2', bigint: 'int8', int8: 'int8',
  serial: 'serial', serial4: 'serial', bigserial: 'bigserial', serial8: 'bigserial', smallserial: 'smallserial', serial2: 'smallserial',
  decimal: 'numeric', numeric: 'numeric', real: 'float4', float4: 'float4', float8: 'float8', 'double precision': 'float8',
  varchar: 'varchar', 'character varying': 'varchar', char: 'bpchar', character: 'bpchar', bpchar: 'bpchar',
  text: 'text', bool: 'bool', boolean: 'bool', timestamp: 'timestamp', timestamptz: 'timestamptz', time: 'time', timetz: 'timetz',
};

export function typeRef(typeName: AstNode | undefined): TypeRef {
  const names = stringList(typeName?.names);
  const builtin = names[0] === 'pg_catalog' || names.length === 1;
  const raw = names[names.length - 1] ?? 'unknown';
  // "char" (quoted, unqualified) is Postgres's one-byte internal type, not char(n).
  if (names.length === 1 && raw === 'char') return { name: 'char', mods: [], array: Array.isArray(typeName?.arrayBounds) && typeName.arrayBounds.length > 0 };
  const name = builtin && TYPE_ALIASES[raw] ? TYPE_ALIASES[raw]! : names.length === 1 && !TYPE_ALIASES[raw] ? qualifiedName(undefined, raw) : names[0] === 'pg_catalog' ? raw : qualifiedFromList(names);
  const mods = (typeName?.typmods ?? []).map((m: AstNode) => Number(m.A_Const?.ival?.ival ?? 0));
  return { name, mods, array: Array.isArray(typeName?.arrayBounds) && typeName.arrayBounds.length > 0 };
}

/** Readable type for messages: varchar(50), int4[], ... */
export function typeLabel(type: TypeRef): string {
  const base = displayName(type.name);
  return `${base}${type.mods.length ? `(${type.mods.join(',')})` : ''}${type.array ? '[]' : ''}`;
}

/** Unwrap `{ Kind: body }` → [kind, body]. */
export function unwrap(node: AstNode | undefined): [string, AstNode] {
  if (!node) return ['', {}];
  const kind = Object.keys(node)[0] ?? '';
  return [kind, node[kind] ?? {}];
}

/** Visit every nested AST node (`{ Kind: body }`) of a value, depth first. */
export function visitNodes(node: unknown, visit: (kind: string, body: AstNode) => void): void {
  if (Array.isArray(node)) {
    for (const item of node) visitNodes(item, visit);
    return;
  }
  if (!node || typeof node !== 'object') return;
  for (const key in node as AstNode) {
    const value = (node as AstNode)[key];
    if (!value || typeof value !== 'object') continue;
    if (!Array.isArray(value) && key.charCodeAt(0) >= 65 && key.charCodeAt(0) <= 90) visit(key, value as AstNode);
    visitNodes(value, visit);
  }
}

/** Every nested AST node of a value, depth first. */
export function walk(node: unknown): Array<[string, AstNode]> {
  const out: Array<[string, AstNode]> = [];
  visitNodes(node, (kind, body) => out.push([kind, body]));
  return out;
}

/** Column names of an index element list or key list. Expressions become '(expr)'. */
export function indexColumns(params: readonly AstNode[] | undefined): string[] {
  return (params ?? []).map((p) => {
    const elem = p.IndexElem;
    if (elem) return elem.name ?? '(expr)';
    return p.String?.sval ?? '(expr)';
  });
}

/** Column names an expression refers to (last name of each ColumnRef). */
export function expressionColumns(expr: AstNode | undefined): string[] {
  const out = new Set<string>();
  visitNodes(expr, (kind, body) => {
    if (kind !== 'ColumnRef') return;
    const names = stringList(body.fields);
    const last = names[names.length - 1];
    if (last && last !== '*') out.add(last);
  });
  return [...out];
}

/** Relations a query reads (every RangeVar of its FROM clauses and subqueries), CTE names left out. */
export function queryRelations(query: AstNode | undefined): string[] {
  const ctes = new Set<string>();
  const found: AstNode[] = [];
  visitNodes(query, (kind, body) => {
    if (kind === 'CommonTableExpr' && body.ctename) ctes.add(body.ctename);
    else if (kind === 'RangeVar') found.push(body);
  });
  const out = new Set<string>();
  for (const rangeVar of found) if (rangeVar.schemaname || !ctes.has(rangeVar.relname)) out.add(relationName(rangeVar));
  return [...out];
}

/** Every column a CREATE INDEX uses: key columns, columns inside key expressions, INCLUDE columns and the WHERE predicate's. */
export function indexUsedColumns(index: AstNode): string[] {
  const out = new Set<string>();
  for (const param of [...(index.indexParams ?? []), ...(index.indexIncludingParams ?? [])]) {
    const elem = param.IndexElem ?? {};
    if (elem.name) out.add(elem.name);
    for (const column of expressionColumns(elem.expr)) out.add(column);
  }
  for (const column of expressionColumns(index.whereClause)) out.add(column);
  return [...out];
}

/** Whether a statement's option list turns `name` on: bare, or `true`/`on`/`1` (Postgres's defGetBoolean). */
export function optionEnabled(options: readonly AstNode[] | undefined, name: string): boolean {
  const option = (options ?? []).map((o) => nodeOf(o, 'DefElem')).find((d) => d?.defname === name);
  if (!option) return false;
  const arg = option.arg as AstNode | undefined;
  if (!arg) return true;
  if (arg.Integer) return (arg.Integer.ival ?? 0) !== 0;
  const text = String(arg.String?.sval ?? arg.Boolean?.boolval ?? '').toLowerCase();
  return text === 'true' || text === 'on' || text === '1';
}
