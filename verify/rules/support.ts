// Helpers that rules share. A helper used by two rules or more lives here, never inside one rule's file.
//
// Column types (ban-char-field, prefer-timestamp-tz, prefer-bigint-over-int, prefer-bigint-over-smallint,
// prefer-identity, prefer-text-field): which types a statement writes, and when a down file only restores one.
import type { RuleContext, RuleVisitor } from '../rule.js';
import type { AstNode, Statement } from '../../core/migrations/parse.js';
import { displayName, expressionColumns, qualifiedFromList, relationName, stringList, typeLabel, typeRef, unwrap } from '../ast.js';
import type { LineIndex } from '../../core/migrations/source-position.js';


/** A column type a statement writes: a CREATE TABLE column, ADD COLUMN, or ALTER COLUMN ... TYPE. */
export interface WrittenType {
  /** Qualified table name. */
  readonly table: string;
  readonly column: string;
  /**
   * The built-in type as pg_catalog spells it (int4, int2, varchar, bpchar, timestamp, serial, bigserial ...), or
   * undefined for a type in another schema. A bare name is the built-in one when it exists: pg_catalog is searched first.
   * Quoted "char" stays 'char' (the one-byte internal type), unlike char(n), which the parser turns into bpchar.
   */
  readonly builtin: string | undefined;
  readonly mods: readonly number[];
  readonly array: boolean;
  /** Byte offset of the type name. */
  readonly at: number;
  /** How the schema model labels the type (to compare with a column's earlier type). */
  readonly label: string;
  /** How a reader writes it: integer, smallint, varchar(255), char(3), timestamp, serial ... */
  readonly display: string;
  /** A CHECK on this column alone caps its values below the type's largest (e.g. `fitzpatrick_type BETWEEN 1 AND 6`); `n >= 0` caps nothing. */
  readonly bounded: boolean;
}

const DISPLAY: Readonly<Record<string, string>> = {
  int4: 'integer', int2: 'smallint', int8: 'bigint', bpchar: 'char', serial4: 'serial', serial8: 'bigserial', serial2: 'smallserial',
};

/** Six column-type rules read each statement's written types: computed once per statement. */
const writtenByStatement = new WeakMap<Statement, WrittenType[]>();

export function writtenTypes(statement: Statement): readonly WrittenType[] {
  let types = writtenByStatement.get(statement);
  if (!types) writtenByStatement.set(statement, (types = typesWritten(statement)));
  return types;
}

function typesWritten(statement: Statement): WrittenType[] {
  const n = statement.node;
  const out: WrittenType[] = [];
  const add = (table: string, column: string | undefined, typeName: AstNode | undefined, fallback: number | undefined, bounded = false): void => {
    if (!typeName || !column) return;
    const names = stringList(typeName.names);
    const builtin = names.length === 1 ? names[0] : names.length === 2 && names[0] === 'pg_catalog' ? names[1] : undefined;
    const ref = typeRef(typeName);
    const location = typeof typeName.location === 'number' && typeName.location >= 0 ? typeName.location : (fallback ?? statement.start);
    const base = builtin ? (DISPLAY[builtin] ?? builtin) : displayName(qualifiedFromList(names));
    const display = `${base}${ref.mods.length ? `(${ref.mods.join(',')})` : ''}${ref.array ? '[]' : ''}`;
    out.push({ table, column, builtin, mods: ref.mods, array: ref.array, at: location, label: typeLabel(ref), display, bounded });
  };
  if (statement.kind === 'CreateStmt') {
    const table = relationName(n.relation);
    const checks: AstNode[] = (n.tableElts ?? []).filter((e: AstNode) => e.Constraint?.contype === 'CONSTR_CHECK').map((e: AstNode) => e.Constraint.raw_expr);
    for (const element of n.tableElts ?? []) {
      const def = element.ColumnDef;
      if (def) add(table, def.colname, def.typeName, def.location, cappedByCheck(def, checks));
    }
  } else if (statement.kind === 'AlterTableStmt' && (n.objtype ?? 'OBJECT_TABLE') === 'OBJECT_TABLE') {
    const table = relationName(n.relation);
    for (const command of n.cmds ?? []) {
      const cmd = command.AlterTableCmd ?? {};
      const def = cmd.def?.ColumnDef;
      if (cmd.subtype === 'AT_AddColumn' && def) add(table, def.colname, def.typeName, def.location, cappedByCheck(def, []));
      if (cmd.subtype === 'AT_AlterColumnType' && def) add(table, cmd.name, def.typeName, def.location);
    }
  }
  return out;
}

