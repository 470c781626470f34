// The stored report: when nothing a run reads has changed since the last run with the same arguments, print what
// that run printed, without loading the verifier (parser, WASM, rules, schema model). bin.ts tries it first.
// "Nothing changed" is judged by file metadata, not content: each input's size, modification and change times
// (nanoseconds) and inode, the names in each folder read, the config file, and the verifier's own files.
// A miss costs a few stat calls; the run then goes through the full CLI and its content-addressed result cache.
// Only node builtins are imported here: this module is the whole of a warm run.
import { createRequire } from 'node:module';
import { mkdirSync, readdirSync, type Dirent, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Bump when what is stored changes shape. */
const STORE_FORMAT = 1;

/** Flags that change nothing but the report itself; any other flag (--no-cache, --staged, --fix ...) skips the store. */
const VALUE_FLAGS = new Set(['--format', '--rule', '--config', '--pg-version']);
const BARE_FLAGS = new Set(['--allow-destructive']);
const CONFIG_FILE = 'verify-migrations.json';

interface Stored {
  readonly format: number;
  /** What the key was made of, compared in full (the file name is only a hash of it). */
  readonly request: string;
  /** folder → its entry names joined by '/', and for each sub-folder its own names. */
  readonly listings: Record<string, string>;
  /** file → signature (size, mtime, ctime, inode), '-' when it did not exist. */
  readonly files: Record<string, string>;
  readonly stdout: string;
  readonly code: number;
}

/** The inputs of a run, captured before it reads them (an edit during the run then shows as a change next time). */
export interface ReportInputs {
  readonly path: string;
  readonly request: string;
  readonly listings: Record<string, string>;
  readonly files: Record<string, string>;
}

/** What the run's output depends on besides the files: arguments, folder, colour, the servers that set the target version; undefined when argv is not storable. */
function requestOf(argv: readonly string[]): { request: string; paths: string[]; config: string } | undefined {
  if (argv[0] === 'lsp') return undefined;
  const paths: string[] = [];
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      paths.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (BARE_FLAGS.has(flag) && eq < 0) continue;
    if (!VALUE_FLAGS.has(flag)) return undefined;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) return undefined;
    if (flag === '--config') config = value;
  }
  const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
  // The target PostgreSQL version defaults to the server's (server-version.ts): another server, another report.
  // Hashed: the stored file must never hold a password.
  const urls = `${process.env.DATABASE_URL?.trim() ?? ''}\0${process.env.VERIFY_DATABASE_URL?.trim() ?? ''}`;
  // node:crypto only when there is a URL to hash: loading it is a tenth of a warm run.
  const servers = urls === '\0' ? '' : (createRequire(import.meta.url)('node:crypto') as typeof import('node:crypto')).createHash('sha256').update(urls).digest('hex');
  const request = JSON.stringify([STORE_FORMAT, process.cwd(), color, argv, servers]);
  return { request, paths: paths.length ? paths : ['sql'], config: resolve(config ?? CONFIG_FILE) };
}

/** node_modules/.cache/verify-migrations above the working folder (as the result cache), else undefined. */
function storeDirectory(): string | undefined {
  let dir = process.cwd();
  for (;;) {
    if (signature(join(dir, 'node_modules')) !== '-') return join(dir, 'node_modules', '.cache', 'verify-migrations');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Signatures bin.ts's miss has just taken, which captureInputs() takes over once (it empties this: a later run in the same process stats afresh). */
const signatures = new Map<string, string>();

function signature(path: string): string {
  let known = signatures.get(path);
  if (known === undefined) {
    // Milliseconds with their fraction (microseconds on Linux) are as telling as nanoseconds and cost no BigInt.
    const s = statSync(path, { throwIfNoEntry: false });
    signatures.set(path, (known = s ? `${s.size}:${s.mtimeMs}:${s.ctimeMs}:${s.ino}` : '-'));
  }
  return known;
}

function names(dir: string): string[] | undefined {
  try {
    return readdirSync(dir).sort();
  } catch {
    return undefined;
  }
}

/** A short, stable hash for the file name (the full request is compared inside). */
function hashOf(text: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h2 >>> 0).toString(16).padStart(8, '0') + (h1 >>> 0).toString(16).padStart(8, '0');
}

/** The verifier's own files: a rebuilt verifier never reuses a report. */
function codeFiles(): string[] {
  const self = fileURLToPath(import.meta.url);
  const here = dirname(self);
  const files = [resolve(here, '../../package.json')];
  // Run from the bundle (scripts/bundle.ts), the bundle's files are the whole verifier.
  if (/^verify-migrations(-[A-Z0-9]+)?\.mjs$/.test(basename(self))) {
    for (const name of readdirSync(here)) if (/^verify-migrations(-[A-Z0-9]+)?\.mjs$/.test(name)) files.push(join(here, name));
    return files;
  }
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (/\.(m|c)?js$/.test(entry.name)) files.push(path);
    }
  };
  visit(here);
  visit(resolve(here, '../core/migrations'));
  return files;
}

