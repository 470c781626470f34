// The one reader of migration folders: list the folder, read every migration file's bytes once, tell the layout,
// name and pair the files. The verifier, the executed proof, the runner, drift, make new and make sum all start here.
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { FileTooLargeError, megabytes, NotRegularFileError, readRegularFile } from '../regular-file.js';
import { fileContent, type FileContent } from './file-content.js';
import { classifyFiles, pairFiles, resolveSingleFiles, type ListingEntry, type MigrationFileName, type PairedFiles, type SetProblem } from './layout.js';
import { SQITCH_PLAN, sqitchFiles } from './sqitch.js';

/**
 * The largest migration file read. libpg-query's WebAssembly heap stops at 1 GiB and its parse tree takes tens of
 * bytes per byte of SQL: 50 MiB of INSERTs exhausts it (PostgreSQL's FATAL out of memory), 32 MiB took 15 s and
 * 2.8 GB, 16 MiB 7 s and 1.5 GB. Past this a file is refused with a message before it is read.
 */
export const MAX_MIGRATION_BYTES = 16 * 1024 * 1024;

export interface MigrationFolder {
  /** The folder as given (absolute or relative). */
  readonly directory: string;
  /** Every migration file the layouts name (paths inside the folder), up, down and single files alike. */
  readonly files: readonly MigrationFileName[];
  /** The migrations in version order. */
  readonly pairs: readonly PairedFiles[];
  /** Naming, pairing and reading problems, before any file is parsed. */
  readonly problems: readonly SetProblem[];
  /** What the folder holds besides migration files that matters to a layout (diesel's metadata.toml). */
  readonly entries: readonly ListingEntry[];
  /** A file's content (path inside the folder), read once; undefined when it cannot be read (`problems` says why). */
  content(path: string): FileContent | undefined;
}

export interface ReadFolderOptions {
  /** Texts that replace what is on disk (absolute or folder-relative path → text), e.g. git's staged versions. */
  readonly contents?: ReadonlyMap<string, string>;
}

/** Throws a NoSuchFolderError when `directory` cannot be listed. */
export function readMigrationFolder(directory: string, options: ReadFolderOptions = {}): MigrationFolder {
  const problems: SetProblem[] = [];
  const entries = namedInUtf8(directory, listFolder(directory), problems);
  const cache = new Map<string, FileContent | undefined>();
  const content = (path: string): FileContent | undefined => {
    if (!cache.has(path)) cache.set(path, readContent(directory, path, options.contents, problems));
    return cache.get(path);
  };
  const { files, problems: nameProblems } = layoutFiles(entries, content);
  const { pairs, problems: pairProblems } = pairFiles(files);
  for (const pair of pairs) {
    content(pair.upPath);
    if (pair.downPath) content(pair.downPath);
    if (pair.metadataPath) content(pair.metadataPath);
  }
  return { directory, files, pairs, problems: [...nameProblems, ...pairProblems, ...problems], entries, content };
}

/** The migration files of a listing, each with its layout: a Sqitch project by its plan, anything else by names and markers. */
function layoutFiles(entries: readonly ListingEntry[], content: (path: string) => FileContent | undefined): { files: MigrationFileName[]; problems: SetProblem[] } {
  if (entries.some((e) => e.name === SQITCH_PLAN && !e.children)) {
    const plan = content(SQITCH_PLAN);
    if (plan) return sqitchFiles(entries, plan.text);
  }
  const { files, problems, loose, unknown } = classifyFiles(entries);
  // A single file's markers tell dbmate's, goose's, sql-migrate's and node-pg-migrate's apart: read before pairing.
  const resolved = resolveSingleFiles(files, loose, (path) => content(path)?.text, unknown);
  return { files: resolved.files, problems: [...problems, ...resolved.problems] };
}

/**
 * The entries whose names are UTF-8; each other one is a problem. Node decodes a name that is not UTF-8 with U+FFFD,
 * a name no file has: opening it would fail with a misleading "no such file".
 */
