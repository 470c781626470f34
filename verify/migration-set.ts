// Naming, pairing and ordering of migration files. Pure: the file system is passed in.
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

export interface Migration {
  readonly version: string;
  /** `<version>_<slug>` */
  readonly name: string;
  readonly up: SourceFile;
  readonly down?: SourceFile;
  /** Either file asks the runner not to wrap it in a transaction. */
  readonly noTransaction: boolean;
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
}

/** A problem with the set itself (naming, pairing), reported before any rule runs. */
export interface SetProblem {
  readonly path: string;
  readonly code: 'unpaired-down' | 'bad-file-name' | 'duplicate-version' | 'unreadable';
  readonly message: string;
}

/** One entry of a directory listing: a file, or a folder with the files it holds (diesel's layout). */
export interface ListingEntry {
  readonly name: string;
  readonly children?: readonly string[];
}

/** `<version>_<slug>.up.sql` / `.down.sql`: ours, golang-migrate, concourse (any digits, slug of letters, digits, _ and -). */
const PAIRED_FILE = /^(\d+)_([A-Za-z0-9_.-]+?)\.(up|down)\.sql$/;
/** `<version>_<slug>.sql`: dbmate and node-pg-migrate keep up and down in one file. */
const SINGLE_FILE = /^(\d+)_([A-Za-z0-9_.-]+)\.sql$/;
/** diesel: a folder `<version>_<name>` (version may hold dashes) with up.sql and down.sql. */
const DIESEL_FOLDER = /^([\d-]+)_([A-Za-z0-9_.-]+)$/;

/** Classify a listing; anything that is not SQL (README.md, .gitkeep) is ignored. */
export function classifyFiles(entries: readonly (string | ListingEntry)[]): { files: MigrationFileName[]; problems: SetProblem[] } {
  const files: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? { name: raw } : raw;
    if (entry.children) {
      const folder = DIESEL_FOLDER.exec(entry.name);
      if (!folder || !entry.children.includes('up.sql')) continue;
      const version = folder[1]!.replace(/-/g, '');
      files.push({ path: `${entry.name}/up.sql`, version, name: entry.name, direction: 'up' });
      if (entry.children.includes('down.sql')) files.push({ path: `${entry.name}/down.sql`, version, name: entry.name, direction: 'down' });
      continue;
    }
    const path = entry.name;
    const base = path.split('/').pop() ?? path;
    if (!/\.sql$/i.test(base)) continue;
    const paired = PAIRED_FILE.exec(base);
    if (paired) {
      files.push({ path, version: paired[1]!, name: `${paired[1]}_${paired[2]}`, direction: paired[3] as 'up' | 'down' });
      continue;
    }
    const single = SINGLE_FILE.exec(base);
    if (single) {
      files.push({ path, version: single[1]!, name: `${single[1]}_${single[2]}`, direction: 'both' });
      continue;
    }
    problems.push({
      path,
      code: 'bad-file-name',
      message: /\.sql$/.test(base)
        ? `File name does not match <version>_<slug>.up.sql or .down.sql: rename ${base}, e.g. 20260105090000_create_tags.up.sql.`
        : `Extension of ${base} must be lower-case .sql: rename it to ${base.replace(/\.(up\.|down\.)?sql$/i, (m) => m.toLowerCase())}.`,
    });
  }
  return { files, problems };
}

export interface PairedFiles {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
  /** The up and down are sections of the one file at upPath. */
  readonly singleFile: boolean;
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
      pairs.push({ version: entry.both.version, name, upPath: entry.both.path, downPath: entry.both.path, singleFile: true });
      continue;
    }
    if (!entry.up) {
      const down = entry.down!;
      problems.push({ path: down.path, code: 'unpaired-down', message: `Down file has no up file: add ${name}.up.sql or delete ${down.path}.` });
      continue;
    }
    pairs.push({ version: entry.up.version, name, upPath: entry.up.path, downPath: entry.down?.path, singleFile: false });
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