/** Files the config file names (a folder's "baseline" SQL), resolved as config.ts does: relative to the config file. */
function configuredFiles(config: string): string[] {
  try {
    const raw = JSON.parse(readFileSync(config, 'utf8')) as { baseline?: unknown };
    const baseline = raw.baseline;
    if (baseline === null || typeof baseline !== 'object') return [];
    return Object.values(baseline).filter((file): file is string => typeof file === 'string').map((file) => resolve(dirname(config), file));
  } catch {
    return [];
  }
}

/** Record what the run is about to read: each folder's names (and its sub-folders'), every file's signature. */
export function captureInputs(argv: readonly string[]): ReportInputs | undefined {
  const request = requestOf(argv);
  const directory = request && storeDirectory();
  if (!request || !directory) return undefined;
  const listings: Record<string, string> = {};
  const files: Record<string, string> = {};
  const folders = new Set<string>();
  for (const given of request.paths) {
    const path = resolve(given);
    const isFolder = names(path) !== undefined;
    folders.add(isFolder ? path : dirname(path));
    if (!isFolder) files[path] = signature(path);
  }
  for (const folder of folders) {
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch {
      listings[folder] = '-';
      continue;
    }
    listings[folder] = entries.map((e) => e.name).sort().join('/');
    for (const entry of entries) {
      const path = join(folder, entry.name);
      // Only a folder (or a link that may point to one) is listed; a file is only signed.
      const children = entry.isDirectory() || entry.isSymbolicLink() ? names(path) : undefined;
      if (children === undefined) {
        files[path] = signature(path);
        continue;
      }
      listings[path] = children.join('/');
      for (const child of children) files[join(path, child)] = signature(join(path, child));
    }
  }
  files[request.config] = signature(request.config);
  for (const path of configuredFiles(request.config)) files[path] = signature(path);
  for (const path of codeFiles()) files[path] = signature(path);
  signatures.clear();
  return { path: join(directory, `report.${hashOf(request.request)}.json`), request: request.request, listings, files };
}

/** Keep this run's output for the next run with the same arguments, if nothing it read changes meanwhile. */
export function storeReport(inputs: ReportInputs, stdout: string, code: number): void {
  const stored: Stored = { format: STORE_FORMAT, request: inputs.request, listings: inputs.listings, files: inputs.files, stdout, code };
  try {
    mkdirSync(dirname(inputs.path), { recursive: true });
    const temporary = `${inputs.path}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(stored));
    renameSync(temporary, inputs.path);
  } catch {
    // A store that cannot be written only costs speed.
  }
}

/** The stored output and exit code when every input is as the last run found it, else undefined. */
export function storedReport(argv: readonly string[]): { stdout: string; code: number } | undefined {
  const request = requestOf(argv);
  const directory = request && storeDirectory();
  if (!request || !directory) return undefined;
  let stored: Stored;
  try {
    stored = JSON.parse(readFileSync(join(directory, `report.${hashOf(request.request)}.json`), 'utf8')) as Stored;
  } catch {
    return undefined;
  }
  if (stored.format !== STORE_FORMAT || stored.request !== request.request) return undefined;
  for (const [folder, listing] of Object.entries(stored.listings)) {
    const entries = names(folder);
    if ((entries === undefined ? '-' : entries.join('/')) !== listing) return undefined;
  }
  for (const [path, sig] of Object.entries(stored.files)) if (signature(path) !== sig) return undefined;
  return { stdout: stored.stdout, code: stored.code };
}
