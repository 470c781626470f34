// Layouts: naming, pairing and ordering of migration files, and how each runner runs them. Pure: folder.ts lists.
import type { ParsedSql } from './parse.js';
import type { Directive } from './directives.js';
import { LineIndex } from './source-position.js';

export interface SourceFile {
  /** The path as given plus the file name, used in every message. */
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly parsed: ParsedSql;
  readonly directives: readonly Directive[];
}

/** The tool a migration's file layout belongs to: it decides how the migration is run. */
export type Layout = 'paired' | 'golang-migrate' | 'diesel' | 'dbmate' | 'node-pg-migrate';

/**
 * How the runner of a layout runs one file (for dbmate: one section) of a migration.
 * - 'per-migration': inside a transaction the runner opens around it (ours, node-pg-migrate, diesel and dbmate by default);
 * - 'none': statement by statement, each committing on its own (ours and node-pg-migrate with `-- migrate:no-transaction`);
 * - 'implicit-per-file': the whole file sent as one simple-protocol query in no transaction: PostgreSQL runs a file of
 *   several statements as one implicit transaction block, and a file of one statement outside any
 *   (golang-migrate always; diesel with `run_in_transaction = false`; dbmate with `transaction:false`).
 */
export type TransactionMode = 'per-migration' | 'none' | 'implicit-per-file';

export interface Migration {
  readonly version: string;
  /** `<version>_<slug>` */
  readonly name: string;
  readonly up: SourceFile;
  readonly down?: SourceFile;
  readonly layout: Layout;
  /** How the layout's runner runs the up and the down. */
  readonly transaction: { readonly up: TransactionMode; readonly down: TransactionMode };
  /** Either side runs statement by statement ('none'): the statements of a file do not commit or fail together. */
  readonly noTransaction: boolean;
  /** Where the down belongs, as a help names it: `<name>.down.sql`, `<folder>/down.sql`, `a -- migrate:down section`. */
  readonly downLabel: string;
  /** The reason of the down's `-- verify:irreversible <reason>`: the migration cannot be rolled back. */
  readonly irreversible?: string;
}

/** Whether the statements of this side run inside a transaction block: the runner's, or the implicit one of a multi-statement query. */
export function inTransactionBlock(migration: Migration, side: 'up' | 'down'): boolean {
  const mode = migration.transaction[side];
  if (mode === 'per-migration') return true;
  if (mode === 'none') return false;
  const file = side === 'up' ? migration.up : migration.down;
  return (file?.parsed.statements.length ?? 0) > 1;
}

/** The tool's name, as messages say it. */
export function runnerOf(layout: Layout): string {
  return layout === 'paired' ? 'the runner' : layout;
}

/** What every rule may know of the whole set without parsing it. */
export interface MigrationSummary {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
}

export interface MigrationFileName {
  readonly path: string;
  readonly version: string;
  readonly name: string;
  /** 'up'/'down' for paired files; 'both' for one file holding both sections (dbmate, node-pg-migrate). */
  readonly direction: 'up' | 'down' | 'both';
  /** Known from the name, except for single files (dbmate or node-pg-migrate: their markers tell, see resolveSingleFiles). */
  readonly layout?: Layout;
  /** diesel: the migration folder's metadata.toml, when it has one. */
  readonly metadataPath?: string;
}

/** A problem with the set itself (naming, pairing), reported before any rule runs. */
export interface SetProblem {
  readonly path: string;
  readonly code: 'unpaired-down' | 'bad-file-name' | 'duplicate-version' | 'unreadable' | 'missing-up-marker';
  readonly message: string;
}

/** One entry of a directory listing: a file, or a folder with the files it holds (diesel's layout). */
export interface ListingEntry {
  readonly name: string;
  readonly children?: readonly string[];
}

/** `<version>_<slug>.up.sql` / `.down.sql`: ours, golang-migrate, concourse (any digits, slug of letters, digits, _ and -). */
const PAIRED_FILE = /^(\d+)_([A-Za-z0-9_.-]+?)\.(up|down)\.sql$/;
/** Our runner's versions: a 14-digit timestamp. Paired files with other versions are golang-migrate's. */
const OUR_VERSION = /^\d{14}$/;
/** `<version>_<slug>.sql`: dbmate and node-pg-migrate keep up and down in one file. */
const SINGLE_FILE = /^(\d+)_([A-Za-z0-9_.-]+)\.sql$/;
/** Any other name dbmate accepts (its migrationFileRegexp, `^(\d+).*\.sql$`): a migration only if it carries `-- migrate:up`. */
const DBMATE_FILE = /^(\d+).*\.sql$/;
/** diesel: a folder `<version>_<name>` (version may hold dashes) with up.sql and down.sql. */
const DIESEL_FOLDER = /^([\d-]+)_([A-Za-z0-9_.-]+)$/;

