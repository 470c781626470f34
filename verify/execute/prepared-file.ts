// A migration file split into the statements to send, each with its byte span in the file.
import { parseSql } from '../../core/migrations/parse.js';
import { LineIndex, type Position } from '../../core/migrations/source-position.js';

export interface FileStatement {
  /** The statement exactly as written, from its first keyword to just before its semicolon. */
  readonly text: string;
  /** UTF-8 byte offsets in the file. */
  readonly start: number;
  readonly end: number;
}

export interface PreparedFile {
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly statements: readonly FileStatement[];
  /** Set when the file does not parse; then there are no statements. */
  readonly parseError?: { readonly message: string; readonly offset: number };
}

/** Split a file with parseSql (call loadParser() first). */
export function prepareFile(path: string, text: string): PreparedFile {
  const parsed = parseSql(text);
  const bytes = Buffer.from(text, 'utf8');
  const statements = parsed.statements.map((s) => ({ start: s.start, end: s.end, text: bytes.subarray(s.start, s.end).toString('utf8') }));
  return { path, text, lines: new LineIndex(text), statements, ...(parsed.error ? { parseError: parsed.error } : {}) };
}

/** Byte offset in the file of Postgres's error position (1-based characters within the statement text). */
export function positionInFile(statement: FileStatement, position: number): number {
  let bytes = 0;
  let seen = 0;
  for (const ch of statement.text) {
    if (seen >= position - 1) break;
    bytes += Buffer.byteLength(ch);
    seen++;
  }
  return statement.start + bytes;
}

export interface Span {
  readonly start: Position;
  readonly end: Position;
}

export function spanOf(file: PreparedFile, start: number, end: number): Span {
  return { start: file.lines.position(start), end: file.lines.position(Math.max(start, end)) };
}

/** The first 60 characters of a statement, on one line. */
export function statementSummary(statement: FileStatement): string {
  return [...statement.text.replace(/\s+/g, ' ').trim()].slice(0, 60).join('');
}

/** The first statement naming all of `names` as identifiers (else the first naming the first one), for pointing at it. */
export function statementNaming(file: PreparedFile, names: readonly string[]): FileStatement | undefined {
  if (names.length === 0) return undefined;
  const patterns = names.map((name) => new RegExp(`(^|[^\\w$])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(?=$|[^\\w$])`, 'i'));
  return file.statements.find((s) => patterns.every((p) => p.test(s.text))) ?? file.statements.find((s) => patterns[0]!.test(s.text));
}