function namedInUtf8(directory: string, entries: ListingEntry[], problems: SetProblem[]): ListingEntry[] {
  if (!entries.some((e) => e.name.includes('\ufffd') || e.children?.some((c) => c.includes('\ufffd')))) return entries;
  const invalid = (raw: Buffer): boolean => !Buffer.from(raw.toString('utf8'), 'utf8').equals(raw);
  const report = (path: string): void => void problems.push({ path, code: 'bad-file-name', message: `The file name is not valid UTF-8, so no tool can name it reliably: rename it.` });
  const badNames = (dir: string): Set<string> => {
    try {
      return new Set(readdirSync(dir, { encoding: 'buffer' }).filter(invalid).map((raw) => raw.toString('utf8')));
    } catch {
      return new Set();
    }
  };
  const bad = badNames(directory);
  const kept: ListingEntry[] = [];
  for (const entry of entries) {
    if (bad.has(entry.name)) {
      report(entry.name);
      continue;
    }
    if (!entry.children?.some((c) => c.includes('\ufffd'))) {
      kept.push(entry);
      continue;
    }
    const badChildren = badNames(join(directory, entry.name));
    for (const child of entry.children) if (badChildren.has(child)) report(`${entry.name}/${child}`);
    kept.push({ ...entry, children: entry.children.filter((c) => !badChildren.has(c)) });
  }
  return kept;
}

function isSymbolicLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

export class NoSuchFolderError extends Error {
  readonly code = 'NO_SUCH_FOLDER';
  constructor(readonly directory: string) {
    super(`${directory}: no such migrations folder`);
  }
}

/**
 * The folder's entries, sorted by name. A folder entry comes with its file names (diesel keeps up.sql and down.sql
 * in one); a symbolic link counts as what it points to, and a dangling one as a file (reading it then says why).
 */
export function listFolder(directory: string): ListingEntry[] {
  let dirents;
  try {
    dirents = readdirSync(directory, { withFileTypes: true });
  } catch {
    throw new NoSuchFolderError(directory);
  }
  return dirents
    .map((entry): ListingEntry => {
      let isDirectory = entry.isDirectory();
      if (entry.isSymbolicLink()) {
        try {
          isDirectory = statSync(join(directory, entry.name)).isDirectory();
        } catch {
          isDirectory = false;
        }
      }
      // A folder named like a .sql file is listed as a file, so reading it says what it is.
      if (!isDirectory || /\.sql$/i.test(entry.name)) return { name: entry.name };
      try {
        // Sqitch's deploy/ and revert/ hold the scripts; any other folder (diesel's, sourcegraph's) its files.
        return { name: entry.name, children: readdirSync(join(directory, entry.name)).sort() };
      } catch {
        return { name: entry.name, children: [] };
      }
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function readContent(directory: string, path: string, contents: ReadonlyMap<string, string> | undefined, problems: SetProblem[]): FileContent | undefined {
  const absolute = join(directory, path);
  const given = contents?.get(absolute) ?? contents?.get(path);
  if (given !== undefined) return fileContent(Buffer.from(given, 'utf8'));
  try {
    return fileContent(readRegularFile(absolute, { maxBytes: MAX_MIGRATION_BYTES }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (error instanceof FileTooLargeError) {
      problems.push({ path, code: 'unreadable', message: `${path} is ${megabytes(error.bytes)}, more than the ${megabytes(error.maxBytes)} a migration file may be (the parser would need gigabytes for it): load bulk data with COPY from a data file, or split the migration.` });
      return undefined;
    }
    if (error instanceof NotRegularFileError) {
      const message = code === 'EISDIR' ? `${path} is a folder, not a migration file: rename or remove it.` : `${path} is ${error.kind}, not a migration file: replace it with the SQL file or remove it.`;
      problems.push({ path, code: 'unreadable', message });
      return undefined;
    }
    const why = code === 'ENOENT' ? (isSymbolicLink(absolute) ? 'a symbolic link to nothing' : 'it was removed while being read') : code === 'EACCES' ? 'permission denied' : code;
    problems.push({ path, code: 'unreadable', message: `Cannot read ${path} (${why}): fix or remove it.` });
    return undefined;
  }
}
