// migrations.sum (after Atlas's atlas.sum): the normalized sha256 of every migration file of a folder, one line each,
// and on the first line a total chained over those lines. A file edited or deleted after it was recorded is flagged;
// two branches that each add a migration both rewrite the first line, so git makes their merge a conflict.
//
//   sha256:<total>
//   20260105090000_create_function_set_updated_at.down.sql sha256:<hex>
//   20260105090000_create_function_set_updated_at.up.sql sha256:<hex>
//
// The total is h(n) where h(0) = '' and h(i) = sha256hex(h(i-1) + '<file> sha256:<hex>\n') over the lines in order.
// Everything here is pure except manifestProblems(), which reads the folder for the engine.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFiles } from './layout.js';

export const MANIFEST_FILE = 'migrations.sum';

const HEX = /^[0-9a-f]{64}$/;

/**
 * What a checkout on another OS or editor must not change: a UTF-8 BOM, CRLF (or lone CR) line ends, whitespace
 * at the end of a line, and how many newlines end the file (exactly one after normalizing).
 */
export function normalizeMigrationText(text: string): string {
  const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n').map((line) => line.replace(/[ \t\f\v]+$/, ''));
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}

/** The sha256 (lower-case hex) of a migration file's normalized text: what migrations.sum and the database record. */
export function migrationChecksum(text: string): string {
  return createHash('sha256').update(normalizeMigrationText(text), 'utf8').digest('hex');
}

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
export function renderManifest(files: readonly { readonly path: string; readonly text: string }[]): string {
  const entries = [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ file: f.path, sha256: migrationChecksum(f.text) }));
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
export function checkManifest(manifestText: string, files: readonly { readonly path: string; readonly text?: string }[]): ManifestProblem[] {
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
    } else if (file.text !== undefined && migrationChecksum(file.text) !== entry.sha256) {
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
 * The engine's hook: check `directory` against its migrations.sum, or nothing when it has none (other projects'
 * folders). `paths` are the migration files of the folder (inside it); `contents` overrides texts (absolute path → text).
 */
export function manifestProblems(directory: string, paths: readonly string[], contents?: ReadonlyMap<string, string>): ManifestProblem[] {
  const read = (path: string): string | undefined => {
    const absolute = join(directory, path);
    const override = contents?.get(absolute);
    if (override !== undefined) return override;
    try {
      return readFileSync(absolute, 'utf8');
    } catch {
      return undefined;
    }
  };
  const manifest = read(MANIFEST_FILE);
  if (manifest === undefined) return [];
  // An unreadable file (text undefined) is reported by the engine already.
  return checkManifest(
    manifest,
    paths.map((path) => ({ path, text: read(path) })),
  );
}

/** The migration files of a folder as the verifier classifies them (paths inside it), with their texts. */
export function readMigrationTexts(directory: string): { path: string; text: string }[] {
  const entries = readdirSync(directory, { withFileTypes: true }).map((entry) => {
    if (!entry.isDirectory()) return { name: entry.name };
    try {
      return { name: entry.name, children: readdirSync(join(directory, entry.name)) };
    } catch {
      return { name: entry.name, children: [] };
    }
  });
  return classifyFiles(entries).files.map((f) => ({ path: f.path, text: readFileSync(join(directory, f.path), 'utf8') }));
}
