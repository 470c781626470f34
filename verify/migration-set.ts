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

export interface MigrationFileName {
  readonly path: string;
  readonly version: string;
  readonly name: string;
  readonly direction: 'up' | 'down';
}

/** A problem with the set itself (naming, pairing), reported before any rule runs. */
export interface SetProblem {
  readonly path: string;
  readonly code: 'unpaired-down' | 'bad-file-name' | 'duplicate-version' | 'unreadable';
  readonly message: string;
}

const MIGRATION_FILE = /^(\d+)_([A-Za-z0-9_-]+)\.(up|down)\.sql$/;

/** Classify the .sql files of a listing; anything else (README.md, .gitkeep) is ignored. */
export function classifyFiles(paths: readonly string[]): { files: MigrationFileName[]; problems: SetProblem[] } {
  const files: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  for (const path of paths) {
    const base = path.split('/').pop() ?? path;
    if (!/\.sql$/i.test(base)) continue;
    const match = MIGRATION_FILE.exec(base);
    if (!match) {
      problems.push({
        path,
        code: 'bad-file-name',
        message: /\.sql$/.test(base)
          ? `File name does not match <version>_<slug>.up.sql or .down.sql: rename ${base}, e.g. 20260105090000_create_tags.up.sql.`
          : `Extension of ${base} must be lower-case .sql: rename it to ${base.replace(/\.(up\.|down\.)?sql$/i, (m) => m.toLowerCase())}.`,
      });
      continue;
    }
    files.push({ path, version: match[1]!, name: `${match[1]}_${match[2]}`, direction: match[3] as 'up' | 'down' });
  }
  return { files, problems };
}

export interface PairedFiles {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
}

/** Pair up and down files by name and order them by version (numerically, then by name). */
export function pairFiles(files: readonly MigrationFileName[]): { pairs: PairedFiles[]; problems: SetProblem[] } {
  const byName = new Map<string, { up?: MigrationFileName; down?: MigrationFileName }>();
  for (const file of files) {
    const entry = byName.get(file.name) ?? {};
    entry[file.direction] = file;
    byName.set(file.name, entry);
  }
  const problems: SetProblem[] = [];
  const pairs: PairedFiles[] = [];
  for (const [name, entry] of byName) {
    if (!entry.up) {
      const down = entry.down!;
      problems.push({ path: down.path, code: 'unpaired-down', message: `Down file has no up file: add ${name}.up.sql or delete ${name}.down.sql.` });
      continue;
    }
    pairs.push({ version: entry.up.version, name, upPath: entry.up.path, downPath: entry.down?.path });
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
