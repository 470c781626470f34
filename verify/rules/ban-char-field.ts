import { defineRule, type RuleContext, type RuleVisitor } from '../rule.js';
import type { AstNode, Statement } from '../parse.js';
import { displayName, qualifiedFromList, relationName, stringList, typeLabel, typeRef } from '../ast.js';
import { expressionColumns } from '../ast.js';
import type { LineIndex } from '../source-position.js';

/** char(n) / character(n) columns: blank-padded, and no faster than text. */
export default defineRule({
  meta: {
    name: 'ban-char-field',
    description: 'Columns are not char(n) / character(n).',
    category: 'style',
    severity: 'warning',
    messages: {
      charField: 'Column {{table}}.{{column}} is {{type}}: it pads every value with spaces to its full length, ignores trailing spaces when comparing, and is no faster than text.',
    },
    help: {
      charField: 'Use text (with a CHECK on length(...) if the length matters).',
    },
  },
  create(context) {
    return columnTypeVisitor(context, (type) => (type.builtin === 'bpchar' ? { messageId: 'charField' } : undefined));
  },
});

// ---- Shared by the column-type rules (prefer-timestamp-tz, prefer-bigint-over-int, prefer-bigint-over-smallint,
// prefer-identity, prefer-text-field): which types a statement writes, and when a down file only restores one.

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
  /** A CHECK on this column alone bounds its values (e.g. `fitzpatrick_type BETWEEN 1 AND 6`). */
  readonly bounded: boolean;
}

const DISPLAY: Readonly<Record<string, string>> = {
  int4: 'integer', int2: 'smallint', int8: 'bigint', bpchar: 'char', serial4: 'serial', serial8: 'bigserial', serial2: 'smallserial',
};

export function writtenTypes(statement: Statement): WrittenType[] {
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
    const checked = new Set<string>();
    for (const element of n.tableElts ?? []) {
      const columns = element.Constraint?.contype === 'CONSTR_CHECK' ? expressionColumns(element.Constraint.raw_expr) : [];
      if (columns.length === 1) checked.add(columns[0]!);
    }
    for (const element of n.tableElts ?? []) {
      const def = element.ColumnDef;
      if (def) add(table, def.colname, def.typeName, def.location, checked.has(def.colname) || hasOwnCheck(def));
    }
  } else if (statement.kind === 'AlterTableStmt' && (n.objtype ?? 'OBJECT_TABLE') === 'OBJECT_TABLE') {
    const table = relationName(n.relation);
    for (const command of n.cmds ?? []) {
      const cmd = command.AlterTableCmd ?? {};
      const def = cmd.def?.ColumnDef;
      if (cmd.subtype === 'AT_AddColumn' && def) add(table, def.colname, def.typeName, def.location, hasOwnCheck(def));
      if (cmd.subtype === 'AT_AlterColumnType' && def) add(table, cmd.name, def.typeName, def.location);
    }
  }
  return out;
}

/** A column-level CHECK that reads only this column. */
function hasOwnCheck(def: AstNode): boolean {
  return (def.constraints ?? []).some((c: AstNode) => {
    if (c.Constraint?.contype !== 'CONSTR_CHECK') return false;
    const columns = expressionColumns(c.Constraint.raw_expr);
    return columns.length === 1 && columns[0] === def.colname;
  });
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