/** The largest value of each built-in integer type: a cap at or above it caps nothing. */
const INTEGER_MAX: Readonly<Record<string, number>> = {
  int2: 32_767, smallserial: 32_767, serial2: 32_767, int4: 2_147_483_647, serial: 2_147_483_647, serial4: 2_147_483_647,
};

/**
 * A CHECK reading only this column (its own, or one of the table's `tableChecks`) caps its values below the type's
 * largest: `n BETWEEN 1 AND 6`, `n <= 100`, `100 > n`, `n IN (1, 2, 3)`, `n >= 0 AND n < 10`. A one-sided `n >= 0` caps nothing.
 */
function cappedByCheck(def: AstNode, tableChecks: readonly AstNode[]): boolean {
  const names = stringList(def.typeName?.names);
  const max = INTEGER_MAX[names[names.length - 1] ?? ''] ?? Infinity;
  const own: AstNode[] = (def.constraints ?? []).filter((c: AstNode) => c.Constraint?.contype === 'CONSTR_CHECK').map((c: AstNode) => c.Constraint.raw_expr);
  return [...own, ...tableChecks].some((expr) => {
    const columns = expressionColumns(expr);
    if (columns.length !== 1 || columns[0] !== def.colname) return false;
    const cap = upperBound(expr, def.colname);
    return cap !== undefined && cap < max;
  });
}

/** The largest integer value `expr` lets `column` take, or undefined when it sets no upper bound (-Infinity: only NULL). */
function upperBound(expr: AstNode | undefined, column: string): number | undefined {
  const [kind, body] = unwrap(expr);
  if (kind === 'BoolExpr') {
    const caps = (body.args ?? []).map((arg: AstNode) => upperBound(arg, column));
    if (body.boolop === 'AND_EXPR') return caps.some((c: number | undefined) => c !== undefined) ? Math.min(...caps.filter((c: number | undefined) => c !== undefined)) : undefined;
    if (body.boolop === 'OR_EXPR') return caps.length > 0 && caps.every((c: number | undefined) => c !== undefined) ? Math.max(...caps) : undefined;
    return undefined;
  }
  if (kind === 'NullTest') return body.nulltesttype === 'IS_NULL' && isColumn(body.arg, column) ? -Infinity : undefined;
  if (kind !== 'A_Expr') return undefined;
  const op = stringList(body.name).join(' ');
  const list: AstNode[] = body.rexpr?.List?.items ?? body.rexpr?.A_ArrayExpr?.elements ?? [];
  const largest = (): number | undefined => {
    const values = list.map(constant);
    return values.length > 0 && values.every((v) => v !== undefined) ? Math.max(...(values as number[])) : undefined;
  };
  if (!isColumn(body.lexpr, column)) {
    // `100 >= n` is `n <= 100`.
    const value = isColumn(body.rexpr, column) && body.kind === 'AEXPR_OP' ? constant(body.lexpr) : undefined;
    if (value === undefined) return undefined;
    return op === '>' ? Math.ceil(value) - 1 : op === '>=' ? Math.floor(value) : op === '=' ? value : undefined;
  }
  switch (body.kind) {
    case 'AEXPR_OP': {
      const value = constant(body.rexpr);
      if (value === undefined) return undefined;
      return op === '<' ? Math.ceil(value) - 1 : op === '<=' ? Math.floor(value) : op === '=' ? value : undefined;
    }
    case 'AEXPR_BETWEEN': {
      const high = list.length === 2 ? constant(list[1]) : undefined;
      return high === undefined ? undefined : Math.floor(high);
    }
    case 'AEXPR_BETWEEN_SYM': {
      const high = list.length === 2 ? largest() : undefined;
      return high === undefined ? undefined : Math.floor(high);
    }
    case 'AEXPR_IN':
    case 'AEXPR_OP_ANY':
      return op === '=' ? largest() : undefined;
    default:
      return undefined;
  }
}