/**
 * Classify a listing; anything that is not SQL (README.md, .gitkeep) is ignored. `loose` holds the names only dbmate
 * accepts (`00000000000000-initial-schema.sql`): resolveSingleFiles() decides from their text what they are.
 */
export function classifyFiles(entries: readonly (string | ListingEntry)[]): { files: MigrationFileName[]; problems: SetProblem[]; loose: MigrationFileName[] } {
  const files: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  const loose: MigrationFileName[] = [];
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? { name: raw } : raw;
    if (entry.children) {
      const folder = DIESEL_FOLDER.exec(entry.name);
      if (!folder) continue;
      const version = folder[1]!.replace(/-/g, '');
      const metadataPath = entry.children.includes('metadata.toml') ? `${entry.name}/metadata.toml` : undefined;
      const base = { version, name: entry.name, layout: 'diesel' as const, ...(metadataPath ? { metadataPath } : {}) };
      if (entry.children.includes('up.sql')) files.push({ ...base, path: `${entry.name}/up.sql`, direction: 'up' });
      // A down.sql alone is still listed, so pairFiles() reports it as unpaired.
      if (entry.children.includes('down.sql')) files.push({ ...base, path: `${entry.name}/down.sql`, direction: 'down' });
      continue;
    }
    const path = entry.name;
    const base = path.split('/').pop() ?? path;
    if (!/\.sql$/i.test(base)) continue;
    const paired = PAIRED_FILE.exec(base);
    if (paired) {
      const layout = OUR_VERSION.test(paired[1]!) ? 'paired' : 'golang-migrate';
      files.push({ path, version: paired[1]!, name: `${paired[1]}_${paired[2]}`, direction: paired[3] as 'up' | 'down', layout });
      continue;
    }
    const single = SINGLE_FILE.exec(base);
    if (single) {
      files.push({ path, version: single[1]!, name: `${single[1]}_${single[2]}`, direction: 'both' });
      continue;
    }
    const dbmate = DBMATE_FILE.exec(base);
    if (dbmate) {
      loose.push({ path, version: dbmate[1]!, name: base.slice(0, -'.sql'.length), direction: 'both', layout: 'dbmate' });
      continue;
    }
    problems.push(badName(path));
  }
  return { files, problems, loose };
}

function badName(path: string): SetProblem {
  const base = path.split('/').pop() ?? path;
  return {
    path,
    code: 'bad-file-name',
    message: /\.sql$/.test(base)
      ? `File name does not match <version>_<slug>.up.sql or .down.sql: rename ${base}, e.g. 20260105090000_create_tags.up.sql.`
      : `Extension of ${base} must be lower-case .sql: rename it to ${base.replace(/\.(up\.|down\.)?sql$/i, (m) => m.toLowerCase())}.`,
  };
}

/** dbmate's up marker, as its migration parser finds it (upRegExp in pkg/dbmate/migration.go). */
const DBMATE_UP = /^--\s*migrate:up(\s*$|\s+\S+)/m;
/**
 * Tell dbmate's single files from node-pg-migrate's by their markers. A folder where any single file carries
 * `-- migrate:up` is dbmate's: dbmate refuses a file without that line, so each one lacking it is reported. A name only
 * dbmate accepts is a migration when its text (or its folder) is dbmate's, else a bad file name as before.
 * `textOf` returns undefined for a file that cannot be read (the engine reports it).
 */
export function resolveSingleFiles(files: readonly MigrationFileName[], loose: readonly MigrationFileName[], textOf: (path: string) => string | undefined): { files: MigrationFileName[]; problems: SetProblem[] } {
  const isDbmate = (file: MigrationFileName): boolean => DBMATE_UP.test(textOf(file.path) ?? '');
  const dbmateFolder = loose.some(isDbmate) || files.some((f) => f.direction === 'both' && isDbmate(f));
  const resolved: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  const missingUp = (file: MigrationFileName): SetProblem => {
    const base = file.path.split('/').pop() ?? file.path;
    return {
      path: file.path,
      code: 'missing-up-marker',
      message: `No -- migrate:up line in ${base}, so dbmate refuses to run it: add -- migrate:up above its first statement (and -- migrate:down above the statements that undo it).`,
    };
  };
  for (const file of files) {
    if (file.direction !== 'both') {
      resolved.push(file);
      continue;
    }
    // One tool runs a folder: in dbmate's, a file with node-pg-migrate's `-- Up Migration` is refused too.
    const text = textOf(file.path);
    if (dbmateFolder && text !== undefined && !DBMATE_UP.test(text)) problems.push(missingUp(file));
    resolved.push({ ...file, layout: dbmateFolder ? 'dbmate' : 'node-pg-migrate' });
  }
  for (const file of loose) {
    const text = textOf(file.path);
    if (text !== undefined && DBMATE_UP.test(text)) resolved.push(file);
    else if (dbmateFolder && text !== undefined) {
      problems.push(missingUp(file));
      resolved.push(file);
    } else problems.push(badName(file.path));
  }
  return { files: resolved, problems };
}

