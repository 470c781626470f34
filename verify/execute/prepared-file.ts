// A migration file (one side of a Migration) as the statements to send, each with its byte span in the file.
// Everything comes from the one migration model: the parser's statements, the file's line index, its parse error.
import type { SourceFile } from '../../core/migrations/layout.js';
import type { Statement } from '../../core/migrations/parse.js';
import type { LineIndex, Position } from '../../core/migrations/source-position.js';

export interface FileStatement {
  /** The statement exactly as written, from its first keyword to just before its semicolon. */
  readonly text: string;
  /** UTF-8 byte offsets in the file. */
  readonly start: number;
  readonly end: number;
  /** The parsed statement (for the locks PostgreSQL's manual gives for it). */
  readonly parsed?: Statement;
}

export interface PreparedFile {
  readonly path: string;
  readonly lines: LineIndex;
  readonly statements: readonly FileStatement[];
  /** Set when the file does not parse; then there are no statements. */
  readonly parseError?: { readonly message: string; readonly offset: number };
  /** Where to point at the file as a whole: its first statement, else its first non-blank byte (a section's marker). */
  readonly anchor: number;
}

/** The statements of a parsed file: the text between each statement's byte start and end. */
export function prepareFile(file: SourceFile): PreparedFile {
  const statements = file.parsed.statements.map((s) => ({ start: s.start, end: s.end, text: file.lines.textBetween(s.start, s.end), parsed: s }));
  const blank = file.text.search(/\S/);
  const anchor = statements[0]?.start ?? (blank < 0 ? 0 : Buffer.byteLength(file.text.slice(0, blank)));
  return { path: file.path, lines: file.lines, statements, anchor, ...(file.parsed.error ? { parseError: file.parsed.error } : {}) };
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

/** The whole statement on one line: each run of white space made one space. */
export function statementSummary(statement: FileStatement): string {
  return statement.text.replace(/\s+/g, ' ').trim();
}

/** The first statement naming all of `names` as identifiers (else the first naming the first one), for pointing at it. */
export function statementNaming(file: PreparedFile, names: readonly string[]): FileStatement | undefined {
  if (names.length === 0) return undefined;
  const patterns = names.map((name) => new RegExp(`(^|[^\\w$])"?${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?(?=$|[^\\w$])`, 'i'));
  return file.statements.find((s) => patterns.every((p) => p.test(s.text))) ?? file.statements.find((s) => patterns[0]!.test(s.text));
}
