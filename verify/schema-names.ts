// The names PostgreSQL chooses for unnamed indexes, constraints and serial sequences, as its source does:
// makeObjectName (truncation to 63 bytes, the longer part shortened first), ChooseRelationName / ChooseConstraintName
// (the label gets 1, 2, ... until the name is free), ChooseIndexNameAddition and ChooseIndexColumnNames (indexcmds.c),
// FigureIndexColname (parse_target.c). Pure: the caller says which names are taken.
import type { AstNode } from '../core/migrations/parse.js';
import { stringList } from './ast.js';

/** NAMEDATALEN - 1: the longest identifier, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The longest prefix of `text` within `bytes` bytes that does not split a character (pg_mbcliplen). */
export function clipBytes(text: string, bytes: number): string {
  if (byteLength(text) <= bytes) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = byteLength(ch);
    if (used + size > bytes) break;
    out += ch;
    used += size;
  }
  return out;
}

/** makeObjectName: name1_name2_label within 63 bytes, shortening the longer of name1 and name2 first. */
export function makeObjectName(name1: string, name2: string | undefined, label: string | undefined): string {
  let name1chars = byteLength(name1);
  let name2chars = name2 === undefined ? 0 : byteLength(name2);
  const overhead = (name2 === undefined ? 0 : 1) + (label === undefined ? 0 : byteLength(label) + 1);
  const available = MAX_IDENTIFIER_BYTES - overhead;
  while (name1chars + name2chars > available) {
    if (name1chars > name2chars) name1chars--;
    else name2chars--;
  }
  let name = clipBytes(name1, name1chars);
  if (name2 !== undefined) name += `_${clipBytes(name2, name2chars)}`;
  if (label !== undefined) name += `_${label}`;
  return name;
}

/** ChooseRelationName / ChooseConstraintName: the first of label, label1, label2 ... whose name `taken` says is free. */
export function chooseName(name1: string, name2: string | undefined, label: string, taken: (name: string) => boolean): string {
  for (let pass = 0; ; pass++) {
    const name = makeObjectName(name1, name2, pass === 0 ? label : `${label}${pass}`);
    if (!taken(name) || pass > 10_000) return name;
  }
}

/** ChooseIndexNameAddition (and ChooseForeignKeyConstraintNameAddition): column names joined by _, cut once past 63 bytes. */
export function nameAddition(columns: readonly string[]): string {
  let out = '';
  for (const column of columns) {
    if (out.length) out += '_';
    out += clipBytes(column, MAX_IDENTIFIER_BYTES);
    if (byteLength(out) >= MAX_IDENTIFIER_BYTES + 1) break;
  }
  return out;
}

/** FigureIndexColname: what an index expression is called (a function's name, a cast's argument...), undefined for "expr". */
export function figureColname(node: AstNode | undefined): string | undefined {
  if (!node) return undefined;
  const kind = Object.keys(node)[0];
  const body = kind ? node[kind] : undefined;
  switch (kind) {
    case 'ColumnRef': {
      const names = stringList(body.fields);
      const last = names[names.length - 1];
      return last && last !== '*' ? last : undefined;
    }
    case 'FuncCall': {
      const names = stringList(body.funcname);
      return names[names.length - 1];
    }
    case 'TypeCast':
      return figureColname(body.arg) ?? stringList(body.typeName?.names).pop();
    case 'A_Indirection':
      return figureColname(body.arg);
    case 'CaseExpr':
      return 'case';
    case 'CoalesceExpr':
      return 'coalesce';
    case 'A_ArrayExpr':
      return 'array';
    case 'RowExpr':
      return 'row';
    case 'MinMaxExpr':
      return body.op === 'IS_LEAST' ? 'least' : 'greatest';
    case 'CollateClause':
      return figureColname(body.arg);
    default:
      return undefined;
  }
}

/** ChooseIndexColumnNames: each key and INCLUDE column's name, expressions by FigureIndexColname or "expr", repeats numbered. */
export function indexColumnNames(params: readonly AstNode[]): string[] {
  const out: string[] = [];
  for (const param of params) {
    const elem = param.IndexElem ?? {};
    const original: string = elem.indexcolname ?? elem.name ?? figureColname(elem.expr) ?? 'expr';
    let name = original;
    for (let i = 1; out.includes(name); i++) {
      const suffix = String(i);
      name = `${clipBytes(original, MAX_IDENTIFIER_BYTES - suffix.length)}${suffix}`;
    }
    out.push(name);
  }
  return out;
}
