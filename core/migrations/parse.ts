// The libpg-query wrapper: statements with byte spans, comments, and parse errors.
// All offsets here are UTF-8 byte offsets into the file; report.ts alone turns them into line:column.
import { setParserFlags } from './parser-warmup.js';
import { findComments, nextTokenStart } from './sql-lexer.js';
import { byteOffsetOfCharacter } from './source-position.js';

// libpg-query is imported on first use: a run answered from the cache never loads it.
type LibPgQuery = typeof import('libpg-query');
let lib: LibPgQuery | undefined;

/** One node of libpg-query's JSON AST: `{ CreateStmt: {...} }` and the like. */
export type AstNode = Record<string, any>;

export interface Statement {
  /** Position in the file, 0-based. */
  readonly index: number;
  /** The node type: 'CreateStmt', 'AlterTableStmt', 'IndexStmt', ... */
  readonly kind: string;
  /** The node body (the value under `kind`). */
  readonly node: AstNode;
  /** Byte offset of the statement's first keyword. */
  readonly start: number;
  /** Byte offset just after the statement (before its semicolon). */
  readonly end: number;
}

export interface Comment {
  /** Byte offsets of the comment, including its `--` or `/*`. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface ParseError {
  readonly message: string;
  /** Byte offset where Postgres points, or undefined at the end of input. */
  readonly offset: number;
}

export interface ParsedSql {
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
  readonly error?: ParseError;
}

let loading: Promise<void> | undefined;

/** Load the WASM parser once per process. */
export function loadParser(): Promise<void> {
  // The flags apply to WebAssembly compiled after this call, i.e. to the parser only.
  if (!loading) setParserFlags();
  loading ??= import('libpg-query').then(async (module) => {
    await module.loadModule();
    lib = module;
  });
  return loading;
}

/** libpg-query's scanner tokens (for the rare rule that needs them). Call loadParser() first. */
export function scanSql(text: string): ReturnType<LibPgQuery['scanSync']> {
  return parser().scanSync(text);
}

function parser(): LibPgQuery {
  if (!lib) throw new Error('parseSql() called before loadParser() resolved');
  return lib;
}

/** Parse SQL text. Call (and await) loadParser() first. `bytes` may be passed when the caller has them. */
export function parseSql(text: string, bytes: Buffer = Buffer.from(text, 'utf8')): ParsedSql {
  const comments = findComments(bytes).map((c) => ({ start: c.start, end: c.end, text: bytes.toString('utf8', c.start, c.end) }));
  let result: { stmts?: Array<{ stmt: AstNode; stmt_location?: number; stmt_len?: number }> };
  // libpg-query refuses an empty string; an empty file simply holds no statement.
  // Postgres's blanks only: a no-break space or a BOM is not whitespace to it, so String#trim would hide an error.
  if (/^[ \t\n\r\f\v]*$/.test(text)) return { statements: [], comments };
  try {
    result = quietly(() => parser().parseSync(text)) as typeof result;
  } catch (error) {
    return { statements: [], comments, error: (error as { sqlDetails?: unknown }).sqlDetails ? toParseError(error, text) : parserFailure(error) };
  }
  const statements: Statement[] = [];
  for (const [index, raw] of (result.stmts ?? []).entries()) {
    const location = raw.stmt_location ?? 0;
    const end = raw.stmt_len ? location + raw.stmt_len : trimmedEnd(bytes, location);
    const kind = Object.keys(raw.stmt)[0] ?? 'Unknown';
    const start = nextTokenStart(bytes, location, end);
    // The rules and the schema model walk the tree recursively: refuse what would overflow the stack.
    if (nestedDeeperThan(raw.stmt, MAX_AST_DEPTH)) {
      return { statements: [], comments, error: { message: `statement nests more than ${MAX_AST_DEPTH} levels deep, too deep to check: simplify it`, offset: start } };
    }
    statements.push({ index, kind, node: raw.stmt[kind] ?? {}, start, end });
  }
  return { statements, comments };
}

/** Deepest AST the verifier checks (objects and arrays); real migrations stay under 100, node's stack overflows near 4,500. */
const MAX_AST_DEPTH = 2000;

/** Iterative, so it cannot overflow the stack itself. */
function nestedDeeperThan(root: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const value of Object.values(node as object)) if (value !== null && typeof value === 'object') stack.push([value, depth + 1]);
  }
  return false;
}