export interface PairedFiles {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
  /** The up and down are sections of the one file at upPath. */
  readonly singleFile: boolean;
  readonly layout: Layout;
  /** diesel: the folder's metadata.toml. */
  readonly metadataPath?: string;
}

/** Pair up and down files by name and order them by version (numerically, then by name). */
export function pairFiles(files: readonly MigrationFileName[]): { pairs: PairedFiles[]; problems: SetProblem[] } {
  const byName = new Map<string, { up?: MigrationFileName; down?: MigrationFileName; both?: MigrationFileName }>();
  for (const file of files) {
    const entry = byName.get(file.name) ?? {};
    entry[file.direction] = file;
    byName.set(file.name, entry);
  }
  const problems: SetProblem[] = [];
  const pairs: PairedFiles[] = [];
  for (const [name, entry] of byName) {
    if (entry.both && !entry.up && !entry.down) {
      pairs.push({ version: entry.both.version, name, upPath: entry.both.path, downPath: entry.both.path, singleFile: true, layout: entry.both.layout ?? 'node-pg-migrate' });
      continue;
    }
    if (!entry.up) {
      const down = entry.down!;
      const message =
        down.layout === 'diesel'
          ? `Folder ${name} has down.sql but no up.sql, so diesel refuses the whole migrations folder: add ${name}/up.sql or delete ${down.path}.`
          : `Down file has no up file: add ${name}.up.sql or delete ${down.path}.`;
      problems.push({ path: down.path, code: 'unpaired-down', message });
      continue;
    }
    const metadataPath = entry.up.metadataPath;
    pairs.push({ version: entry.up.version, name, upPath: entry.up.path, downPath: entry.down?.path, singleFile: false, layout: entry.up.layout ?? 'paired', ...(metadataPath ? { metadataPath } : {}) });
  }
  pairs.sort((a, b) => compareVersions(a.version, b.version) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    const other = seen.get(pair.version);
    if (other) problems.push({ path: pair.upPath, code: 'duplicate-version', message: `Version ${pair.version} is also used by ${other}: give one of them a new timestamp.` });
    else seen.set(pair.version, pair.name);
  }
  return { pairs, problems };
}

export function compareVersions(a: string, b: string): number {
  const x = a.replace(/^0+/, '');
  const y = b.replace(/^0+/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * diesel's metadata.toml: `run_in_transaction = false` runs the migration without the transaction diesel otherwise opens
 * (diesel_migrations' TomlMetadata; true when absent). Only the top-level key counts, as TOML has it.
 */
export function dieselRunsInTransaction(toml: string): boolean {
  for (const line of toml.split('\n')) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*run_in_transaction\s*=\s*(true|false)\s*(#.*)?$/.exec(line.replace(/\r$/, ''));
    if (match) return match[1] === 'true';
  }
  return true;
}

/** Section markers of single-file layouts: dbmate and node-pg-migrate. */
const UP_MARKER = /^[ \t]*--[ \t]*(migrate:up\b.*|Up Migration\b.*)$/im;
const DOWN_MARKER = /^[ \t]*--[ \t]*(migrate:down\b.*|Down Migration\b.*)$/im;

/**
 * Split a single-file migration into its up and down sections. Each section keeps the whole file's
 * geometry (everything outside it is blanked byte for byte, newlines kept), so offsets, lines and
 * columns stay those of the real file. Undefined when the file has no up marker.
 */
export function splitSections(text: string): { up: string; down?: string } | undefined {
  const up = UP_MARKER.exec(text);
  if (!up) return undefined;
  const down = DOWN_MARKER.exec(text);
  const upStart = up.index;
  const downStart = down ? down.index : text.length;
  if (down && downStart < upStart) {
    return { up: blankOutside(text, upStart, text.length), down: blankOutside(text, downStart, upStart) };
  }
  return { up: blankOutside(text, upStart, downStart), down: down ? blankOutside(text, downStart, text.length) : undefined };
}

function blankOutside(text: string, start: number, end: number): string {
  const blank = (part: string): string => part.replace(/[^\n]/g, (ch) => ' '.repeat(Buffer.byteLength(ch)));
  return blank(text.slice(0, start)) + text.slice(start, end) + blank(text.slice(end));
}