function isColumn(node: AstNode | undefined, column: string): boolean {
  const fields = stringList(node?.ColumnRef?.fields);
  return fields.length > 0 && fields[fields.length - 1] === column;
}

/** A numeric literal (through casts and a unary minus), or undefined. */
function constant(node: AstNode | undefined): number | undefined {
  if (!node) return undefined;
  if (node.TypeCast) return constant(node.TypeCast.arg);
  if (node.A_Expr?.kind === 'AEXPR_OP' && !node.A_Expr.lexpr && stringList(node.A_Expr.name).join('') === '-') {
    const value = constant(node.A_Expr.rexpr);
    return value === undefined ? undefined : -value;
  }
  const literal = node.A_Const;
  if (!literal) return undefined;
  if (literal.ival) return literal.ival.ival ?? 0;
  const text = literal.fval?.fval ?? literal.sval?.sval;
  const value = typeof text === 'string' && text.trim() !== '' ? Number(text) : NaN;
  return Number.isFinite(value) ? value : undefined;
}

export interface TypeFinding {
  readonly messageId: string;
  readonly data?: Readonly<Record<string, string | number>>;
}

/**
 * The visitor every column-type rule uses: report each written type `check` objects to, with {{table}}, {{column}}
 * and {{type}} filled in. In a down file, a type that puts back the column's type from before the up (re-adding a
 * dropped column, recreating a dropped table, reverting ALTER COLUMN ... TYPE) is a restore, not a choice: no report.
 */
export function columnTypeVisitor(context: RuleContext, check: (type: WrittenType) => TypeFinding | undefined): RuleVisitor {
  const before = typesBeforeUp(context);
  return {
    statement({ statement, file, side }) {
      for (const type of writtenTypes(statement)) {
        const finding = check(type);
        if (!finding) continue;
        if (side === 'down' && before.get(type.table)?.get(type.column) === type.label) continue;
        const data = { table: displayName(type.table), column: type.column, type: type.display, ...finding.data };
        context.report({ messageId: finding.messageId, file, at: type.at, endAt: typeEnd(file.lines, type.at), data });
      }
    },
  };
}

const TYPE_TEXT = /^(?:"(?:[^"]|"")*"|[a-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[a-z_][\w$]*))?(?:\s+(?:varying|precision))?(?:\s*\(\s*\d+(?:\s*,\s*\d+)?\s*\))?(?:\s+with(?:out)?\s+time\s+zone)?(?:\s*\[\s*\d*\s*\])*/i;

/** Byte offset just after the type name written at `at` (with its length, time zone and array brackets). */
export function typeEnd(lines: LineIndex, at: number): number | undefined {
  const rest = lines.textBetween(at, at + 200);
  const match = TYPE_TEXT.exec(rest);
  return match && match[0].length > 0 ? at + Buffer.byteLength(match[0], 'utf8') : undefined;
}

const TYPES_BEFORE_UP = new WeakMap<object, Map<string, Map<string, string>>>();

/** Column types, as they stood before the up file, of every table the up file names. Read during create(). */
function typesBeforeUp(context: RuleContext): Map<string, Map<string, string>> {
  // Every column-type rule asks the same question of the same migration: answer it once.
  const known = TYPES_BEFORE_UP.get(context.migration);
  if (known) return known;
  const out = new Map<string, Map<string, string>>();
  TYPES_BEFORE_UP.set(context.migration, out);
  for (const statement of context.migration.up.parsed.statements) {
    for (const name of tablesNamed(statement.node)) {
      const table = context.schema.table(name);
      if (table && !out.has(name)) out.set(name, new Map(table.columns.map((c) => [c.name, typeLabel(c.type)])));
    }
  }
  return out;
}

function tablesNamed(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) {
    for (const item of node) tablesNamed(item, out);
  } else if (node && typeof node === 'object') {
    const body = node as AstNode;
    if (typeof body.relname === 'string') out.push(relationName(body));
    if (body.removeType === 'OBJECT_TABLE') for (const object of body.objects ?? []) out.push(qualifiedFromList(stringList(object.List?.items)));
    for (const value of Object.values(body)) if (value && typeof value === 'object') tablesNamed(value, out);
  }
  return out;
}
