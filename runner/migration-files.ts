// The runner's view of a migration folder: the one migration model (core/migrations) read, then this runner's
// policy over it: only its own layout (<14-digit UTC version>_<lower-case slug>.up.sql/.down.sql), files it can split
// into statements with PostgreSQL 18's parser, no transaction control or lexer settings it cannot run safely.
// Every problem is found before any database is touched.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { displayPath } from '../core/display-path.js';
import { listFolder, NoSuchFolderError, readMigrationFolder, type MigrationFolder } from '../core/migrations/folder.js';
import { pairFiles, type MigrationFileName, type SourceFile } from '../core/migrations/layout.js';
import { loadParser, statementText, toMigration } from '../core/migrations/migration.js';
import { lexerSetting } from '../core/migrations/session-statements.js';
import { MigrationError, MigrationFilesError, type FileProblem } from './errors.js';

export { displayPath };

/** `<YYYYMMDDHHMMSS>_<slug>.up.sql` or `.down.sql`, all lower-case. */
export const MIGRATION_FILE_NAME = /^(\d{14})_([a-z0-9_]+)\.(up|down)\.sql$/;

/** The directive, in a comment before the first statement of either file, that runs the migration outside a transaction. */
export const NO_TRANSACTION_DIRECTIVE = '-- migrate:no-transaction';

export interface Statement {
  /** The text sent to the server: from its first token up to, not including, its semicolon. */
  readonly text: string;
  /** UTF-8 byte offsets of `text` in the file. */
  readonly start: number;
  readonly end: number;
  /** Where the statement starts, 1-based; the column counts characters. */
  readonly line: number;
  readonly column: number;
  /** The parse node's type, e.g. CreateStmt, TransactionStmt. */
  readonly kind: string;
}

export interface MigrationFile {
  readonly path: string;
  /** The path shown in messages: relative to the working directory when inside it. */
  readonly display: string;
  /** The file as the model read it (bytes, text, statements, directives, line index). */
  readonly source: SourceFile;
  /** The bytes as read: what the checksums are computed from. */
  readonly bytes: Buffer;
  /** The statements in order, as the parser split them. */
  readonly statements: readonly Statement[];
  readonly noTransaction: boolean;
  /** For a down marked `-- verify:irreversible <reason>`: the reason. Rolling it back is refused. */
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

/**
 * This runner's naming policy over a folder's file names, paired by the migration model. Pure: the listing is passed
 * in. Files that do not end in .sql (any case) are ignored, so a README.md may sit beside the migrations.
 */
export function checkFileNames(dir: string, names: readonly string[]): { pairs: NamedPair[]; problems: FileProblem[] } {
  const problems: FileProblem[] = [];
  const show = (name: string) => displayPath(join(dir, name));
  const accepted: MigrationFileName[] = [];
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
    accepted.push({ path: name, version, name: `${version}_${slug}`, direction, layout: 'paired' });
  }
  const paired = pairFiles(accepted);
  for (const problem of paired.problems) {
    if (problem.code === 'unpaired-down') {
      const name = accepted.find((f) => f.path === problem.path)!.name;
      problems.push({ code: 'DOWN_WITHOUT_UP', file: show(problem.path), message: `${show(problem.path)}: down file without an up file; add ${name}.up.sql or delete this file` });
    }
  }
  const pairs: NamedPair[] = [];
  const byVersion = new Map<string, string>();
  for (const pair of paired.pairs) {
    const first = byVersion.get(pair.version);
    if (first) {
      problems.push({
        code: 'DUPLICATE_VERSION',
        file: show(pair.upPath),
        message: `${show(pair.upPath)}: version ${pair.version} is also used by ${first}; give one of them a new version (make new creates one)`,
      });
      continue;
    }
    byVersion.set(pair.version, pair.name);
    if (!pair.downPath) {
      problems.push({ code: 'UP_WITHOUT_DOWN', file: show(pair.upPath), message: `${show(pair.upPath)}: up file without a down file; add ${pair.name}.down.sql that undoes it` });
      continue;
    }
    const slug = pair.name.slice(pair.version.length + 1);
    pairs.push({ version: pair.version, slug, name: pair.name, upFile: join(dir, pair.upPath), downFile: join(dir, pair.downPath) });
  }
  return { pairs, problems };
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
  let folder: MigrationFolder;
  try {
    folder = readMigrationFolder(absolute);
  } catch (error) {
    if (!(error instanceof NoSuchFolderError)) throw error;
    throw new MigrationFilesError([
      { code: 'NO_MIGRATIONS_DIR', file: displayPath(absolute), message: `${displayPath(absolute)}: no such migrations folder; create it or pass --dir` },
    ]);
  }
  // Folders are not this runner's layout; a folder named like a .sql file is listed as a file and reported unreadable.
  const names = folder.entries.filter((entry) => !entry.children).map((entry) => entry.name);
  const { pairs, problems } = checkFileNames(absolute, names);
  // Another runner's folders (diesel, Sourcegraph, Sqitch): named, never passed over as if the folder were empty.
  const foreign = new Map<string, string>();
  for (const file of folder.files) {
    const top = file.path.includes('/') ? file.path.split('/')[0]! : undefined;
    if (top !== undefined && file.layout && !foreign.has(top)) foreign.set(top, file.layout);
  }
  for (const [top, layout] of foreign) {
    const display = displayPath(join(absolute, top));
    problems.push({
      code: 'BAD_FILE_NAME',
      file: display,
      message: `${display}: a ${layout} migration folder; this runner applies only <14-digit UTC version>_<slug>.up.sql and .down.sql files in ${displayPath(absolute)} itself (verify-migrations still checks other layouts)`,
    });
  }
  for (const problem of folder.problems) {
    if (problem.code !== 'unreadable') continue;
    const display = displayPath(join(absolute, problem.path));
    problems.push({ code: 'UNREADABLE_FILE', file: display, message: `${display}: ${problem.message.replace(/^Cannot read \S+ /, 'cannot be read ').replace(/\.$/, '')}` });
  }
  const loaded: MigrationPair[] = [];
  await loadParser();
  for (const pair of pairs) {
    const upPath = pair.upFile.slice(absolute.length + 1);
    const downPath = pair.downFile.slice(absolute.length + 1);
    if (!folder.content(upPath) || !folder.content(downPath)) continue;
    const migration = toMigration(folder, { version: pair.version, name: pair.name, upPath, downPath, singleFile: false, layout: 'paired' }, (path) => join(absolute, path));
    if (!migration?.down) continue;
    const before = problems.length;
    const up = runnerFile(migration.up, folder, upPath, migration.noTransaction, undefined, problems);
    const down = runnerFile(migration.down, folder, downPath, migration.noTransaction, migration.irreversible, problems);
    if (problems.length === before) loaded.push({ version: pair.version, slug: pair.slug, name: pair.name, up, down, noTransaction: migration.noTransaction });
  }
  if (problems.length > 0) throw new MigrationFilesError(problems);
  return loaded;
}

