// The migration folder: list, name-check and pair the files, read them, split them into statements,
// and read their `-- migrate:` directives. Every problem is found before any database is touched.
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { loadModule, parse } from 'libpg-query';
import { MigrationError, MigrationFilesError, type FileProblem } from './errors.js';

/** `<YYYYMMDDHHMMSS>_<slug>.up.sql` or `.down.sql`, all lower-case. */
export const MIGRATION_FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.(up|down)\.sql$/;

/** The directive, in a comment before the first statement of either file, that runs the migration outside a transaction. */
export const NO_TRANSACTION_DIRECTIVE = '-- migrate:no-transaction';

const DIRECTIVE_LINE = /^\s*--\s*migrate:([A-Za-z-]*)/;

export interface Statement {
  /** The text sent to the server (from its first token up to, not including, its semicolon). */
  readonly text: string;
  /** Index of `text` in the file's (BOM-less) text, in UTF-16 code units. */
  readonly index: number;
  /** Where the statement starts, 1-based; the column counts characters. */
  readonly line: number;
  readonly column: number;
  /** The parse node's type, e.g. CreateStmt, TransactionStmt ('' when the file did not parse). */
  readonly kind: string;
}

export interface MigrationFile {
  readonly path: string;
  /** The path shown in messages: relative to the working directory when inside it. */
  readonly display: string;
  readonly text: string;
  /** The statements in order; one statement holding the whole file when it does not parse (the server reports why). */
  readonly statements: readonly Statement[];
  /** False when libpg-query could not parse the file. */
  readonly parsed: boolean;
  readonly noTransaction: boolean;
  /** For a down with no statement marked `-- verify:irreversible <reason>`: the reason. Rolling it back is refused. */
  readonly irreversible?: string;
}

export interface MigrationPair {
  readonly version: string;
  readonly slug: string;
  /** `<version>_<slug>`, the name recorded in pgmigrations. */
  readonly name: string;
  readonly up: MigrationFile;
  readonly down: MigrationFile;
  /** Either file's header carries `-- migrate:no-transaction`: both directions then run outside a transaction. */
  readonly noTransaction: boolean;
}

export interface NamedPair {
  readonly version: string;
  readonly slug: string;
  readonly name: string;
  readonly upFile: string;
  readonly downFile: string;
}

/** How a path is shown in messages. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/**
 * Check and pair the file names of a migration folder. Pure: the listing is passed in.
 * Files that do not end in .sql (any case) are ignored, so a README.md may sit beside the migrations.
 */