/** A statement without stmt_len runs to the end of the input, less trailing blanks. */
function trimmedEnd(bytes: Buffer, from: number): number {
  let end = bytes.length;
  while (end > from && (bytes[end - 1] === 0x20 || bytes[end - 1] === 0x0a || bytes[end - 1] === 0x0d || bytes[end - 1] === 0x09 || bytes[end - 1] === 0x3b)) end--;
  return end;
}

/**
 * The parser itself failed, not the SQL: libpg-query's heap (1 GiB) ran out, or what it returned was too large for a
 * string. Said as such at the start of the file, never as a syntax error somewhere in it.
 */
function parserFailure(error: unknown): ParseError {
  const why = oneLine((error as { message?: unknown } | undefined)?.message?.toString() ?? String(error));
  return { message: `the parser could not finish this file (${why}): it is too large or too deeply nested to check, so split it`, offset: 0 };
}

/**
 * Run the parser with the process's output muted and its exit code kept: when PostgreSQL's code in the WebAssembly
 * hits a FATAL error (out of memory) it prints its memory contexts and "Terminating process" through console.log,
 * into our report, and Emscripten's exit() sets process.exitCode.
 */
function quietly<T>(run: () => T): T {
  const stdout = process.stdout.write;
  const stderr = process.stderr.write;
  const exitCode = process.exitCode;
  const mute = (() => true) as typeof process.stdout.write;
  process.stdout.write = mute;
  process.stderr.write = mute;
  try {
    return run();
  } finally {
    process.stdout.write = stdout;
    process.stderr.write = stderr;
    process.exitCode = exitCode;
  }
}

function toParseError(error: unknown, text: string): ParseError {
  const details = (error as { sqlDetails?: { message?: string; cursorPosition?: number } }).sqlDetails;
  const message = oneLine(details?.message ?? (error instanceof Error ? error.message : String(error)));
  // Postgres counts the cursor in characters (code points), 0-based here; convert to bytes.
  const cursor = details?.cursorPosition;
  const offset = cursor === undefined || cursor < 0 ? Buffer.byteLength(text) : byteOffsetOfCharacter(text, cursor);
  const hint = cursor === undefined || cursor < 0 ? undefined : hintFor(text, cursor);
  return { message: hint ? `${message}: ${hint}` : message, offset };
}

/** Keywords that start a statement: one at the start of a line the parser chokes on usually means a missing semicolon. */
const STATEMENT_START = /^(ALTER|CREATE|DROP|INSERT|UPDATE|DELETE|GRANT|REVOKE|COMMENT|SELECT|WITH|TRUNCATE|REINDEX|VACUUM|ANALYZE|SET|RESET|DO|CALL|COPY|LOCK|REFRESH|CLUSTER|MERGE|BEGIN|COMMIT)\b/i;

/** What usually causes a syntax error at this place, in words a DBA acts on; undefined when nothing obvious. */
function hintFor(text: string, cursor: number): string | undefined {
  const at = [...text.slice(0, Math.min(text.length, cursor + 200))];
  const rest = at.slice(cursor).join('');
  const before = at.slice(0, cursor).join('');
  if (rest.startsWith('`')) return 'MySQL quotes names with backticks, PostgreSQL with double quotes ("name")';
  if (rest.startsWith('\\')) {
    const command = /^\\[A-Za-z!?]*/.exec(rest)?.[0] ?? '\\';
    return `${command} is a psql meta-command, not SQL: the server never sees it, so run it in psql or write the SQL it stands for`;
  }
  if (rest.startsWith('{{') || rest.startsWith('{%')) return 'a template placeholder: render the template before checking the SQL';
  if (STATEMENT_START.test(rest) && /\n[ \t]*$/.test(before) && !/;\s*(--[^\n]*\s*)*$/.test(before)) return 'a semicolon is probably missing at the end of the statement before it';
  return undefined;
}

/** Messages quote the offending token, which can be a megabyte string over many lines: keep one short line. */
const MAX_MESSAGE_CHARS = 200;

function oneLine(message: string): string {
  const first = message.split(/\r?\n/, 1)[0] ?? '';
  const kept = first.length > MAX_MESSAGE_CHARS ? first.slice(0, MAX_MESSAGE_CHARS) : first;
  if (kept === message) return message;
  // Cut inside the quoted token of "at or near "...": say so, and close the quote.
  return /at or near "[^"]*$/.test(kept) ? `${kept}…"` : `${kept}…`;
}

/** libpg-query's PL/pgSQL parse tree of a CREATE FUNCTION ... LANGUAGE plpgsql statement (throws on invalid code). Call loadParser() first. */
export function parsePlpgsql(text: string): unknown {
  return parser().parsePlPgSQLSync(text);
}