function runnerFile(source: SourceFile, folder: MigrationFolder, path: string, noTransaction: boolean, irreversible: string | undefined, problems: FileProblem[]): MigrationFile {
  const display = displayPath(source.path);
  const at = (offset: number): string => {
    const { line, column } = source.lines.position(offset);
    return `${display}:${line}:${column}`;
  };
  const error = source.parsed.error;
  if (error) {
    problems.push({
      code: 'SYNTAX_ERROR',
      file: display,
      message: `${at(error.offset)}: ${error.message}; the runner sends only what PostgreSQL 18's parser splits into statements, so this file is not run (fix it)`,
    });
  }
  const statements: Statement[] = source.parsed.statements.map((statement) => {
    const { line, column } = source.lines.position(statement.start);
    return { text: statementText(source, statement), start: statement.start, end: statement.end, line, column, kind: statement.kind };
  });
  if (!error && statements.length === 0 && irreversible === undefined) {
    problems.push({ code: 'EMPTY_MIGRATION', file: display, message: `${display}: has no SQL statements; write the change (a down that cannot undo it says why with -- verify:irreversible <reason>)` });
  }
  const firstStatement = source.parsed.statements[0]?.start ?? Number.POSITIVE_INFINITY;
  for (const directive of source.directives) {
    const comment = source.lines.textBetween(directive.start, directive.end);
    if (directive.kind === 'invalid' && /^--\s*migrate:/.test(comment)) {
      const kind = /^--\s*migrate:([A-Za-z-]*)/.exec(comment)?.[1] ?? '';
      problems.push({ code: 'UNKNOWN_DIRECTIVE', file: display, message: `${at(directive.start)}: unknown directive migrate:${kind}; the runner knows only ${NO_TRANSACTION_DIRECTIVE}` });
    } else if (directive.kind === 'no-transaction' && directive.start > firstStatement) {
      problems.push({ code: 'MISPLACED_DIRECTIVE', file: display, message: `${at(directive.start)}: ${NO_TRANSACTION_DIRECTIVE} must stand in the comment lines at the top of the file; move it there` });
    }
  }
  let open: Statement | undefined;
  for (const [i, statement] of statements.entries()) {
    const node = source.parsed.statements[i]!.node;
    if (statement.kind === 'TransactionStmt') {
      // BEGIN/COMMIT would end the runner's transaction early; a no-transaction file may manage its own, if it closes it.
      if (!noTransaction) {
        problems.push({
          code: 'TRANSACTION_CONTROL',
          file: display,
          message: `${at(statement.start)}: transaction control belongs to the runner; remove it (use ${NO_TRANSACTION_DIRECTIVE} in the header to run without a transaction)`,
        });
        continue;
      }
      const kind = String((node as { kind?: unknown }).kind ?? '');
      const chain = Boolean((node as { chain?: unknown }).chain);
      if (/TRANS_STMT_(BEGIN|START)/.test(kind)) open ??= statement;
      else if (/TRANS_STMT_(COMMIT|ROLLBACK|PREPARE)$/.test(kind) && !chain) open = undefined;
    }
    const setting = lexerSetting({ kind: statement.kind, node }, statement.text);
    if (setting) {
      problems.push({
        code: 'LEXER_SETTING',
        file: display,
        message: `${at(statement.start)}: ${setting} changes how the server reads string literals, so later statements would not be the ones the parser read and verified; remove it (write E'...' strings instead)`,
      });
    }
  }
  if (open) {
    problems.push({
      code: 'TRANSACTION_CONTROL',
      file: display,
      message: `${at(open.start)}: this transaction is never committed, so everything after it would be rolled back when the session ends; end it with COMMIT in the same file`,
    });
  }
  return {
    path: source.path,
    display,
    source,
    bytes: folder.content(path)!.bytes,
    statements,
    noTransaction,
    ...(irreversible !== undefined ? { irreversible } : {}),
  };
}

/** The file names in `dir` that the runner hands to node-pg-migrate (the checked ones; everything else is ignored). */
export function isMigrationFileName(name: string): boolean {
  return MIGRATION_FILE_NAME.test(name.split('/').pop() ?? name);
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
  const existing = listFolder(dir)
    .map((entry) => MIGRATION_FILE_NAME.exec(entry.name))
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