export function checkFileNames(dir: string, names: readonly string[]): { pairs: NamedPair[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const show = (name: string) => displayPath(join(dir, name));
  const byName = new Map<string, { version: string; slug: string; up?: string; down?: string }>();
  for (const name of [...names].sort()) {
    if (!/\.sql$/i.test(name)) continue;
    let checked = name;
    if (!name.endsWith('.sql')) {
      const fixed = name.replace(/\.sql$/i, '.sql').replace(/\.(up|down)\.sql$/i, (m) => m.toLowerCase());
      problems.push({ code: 'BAD_EXTENSION_CASE', file: show(name), message: `${show(name)}: the extension must be lower-case .sql; rename it to ${fixed}` });
      // Still pair it under its corrected name, so its partner is not reported as well.
      if (!MIGRATION_FILE_NAME.test(fixed)) continue;
      checked = fixed;
    }
    const match = MIGRATION_FILE_NAME.exec(checked);
    if (!match) {
      problems.push({ code: 'BAD_FILE_NAME', file: show(name), message: `${show(name)}: ${whatIsWrongWith(name)}` });
      continue;
    }
    const [, version, slug, direction] = match as unknown as [string, string, string, 'up' | 'down'];
    const invalid = invalidVersion(version);
    if (invalid) {
      problems.push({ code: 'INVALID_VERSION', file: show(name), message: `${show(name)}: version ${version} is not a UTC timestamp YYYYMMDDHHMMSS (${invalid}); rename it` });
      continue;
    }
    const key = `${version}_${slug}`;
    const entry = byName.get(key) ?? { version, slug };
    entry[direction] = name;
    byName.set(key, entry);
  }
  const pairs: NamedPair[] = [];
  for (const [name, entry] of byName) {
    if (!entry.up) {
      problems.push({ code: 'DOWN_WITHOUT_UP', file: show(entry.down!), message: `${show(entry.down!)}: down file without an up file; add ${name}.up.sql or delete this file` });
    } else if (!entry.down) {
      problems.push({ code: 'UP_WITHOUT_DOWN', file: show(entry.up), message: `${show(entry.up)}: up file without a down file; add ${name}.down.sql that undoes it` });
    } else {
      pairs.push({ version: entry.version, slug: entry.slug, name, upFile: join(dir, entry.up), downFile: join(dir, entry.down) });
    }
  }
  pairs.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const byVersion = new Map<string, NamedPair>();
  for (const [name, entry] of byName) {
    const first = byVersion.get(entry.version);
    const file = join(dir, entry.up ?? entry.down!);
    if (first) {
      problems.push({
        code: 'DUPLICATE_VERSION',
        file: displayPath(file),
        message: `${displayPath(file)}: version ${entry.version} is also used by ${first.name}; give one of them a new version (make new creates one)`,
      });
    } else {
      byVersion.set(entry.version, { version: entry.version, slug: entry.slug, name, upFile: file, downFile: file });
    }
  }
  return { pairs: pairs.filter((p) => byVersion.get(p.version)?.name === p.name), problems };
}

function whatIsWrongWith(name: string): string {
  const expected = 'names must look like 20260105090000_create_tags.up.sql (14-digit UTC version, lower-case a-z 0-9 _ slug, .up.sql or .down.sql)';
  if (!/\.(up|down)\.sql$/.test(name)) return `not an .up.sql or .down.sql file; ${expected}`;
  if (!/^\d{14}_/.test(name)) return `the name must start with a 14-digit UTC version and an underscore; ${expected}`;
  return `the slug may only hold lower-case letters, digits and underscores; ${expected}`;
}

function invalidVersion(version: string): string | undefined {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(version.slice(at, at + (i === 0 ? 4 : 2)))) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12) return `month ${mo}`;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d < 1 || d > days) return `day ${d}`;
  if (h > 23) return `hour ${h}`;
  if (mi > 59) return `minute ${mi}`;
  if (s > 59) return `second ${s}`;
  return undefined;
}

/** List, check, read and parse the migrations of a folder, in order. Throws MigrationFilesError listing every problem. */
export async function loadMigrationFiles(dir: string): Promise<readonly MigrationPair[]> {
  const absolute = resolve(dir);
  let names: string[];
  try {
    names = readdirSync(absolute).filter((name) => {
      try {
        return statSync(join(absolute, name)).isFile();
      } catch {
        return false;
      }
    });
  } catch {
    throw new MigrationFilesError([
      { code: 'NO_MIGRATIONS_DIR', file: displayPath(absolute), message: `${displayPath(absolute)}: no such migrations folder; create it or pass --dir` },
    ]);
  }
  const { pairs, problems } = checkFileNames(absolute, names);
  const loaded: MigrationPair[] = [];
  await loadModule();
  for (const pair of pairs) {
    const up = await readMigrationFile(pair.upFile, problems);
    const down = await readMigrationFile(pair.downFile, problems);
    if (up && down) {
      loaded.push({ ...pair, up, down, noTransaction: up.noTransaction || down.noTransaction });
    }
  }
  if (problems.length > 0) throw new MigrationFilesError(problems);
  return loaded;
}

