// migrations.sum (after Atlas's atlas.sum): the normalized sha256 of every migration file of a folder, one line each,
// and on the first line a total chained over those lines. A file edited or deleted after it was recorded is flagged;
// two branches that each add a migration both rewrite the first line, so git makes their merge a conflict.
//
//   sha256:<total>
//   20260105090000_create_function_set_updated_at.down.sql sha256:<hex>
//   20260105090000_create_function_set_updated_at.up.sql sha256:<hex>
//
// The total is h(n) where h(0) = '' and h(i) = sha256hex(h(i-1) + '<file> sha256:<hex>\n') over the lines in order.
// Everything here is pure except the readers at the end, which go through the folder reader.
import { createHash } from 'node:crypto';
import { readRegularFile } from '../regular-file.js';
import { join } from 'node:path';
import { migrationChecksum } from './file-content.js';
import { readMigrationFolder, type MigrationFolder } from './folder.js';

export { migrationChecksum, normalizeMigrationBytes } from './file-content.js';

export const MANIFEST_FILE = 'migrations.sum';

const HEX = /^[0-9a-f]{64}$/;

export interface ManifestEntry {
  /** The path inside the folder, e.g. 20260105090100_create_users.up.sql. */
  readonly file: string;
  readonly sha256: string;
}

/** The chained total over the entries, in their order. */
export function manifestTotal(entries: readonly ManifestEntry[]): string {
  return entries.reduce((previous, entry) => createHash('sha256').update(`${previous}${entryLine(entry)}\n`, 'utf8').digest('hex'), '');
}

function entryLine(entry: ManifestEntry): string {
  return `${entry.file} sha256:${entry.sha256}`;
}

/** The manifest text for the migration files of a folder (paths inside it, with their texts); sorted by path. */
export function renderManifest(files: readonly { readonly path: string; readonly bytes: Buffer | string }[]): string {
  const entries = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ file: f.path, sha256: migrationChecksum(f.bytes) }));
  return [`sha256:${manifestTotal(entries)}`, ...entries.map(entryLine)].join('\n') + '\n';
}

export interface ParsedManifest {
  /** The total on line 1, when it reads as one. */
  readonly total?: string;
  readonly entries: readonly (ManifestEntry & { readonly line: number })[];
  /** Lines that are not `<file> sha256:<hex>` (or a first line that is not `sha256:<hex>`). */
  readonly badLines: readonly number[];
}

export function parseManifest(text: string): ParsedManifest {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const first = /^sha256:([0-9a-f]{64})$/.exec((lines[0] ?? '').trim());
  const badLines: number[] = first ? [] : [1];
  const entries: (ManifestEntry & { line: number })[] = [];
  for (const [i, raw] of lines.entries()) {
    if (i === 0) continue;
    const line = raw.trim();
    if (line === '') continue;
    const match = /^(\S+) sha256:(\S+)$/.exec(line);
    if (!match || !HEX.test(match[2]!)) {
      badLines.push(i + 1);
      continue;
    }
    entries.push({ file: match[1]!, sha256: match[2]!, line: i + 1 });
  }
  return { ...(first ? { total: first[1]! } : {}), entries, badLines };
}

export type ManifestRule = 'manifest-mismatch' | 'manifest-missing';

export interface ManifestProblem {
  /** The file inside the folder the problem is reported at (a migration file, or migrations.sum itself). */
  readonly path: string;
  readonly line: number;
  readonly rule: ManifestRule;
  readonly message: string;
}

const IMMUTABLE = 'migrations are immutable once merged';

/**
 * Compare a folder's migration files (paths inside the folder, with their texts) with its migrations.sum text.
 * Pure: the caller lists and reads. Returns the problems in file order.
 */
export function checkManifest(manifestText: string, files: readonly { readonly path: string; readonly bytes?: Buffer | string }[]): ManifestProblem[] {
  const problems: ManifestProblem[] = [];
  const parsed = parseManifest(manifestText);
  for (const line of parsed.badLines) {
    problems.push({
      path: MANIFEST_FILE,
      line,
      rule: 'manifest-mismatch',
      message:
        line === 1
          ? `${MANIFEST_FILE} does not start with its total (sha256:<64 hex digits>): regenerate it with make sum.`
          : `${MANIFEST_FILE} line ${line} is not "<file> sha256:<64 hex digits>": regenerate it with make sum.`,
    });
  }
  if (parsed.total !== undefined && parsed.badLines.length === 0 && parsed.total !== manifestTotal(parsed.entries)) {
    problems.push({
      path: MANIFEST_FILE,
      line: 1,
      rule: 'manifest-mismatch',
      message: `The total on the first line of ${MANIFEST_FILE} does not match its entries (a merge kept lines of both sides?): check that no recorded migration changed, then run make sum.`,
    });
  }
  const byPath = new Map(files.map((f) => [f.path, f]));
  const recorded = new Set<string>();
  for (const entry of parsed.entries) {
    recorded.add(entry.file);
    const file = byPath.get(entry.file);
    if (!file) {
      problems.push({
        path: MANIFEST_FILE,
        line: entry.line,
        rule: 'manifest-mismatch',
        message: `${entry.file} was deleted after it was recorded in ${MANIFEST_FILE}: ${IMMUTABLE}; restore it, or run make sum if this deletion is deliberate (never after it was deployed).`,
      });
    } else if (file.bytes !== undefined && migrationChecksum(file.bytes) !== entry.sha256) {
      problems.push({
        path: entry.file,
        line: 1,
        rule: 'manifest-mismatch',
        message: `${baseName(entry.file)} changed after it was recorded in ${MANIFEST_FILE}: ${IMMUTABLE}; put the change in a new migration, or run make sum if this edit is deliberate (never after it was deployed).`,
      });
    }
  }
  for (const file of files) {
    if (recorded.has(file.path)) continue;
    problems.push({ path: file.path, line: 1, rule: 'manifest-missing', message: `${baseName(file.path)} is not in ${MANIFEST_FILE}: run make sum.` });
  }
  return problems.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.line - b.line));
}

function baseName(path: string): string {
  return path.split('/').pop() ?? path;
}

/**
 * The verifier's hook: check a migration folder against its migrations.sum, or nothing when it has none (other
 * projects' folders). A file that cannot be read is reported by the folder already.
 */
export function manifestProblems(folder: MigrationFolder): ManifestProblem[] {
  const manifest = readManifest(folder.directory, folder.content);
  if (manifest === undefined) return [];
  return checkManifest(
    manifest,
    folder.files.map((f) => ({ path: f.path, bytes: folder.content(f.path)?.bytes })),
  );
}

/** The folder's migrations.sum text, undefined when it has none. `content` may give a staged version. */
export function readManifest(directory: string, content?: (path: string) => { readonly text: string } | undefined): string | undefined {
  const given = content?.(MANIFEST_FILE);
  if (given) return given.text;
  try {
    return readRegularFile(join(directory, MANIFEST_FILE)).toString('utf8');
  } catch {
    return undefined;
  }
}

/**
 * The migration files of a folder as the layouts name them (paths inside it), with their bytes, for make sum; and
 * why any of them cannot be read (a sum that left one out would record a history that is not the folder's).
 */
export function readMigrationFiles(directory: string): { files: { path: string; bytes: Buffer }[]; unreadable: string[] } {
  const folder = readMigrationFolder(directory);
  const files = folder.files.flatMap((f) => {
    const bytes = folder.content(f.path)?.bytes;
    return bytes ? [{ path: f.path, bytes }] : [];
  });
  return { files, unreadable: folder.problems.filter((p) => p.code === 'unreadable').map((p) => p.message) };
}
