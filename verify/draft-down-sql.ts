// SQL text from the schema model's values and the ASTs it keeps, for a drafted down: identifiers, types, expressions,
// column definitions, constraints and indexes. libpg-query 18 has no deparser in this package, so the few node kinds a
// definition holds are written here; anything else throws CannotRender, and the drafted down says so.
import type { AstNode } from '../core/migrations/parse.js';
import { stringList, unwrap, type TypeRef } from './ast.js';
import type { Column, Constraint, Index } from './schema-model.js';

/** A node kind the renderer does not write: the caller turns it into a `-- verify:irreversible` line. */
export class CannotRender extends Error {
  constructor(readonly what: string) {
    super(`cannot write ${what} back as SQL`);
  }
}

// Reserved words (and the type/function-name ones) that must be quoted as identifiers.
const RESERVED = new Set(
  ('all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation column concurrently constraint create cross ' +
    'current_catalog current_date current_role current_schema current_time current_timestamp current_user default deferrable desc distinct do else end except ' +
    'false fetch for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral leading left like limit localtime ' +
    'localtimestamp natural not notnull null offset on only or order outer overlaps placing primary references returning right select session_user similar some ' +
    'symmetric system_user table tablesample then to trailing true union unique user using variadic verbose when where window with').split(' '),
);