async function readMigrationFile(path: string, problems: FileProblem[]): Promise<MigrationFile | undefined> {
  const display = displayPath(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  } catch (error) {
    problems.push({ code: 'UNREADABLE_FILE', file: display, message: `${display}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})` });
    return undefined;
  }
  const statements = await splitStatements(text);
  const before = problems.length;
  let firstStatementLine = Number.POSITIVE_INFINITY;
  if (statements) {
    if (statements.length === 0 && !IRREVERSIBLE.test(text)) {
      problems.push({ code: 'EMPTY_MIGRATION', file: display, message: `${display}: has no SQL statements; write the change (a down that cannot undo it should raise an error saying why)` });
    }
    firstStatementLine = statements[0]?.line ?? Number.POSITIVE_INFINITY;
  }
  let noTransaction = false;
  const lines = text.split('\n');
  for (const [i, line] of lines.entries()) {
    const match = DIRECTIVE_LINE.exec(line);
    if (!match) continue;
    const lineNumber = i + 1;
    const kind = match[1] ?? '';
    if (kind !== 'no-transaction') {
      problems.push({ code: 'UNKNOWN_DIRECTIVE', file: display, message: `${display}:${lineNumber}:1: unknown directive migrate:${kind}; the runner knows only ${NO_TRANSACTION_DIRECTIVE}` });
    } else if (lineNumber > firstStatementLine || !inHeader(lines, i)) {
      problems.push({ code: 'MISPLACED_DIRECTIVE', file: display, message: `${display}:${lineNumber}:1: ${NO_TRANSACTION_DIRECTIVE} must stand in the comment lines at the top of the file; move it there` });
    } else {
      noTransaction = true;
    }
  }
  for (const statement of statements ?? []) {
    // BEGIN/COMMIT would end the runner's transaction early; a no-transaction file may manage its own.
    if (statement.kind === 'TransactionStmt' && !noTransaction) {
      problems.push({
        code: 'TRANSACTION_CONTROL',
        file: display,
        message: `${display}:${statement.line}:${statement.column}: transaction control belongs to the runner; remove it (use ${NO_TRANSACTION_DIRECTIVE} in the header to run without a transaction)`,
      });
    }
  }
  if (problems.length > before) return undefined;
  const parsed = statements !== undefined;
  const irreversible = statements?.length === 0 ? (IRREVERSIBLE.exec(text)?.[1]?.trim() ?? undefined) : undefined;
  return {
    path,
    display,
    text,
    statements: statements ?? [{ text, index: 0, line: 1, column: 1, kind: '' }],
    parsed,
    noTransaction,
    ...(irreversible ? { irreversible } : {}),
  };
}

/** `-- verify:irreversible <reason>`: a down with no statement that says why it cannot undo its up. */
const IRREVERSIBLE = /^[ \t]*--[ \t]*verify:irreversible[ \t]+(\S[^\n]*)$/m;

/** True when every line before `index` is blank or a `--` comment. */
function inHeader(lines: readonly string[], index: number): boolean {
  // `.` stops at a CR: a file checked out with CRLF line ends keeps its header.
  return lines.slice(0, index).every((line) => /^\s*(--.*)?\r?$/.test(line));
}

/**
 * Split SQL into statements with libpg-query (the PostgreSQL 18 parser), so each one is sent alone and an error
 * can be traced to its statement. Returns undefined when the text does not parse; the caller then sends it whole
 * and lets the server report the syntax error.
 */
export async function splitStatements(text: string): Promise<Statement[] | undefined> {
  let result: Awaited<ReturnType<typeof parse>>;
  try {
    result = await parse(text);
  } catch {
    return undefined;
  }
  const bytes = Buffer.from(text, 'utf8');
  const statements: Statement[] = [];
  for (const raw of result.stmts ?? []) {
    const startByte = raw.stmt_location ?? 0;
    const endByte = raw.stmt_len ? startByte + raw.stmt_len : bytes.length;
    const index = bytes.subarray(0, startByte).toString('utf8').length;
    const body = bytes.subarray(startByte, endByte).toString('utf8');
    // Older parsers start a statement right after the previous semicolon: skip blanks and comments to its first token.
    const skip = leadingTrivia(body);
    const statementText = body.slice(skip).replace(/\s+$/, '');
    if (statementText === '') continue;
    const position = lineAndColumn(text, index + skip);
    const kind = Object.keys(raw.stmt ?? {})[0] ?? '';
    statements.push({ text: statementText, index: index + skip, line: position.line, column: position.column, kind });
  }
  return statements;
}

function leadingTrivia(text: string): number {
  const match = /^(?:\s+|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*/.exec(text);
  return match ? match[0].length : 0;
}

/** 1-based line and column (in characters, as PostgreSQL counts) of a UTF-16 index into `text`. */
export function lineAndColumn(text: string, index: number): { line: number; column: number } {
  const before = text.slice(0, Math.max(0, Math.min(index, text.length)));
  const lineStart = before.lastIndexOf('\n') + 1;
  const line = before.split('\n').length;
  const column = [...before.slice(lineStart)].length + 1;
  return { line, column };
}

/** The UTF-16 index in `text` of the 1-based character position PostgreSQL reports (it counts characters, not bytes). */
export function indexOfCharacterPosition(text: string, position: number): number {
  let index = 0;
  let characters = 1;
  for (const character of text) {
    if (characters >= position) break;
    index += character.length;
    characters += 1;
  }
  return index;
}

/** The file names in `dir` that the runner hands to node-pg-migrate (the checked ones; everything else is ignored). */
export function isMigrationFileName(name: string): boolean {
  return MIGRATION_FILE_NAME.test(basename(name));
}

// ---------------------------------------------------------------------------------------------------------------
// A new pair (make new NAME=...).

export const NAME_PATTERN = /^[a-z][a-z0-9_]*$/;
/** `<14-digit version>_<name>` stays readable in listings, pgmigrations and error messages. */
export const MAX_STEM_LENGTH = 60;

export interface NewMigration {
  readonly version: string;
  readonly upFile: string;
  readonly downFile: string;
}

/** The UTC version for a moment: YYYYMMDDHHMMSS. */
export function versionFor(date: Date): string {
  return date.toISOString().replace(/\D/g, '').slice(0, 14);
}

/** Create the pair; throws MigrationError('USAGE') for a bad name or a clash. */
export function createMigration(dir: string, name: string, now = new Date()): NewMigration {
  if (!NAME_PATTERN.test(name)) {
    throw new MigrationError('USAGE', `migration name "${name}" must match ${NAME_PATTERN.source} (lower-case snake_case, e.g. add_products_barcode)`);
  }
  const version = versionFor(now);
  const stem = `${version}_${name}`;
  if (stem.length > MAX_STEM_LENGTH) {
    throw new MigrationError(
      'USAGE',
      `migration name "${name}" is ${name.length} characters; keep it to ${MAX_STEM_LENGTH - version.length - 1} so ${version}_<name> stays within ${MAX_STEM_LENGTH}`,
    );
  }
  mkdirSync(dir, { recursive: true });
  const existing = readdirSync(dir)
    .map((file) => MIGRATION_FILE_NAME.exec(file))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ file: m[0], version: m[1]!, slug: m[2]! }));
  const sameSlug = existing.find((e) => e.slug === name);
  if (sameSlug) {
    throw new MigrationError('USAGE', `${displayPath(join(dir, sameSlug.file))} already uses the name ${name}; pick another name`);
  }
  const sameVersion = existing.find((e) => e.version === version);
  if (sameVersion) {
    throw new MigrationError('USAGE', `${displayPath(join(dir, sameVersion.file))} already has version ${version}; wait a second and run it again`);
  }
  const newest = existing.map((e) => e.version).sort().pop();
  if (newest && newest > version) {
    throw new MigrationError('USAGE', `the clock says ${version} but ${dir} already has the newer version ${newest}; fix the system clock (versions must grow)`);
  }
  const upFile = join(dir, `${stem}.up.sql`);
  const downFile = join(dir, `${stem}.down.sql`);
  const up = [
    `-- ${name}: <one line on why this change is needed>`,
    '',
    `-- Write the change here: one change per migration. For CREATE INDEX CONCURRENTLY put ${NO_TRANSACTION_DIRECTIVE.replace('-- ', '')} in a header comment.`,
    '',
  ].join('\n');
  const down = [
    `-- Undoes ${stem}: <one line on what it drops or restores>`,
    '',
    '-- Write the SQL that restores exactly the schema before the up file (if it cannot, raise an error and say why with verify:irreversible).',
    '',
  ].join('\n');
  // 'wx': never overwrite a file that appeared meanwhile.
  writeFileSync(upFile, up, { flag: 'wx' });
  writeFileSync(downFile, down, { flag: 'wx' });
  return { version, upFile, downFile };
}