/** An identifier as SQL: bare when Postgres would read it back unchanged, else double-quoted. */
export function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) && !RESERVED.has(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A model name (`schema.name`, `public` implied) as SQL. */
export function qname(qualified: string): string {
  const dot = qualified.indexOf('.');
  if (dot < 0) return ident(qualified);
  const schema = qualified.slice(0, dot);
  const bare = qualified.slice(dot + 1);
  return schema === 'public' ? ident(bare) : `${ident(schema)}.${ident(bare)}`;
}

/** The bare name of a model name. */
export function bareName(qualified: string): string {
  const dot = qualified.indexOf('.');
  return dot < 0 ? qualified : qualified.slice(dot + 1);
}

export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

const TYPE_NAMES: Readonly<Record<string, string>> = { bpchar: 'character', float8: 'double precision', float4: 'real', int2: 'smallint', int4: 'integer', int8: 'bigint', bool: 'boolean' };

/** A column type of the model (normalized name, modifiers, array). */
export function typeRefSql(type: TypeRef): string {
  const name = type.name === 'char' ? '"char"' : type.name.includes('.') ? qname(type.name) : (TYPE_NAMES[type.name] ?? ident(type.name));
  const mods = type.mods.length && type.name !== 'interval' ? `(${type.mods.join(',')})` : '';
  return `${name}${mods}${type.array ? '[]' : ''}`;
}

/** A TypeName node as written. */
export function typeNameSql(node: AstNode | undefined): string {
  if (!node) throw new CannotRender('a type');
  if (node.pct_type) throw new CannotRender('a %TYPE reference');
  const names = stringList(node.names);
  const qualified = names[0] === 'pg_catalog' && names.length > 1 ? names.slice(1) : names;
  const base = qualified.length === 1 && qualified[0] === 'char' && names.length === 1 ? '"char"' : qualified.map((n) => (names[0] === 'pg_catalog' ? (TYPE_NAMES[n] ?? n) : ident(n))).join('.');
  const interval = qualified[qualified.length - 1] === 'interval';
  const mods = (node.typmods ?? []).length && !interval ? `(${(node.typmods as AstNode[]).map(expr).join(', ')})` : '';
  const array = (node.arrayBounds ?? []).map((b: AstNode) => (b.Integer?.ival !== undefined && b.Integer.ival >= 0 ? `[${b.Integer.ival}]` : '[]')).join('');
  return `${node.setof ? 'SETOF ' : ''}${base}${mods}${array}`;
}

function constant(c: AstNode): string {
  if (c.isnull) return 'NULL';
  if (c.ival !== undefined) return String(c.ival.ival ?? 0);
  if (c.fval !== undefined) return String(c.fval.fval);
  if (c.boolval !== undefined) return c.boolval.boolval ? 'true' : 'false';
  if (c.sval !== undefined) return literal(String(c.sval.sval ?? ''));
  if (c.bsval !== undefined) {
    const bits = String(c.bsval.bsval ?? '');
    return `${bits[0]?.toUpperCase() === 'X' ? 'X' : 'B'}${literal(bits.slice(1))}`;
  }
  throw new CannotRender('a constant');
}

function operator(names: readonly AstNode[] | undefined): string {
  const parts = stringList(names);
  if (parts.length === 1) return parts[0]!;
  return `OPERATOR(${parts.join('.')})`;
}

const SQL_VALUE: Readonly<Record<string, string>> = {
  SVFOP_CURRENT_DATE: 'CURRENT_DATE',
  SVFOP_CURRENT_TIME: 'CURRENT_TIME',
  SVFOP_CURRENT_TIME_N: 'CURRENT_TIME',
  SVFOP_CURRENT_TIMESTAMP: 'CURRENT_TIMESTAMP',
  SVFOP_CURRENT_TIMESTAMP_N: 'CURRENT_TIMESTAMP',
  SVFOP_LOCALTIME: 'LOCALTIME',
  SVFOP_LOCALTIME_N: 'LOCALTIME',
  SVFOP_LOCALTIMESTAMP: 'LOCALTIMESTAMP',
  SVFOP_LOCALTIMESTAMP_N: 'LOCALTIMESTAMP',
  SVFOP_CURRENT_ROLE: 'CURRENT_ROLE',
  SVFOP_CURRENT_USER: 'CURRENT_USER',
  SVFOP_USER: 'USER',
  SVFOP_SESSION_USER: 'SESSION_USER',
  SVFOP_CURRENT_CATALOG: 'CURRENT_CATALOG',
  SVFOP_CURRENT_SCHEMA: 'CURRENT_SCHEMA',
};

/** An expression node (a default, a CHECK, an index expression or predicate) as SQL. */
export function expr(node: AstNode | undefined): string {
  const [kind, n] = unwrap(node);
  switch (kind) {
    case 'A_Const':
      return constant(n);
    case 'Integer':
      return String(n.ival ?? 0);
    case 'Float':
      return String(n.fval);
    case 'String':
      return literal(String(n.sval ?? ''));
    case 'Boolean':
      return n.boolval ? 'true' : 'false';
    case 'ColumnRef':
      return (n.fields ?? []).map((f: AstNode) => (f.A_Star ? '*' : ident(String(f.String?.sval ?? '')))).join('.');
    case 'TypeCast': {
      const arg = expr(n.arg);
      const inner = /^-/.test(arg) || unwrap(n.arg)[0] === 'A_Expr' || unwrap(n.arg)[0] === 'BoolExpr' ? `(${arg})` : arg;
      return `${inner}::${typeNameSql(n.typeName)}`;
    }
    case 'FuncCall': {
      if (n.over) throw new CannotRender('a window function');
      if (n.agg_order?.length || n.agg_filter || n.agg_within_group) throw new CannotRender('an ordered or filtered aggregate');
      const name = stringList(n.funcname);
      const shown = name[0] === 'pg_catalog' && name.length > 1 ? name.slice(1) : name;
      const args = n.agg_star ? '*' : (n.args ?? []).map((a: AstNode, i: number) => `${n.func_variadic && i === n.args.length - 1 ? 'VARIADIC ' : ''}${expr(a)}`).join(', ');
      return `${shown.map((p) => (p.includes('"') || /[^a-z0-9_$]/.test(p) ? ident(p) : p)).join('.')}(${n.agg_distinct ? 'DISTINCT ' : ''}${args})`;
    }
    case 'NamedArgExpr':
      return `${ident(n.name)} => ${expr(n.arg)}`;
    case 'A_Expr':
      return aExpr(n);
    case 'BoolExpr': {
      const args = (n.args ?? []).map(expr);
      if (n.boolop === 'NOT_EXPR') return `(NOT ${args[0]})`;
      return `(${args.join(n.boolop === 'AND_EXPR' ? ' AND ' : ' OR ')})`;
    }
    case 'NullTest':
      return `(${expr(n.arg)} IS ${n.nulltesttype === 'IS_NOT_NULL' ? 'NOT ' : ''}NULL)`;
    case 'BooleanTest': {
      const tests: Record<string, string> = { IS_TRUE: 'IS TRUE', IS_NOT_TRUE: 'IS NOT TRUE', IS_FALSE: 'IS FALSE', IS_NOT_FALSE: 'IS NOT FALSE', IS_UNKNOWN: 'IS UNKNOWN', IS_NOT_UNKNOWN: 'IS NOT UNKNOWN' };
      return `(${expr(n.arg)} ${tests[n.booltesttype] ?? 'IS TRUE'})`;
    }
    case 'SQLValueFunction': {
      const name = SQL_VALUE[n.op];
      if (!name) throw new CannotRender(`the SQL value function ${n.op}`);
      return n.typmod !== undefined && n.typmod >= 0 && /_N$/.test(n.op) ? `${name}(${n.typmod})` : name;
    }
    case 'A_ArrayExpr':
      return `ARRAY[${(n.elements ?? []).map(expr).join(', ')}]`;
    case 'RowExpr':
      return `ROW(${(n.args ?? []).map(expr).join(', ')})`;
    case 'CoalesceExpr':
      return `COALESCE(${(n.args ?? []).map(expr).join(', ')})`;
    case 'MinMaxExpr':
      return `${n.op === 'IS_GREATEST' ? 'GREATEST' : 'LEAST'}(${(n.args ?? []).map(expr).join(', ')})`;
    case 'CaseExpr': {
      const whens = (n.args ?? []).map((w: AstNode) => `WHEN ${expr(w.CaseWhen?.expr)} THEN ${expr(w.CaseWhen?.result)}`).join(' ');
      return `CASE${n.arg ? ` ${expr(n.arg)}` : ''} ${whens}${n.defresult ? ` ELSE ${expr(n.defresult)}` : ''} END`;
    }
    case 'CollateClause':
      return `${expr(n.arg)} COLLATE ${stringList(n.collname).map(ident).join('.')}`;
    case 'A_Indirection': {
      let out = `(${expr(n.arg)})`;
      for (const step of n.indirection ?? []) {
        const [k, s] = unwrap(step);
        if (k === 'String') out += `.${ident(String(s.sval))}`;
        else if (k === 'A_Indices') out += s.is_slice ? `[${s.lidx ? expr(s.lidx) : ''}:${s.uidx ? expr(s.uidx) : ''}]` : `[${expr(s.uidx)}]`;
        else throw new CannotRender(`an indirection (${k})`);
      }
      return out;
    }
    default:
      throw new CannotRender(kind ? `an expression node ${kind}` : 'an empty expression');
  }
}

function aExpr(n: AstNode): string {
  const op = operator(n.name);
  switch (n.kind) {
    case 'AEXPR_OP':
      if (!n.lexpr) return `(${op} ${expr(n.rexpr)})`;
      if (!n.rexpr) throw new CannotRender('a postfix operator');
      return `(${expr(n.lexpr)} ${op} ${expr(n.rexpr)})`;
    case 'AEXPR_OP_ANY':
      return `(${expr(n.lexpr)} ${op} ANY (${expr(n.rexpr)}))`;
    case 'AEXPR_OP_ALL':
      return `(${expr(n.lexpr)} ${op} ALL (${expr(n.rexpr)}))`;
    case 'AEXPR_DISTINCT':
      return `(${expr(n.lexpr)} IS DISTINCT FROM ${expr(n.rexpr)})`;
    case 'AEXPR_NOT_DISTINCT':
      return `(${expr(n.lexpr)} IS NOT DISTINCT FROM ${expr(n.rexpr)})`;
    case 'AEXPR_NULLIF':
      return `NULLIF(${expr(n.lexpr)}, ${expr(n.rexpr)})`;
    case 'AEXPR_IN': {
      const list = Array.isArray(n.rexpr) ? n.rexpr : (n.rexpr?.List?.items ?? [n.rexpr]);
      return `(${expr(n.lexpr)} ${op === '<>' ? 'NOT IN' : 'IN'} (${list.map(expr).join(', ')}))`;
    }
    case 'AEXPR_LIKE':
    case 'AEXPR_ILIKE':
    case 'AEXPR_SIMILAR': {
      const negated = op.startsWith('!');
      const word = n.kind === 'AEXPR_LIKE' ? 'LIKE' : n.kind === 'AEXPR_ILIKE' ? 'ILIKE' : 'SIMILAR TO';
      const right = n.kind === 'AEXPR_SIMILAR' && unwrap(n.rexpr)[0] === 'FuncCall' ? expr(n.rexpr.FuncCall.args?.[0]) : expr(n.rexpr);
      return `(${expr(n.lexpr)} ${negated ? 'NOT ' : ''}${word} ${right})`;
    }
    case 'AEXPR_BETWEEN':
    case 'AEXPR_NOT_BETWEEN':
    case 'AEXPR_BETWEEN_SYM':
    case 'AEXPR_NOT_BETWEEN_SYM': {
      const bounds = (n.rexpr?.List?.items ?? n.rexpr ?? []) as AstNode[];
      const word = n.kind.replace('AEXPR_', '').replace('NOT_', 'NOT ').replace('_SYM', ' SYMMETRIC');
      return `(${expr(n.lexpr)} ${word} ${expr(bounds[0])} AND ${expr(bounds[1])})`;
    }
    default:
      throw new CannotRender(`the operator form ${n.kind}`);
  }
}

/** A column as it stands in the model, for CREATE TABLE or ADD COLUMN (constraints apart). */
export function columnSql(column: Column): string {
  const parts = [ident(column.name), typeRefSql(column.type)];
  const serial = column.type.name === 'serial' || column.type.name === 'bigserial' || column.type.name === 'smallserial';
  if (column.generatedExpr) parts.push(`GENERATED ALWAYS AS (${expr(column.generatedExpr)}) STORED`);
  else if (column.identity) parts.push(`GENERATED ${column.identityKind === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`);
  else if (column.hasDefault && column.defaultExpr && !serial) parts.push(`DEFAULT ${expr(column.defaultExpr)}`);
  if (column.notNull && !serial && !column.identity) parts.push('NOT NULL');
  return parts.join(' ');
}

const FK_ACTION: Readonly<Record<string, string>> = { r: 'RESTRICT', c: 'CASCADE', n: 'SET NULL', d: 'SET DEFAULT' };

function columnList(columns: readonly string[]): string {
  return `(${columns.map(ident).join(', ')})`;
}

/** A table constraint as it stands in the model: `CONSTRAINT name ...`. */
export function constraintSql(constraint: Constraint): string {
  const c = constraint.node;
  if (!c) throw new CannotRender(`constraint ${constraint.name}`);
  const deferral = `${c.deferrable ? ' DEFERRABLE' : ''}${c.initdeferred ? ' INITIALLY DEFERRED' : ''}`;
  let body: string;
  switch (constraint.type) {
    case 'primary':
    case 'unique': {
      const include = (c.including ?? []).length ? ` INCLUDE ${columnList(stringList(c.including))}` : '';
      const nulls = c.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
      body = `${constraint.type === 'primary' ? 'PRIMARY KEY' : `UNIQUE${nulls}`} ${columnList(constraint.columns)}${include}`;
      break;
    }
    case 'foreign': {
      const refColumns = constraint.refColumns?.length ? ` ${columnList(constraint.refColumns)}` : '';
      const match = c.fk_matchtype === 'f' ? ' MATCH FULL' : '';
      const onDelete = FK_ACTION[c.fk_del_action] ? ` ON DELETE ${FK_ACTION[c.fk_del_action]}` : '';
      const onUpdate = FK_ACTION[c.fk_upd_action] ? ` ON UPDATE ${FK_ACTION[c.fk_upd_action]}` : '';
      body = `FOREIGN KEY ${columnList(constraint.columns)} REFERENCES ${qname(constraint.refTable ?? '')}${refColumns}${match}${onDelete}${onUpdate}`;
      break;
    }
    case 'check':
      body = `CHECK (${expr(c.raw_expr)})${c.is_no_inherit ? ' NO INHERIT' : ''}`;
      break;
    case 'exclusion': {
      const elements = (c.exclusions ?? []).map((e: AstNode) => {
        const [element, ops] = e.List?.items ?? [];
        return `${indexElement(element)} WITH ${operator(ops?.List?.items)}`;
      });
      body = `EXCLUDE USING ${c.access_method ?? 'gist'} (${elements.join(', ')})${c.where_clause ? ` WHERE (${expr(c.where_clause)})` : ''}`;
      break;
    }
    default:
      throw new CannotRender(`constraint ${constraint.name}`);
  }
  return `CONSTRAINT ${ident(constraint.name)} ${body}${deferral}${constraint.notValid && (constraint.type === 'foreign' || constraint.type === 'check') ? ' NOT VALID' : ''}`;
}

function indexElement(node: AstNode | undefined): string {
  const e = node?.IndexElem;
  if (!e) throw new CannotRender('an index element');
  let out = e.name ? ident(e.name) : `(${expr(e.expr)})`;
  if (e.collation?.length) out += ` COLLATE ${stringList(e.collation).map(ident).join('.')}`;
  if (e.opclass?.length) out += ` ${stringList(e.opclass).map(ident).join('.')}`;
  if (e.ordering === 'SORTBY_DESC') out += ' DESC';
  if (e.ordering === 'SORTBY_ASC') out += ' ASC';
  if (e.nulls_ordering === 'SORTBY_NULLS_FIRST') out += ' NULLS FIRST';
  if (e.nulls_ordering === 'SORTBY_NULLS_LAST') out += ' NULLS LAST';
  return out;
}

function option(def: AstNode): string {
  const d = def.DefElem ?? {};
  const [kind, value] = unwrap(d.arg);
  const text = kind === 'String' ? String(value.sval) : kind === 'Integer' ? String(value.ival ?? 0) : kind === 'Float' ? String(value.fval) : kind === 'Boolean' ? String(Boolean(value.boolval)) : kind === 'TypeName' ? typeNameSql(value) : '';
  return text ? `${d.defname} = ${/^[a-z0-9_.]+$/.test(text) ? text : literal(text)}` : d.defname;
}

/** CREATE INDEX for an index of the model (not one a constraint made). */
export function indexSql(index: Index, concurrently = false): string {
  const n = index.node;
  if (!n) throw new CannotRender(`index ${index.name}`);
  const method = n.accessMethod && n.accessMethod !== 'btree' ? ` USING ${n.accessMethod}` : '';
  const elements = (n.indexParams ?? []).map(indexElement).join(', ');
  const include = (n.indexIncludingParams ?? []).length ? ` INCLUDE (${(n.indexIncludingParams as AstNode[]).map(indexElement).join(', ')})` : '';
  const nulls = n.nulls_not_distinct ? ' NULLS NOT DISTINCT' : '';
  const options = (n.options ?? []).length ? ` WITH (${(n.options as AstNode[]).map(option).join(', ')})` : '';
  const where = n.whereClause ? ` WHERE ${expr(n.whereClause)}` : '';
  const only = n.relation?.inh === false ? 'ONLY ' : '';
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${ident(bareName(index.name))} ON ${only}${qname(index.table)}${method} (${elements})${include}${nulls}${options}${where}`;
}
