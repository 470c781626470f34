// Extract the migration folder of a known public history from a copy of its repository (a checkout, or a bare git
// directory such as the one a mirror or `git clone --bare` gives), for the agreement harness. Nothing third-party is
// committed here: the output goes where you say (a /tmp folder, or .histories/, which git ignores).
// Usage: node dist/bench/extract-histories.js <repository path> <output folder> [history name]
// Writes <output>/<name>/ (the migration folder) and, when the history needs roles or schemas that its own
// migrations do not create, <output>/<name>.setup.sql (the harness runs it first).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

export interface KnownHistory {
  readonly name: string;
  /** owner/name on GitHub. */
  readonly repository: string;
  /** The migration folder inside the repository. */
  readonly folder: string;
  readonly layout: string;
  /** Text substitutions that turn templated files into SQL (supabase/auth renders its namespace with Go templates). */
  readonly render?: readonly (readonly [RegExp, string])[];
  /** SQL run before the first migration: what the project's deployment creates outside its migrations. */
  readonly setup?: string;
  /** Files of the repository appended to the setup (the project's own init scripts), in this order. */
  readonly setupFolder?: string;
}

const ROLES = (names: readonly string[]): string =>
  names.map((role) => `DO $$ BEGIN CREATE ROLE ${role}; EXCEPTION WHEN duplicate_object THEN NULL; END $$;`).join('\n');

export const KNOWN_HISTORIES: readonly KnownHistory[] = [
  { name: 'concourse', repository: 'concourse/concourse', folder: 'atc/db/migration/migrations', layout: 'golang-migrate (concourse)' },
  { name: 'ente', repository: 'ente-io/ente', folder: 'server/migrations', layout: 'golang-migrate' },
  {
    name: 'mattermost',
    repository: 'mattermost/mattermost',
    folder: 'server/channels/db/migrations/postgres',
    layout: 'golang-migrate',
  },
  { name: 'lemmy', repository: 'LemmyNet/lemmy', folder: 'migrations', layout: 'diesel' },
  { name: 'crates.io', repository: 'rust-lang/crates.io', folder: 'migrations', layout: 'diesel' },
  {
    name: 'supabase-auth',
    repository: 'supabase/auth',
    folder: 'migrations',
    layout: 'paired timestamps (up only)',
    render: [[/\{\{\s*index\s+\.Options\s+"Namespace"\s*\}\}/g, 'auth']],
    setup: `CREATE SCHEMA IF NOT EXISTS auth;\n${ROLES(['supabase_auth_admin', 'supabase_admin', 'authenticated', 'anon', 'service_role', 'dashboard_user'])}\n`,
  },
  {
    name: 'supabase-postgres',
    repository: 'supabase/postgres',
    folder: 'migrations/db/migrations',
    layout: 'dbmate',
    // Its init scripts create the other roles and schemas; the image's superuser and pgbouncer come from elsewhere.
    setup: `${ROLES(['supabase_admin', 'pgbouncer'])}\n`,
    setupFolder: 'migrations/db/init-scripts',
  },
];

export class ExtractError extends Error {}

/** Which known history a repository path holds: the one named, else the one whose owner/name the path spells. */
export function whichHistory(source: string, name?: string): KnownHistory {
  if (name) {
    const found = KNOWN_HISTORIES.find((h) => h.name === name);
    if (!found) throw new ExtractError(`unknown history ${name}: known are ${KNOWN_HISTORIES.map((h) => h.name).join(', ')}`);
    return found;
  }
  const path = resolve(source).toLowerCase();
  const found = KNOWN_HISTORIES.find((h) => {
    const [owner, repo] = h.repository.toLowerCase().split('/') as [string, string];
    return path.includes(`${owner}+${repo}`) || path.includes(`${owner}/${repo}`) || basename(path).replace(/\.git$/, '') === repo;
  });
  if (!found) throw new ExtractError(`${source}: cannot tell which history this is; name it (one of ${KNOWN_HISTORIES.map((h) => h.name).join(', ')})`);
  return found;
}

/** Copy `folder` of the repository at `source` (a checkout, or a bare git directory: its HEAD) into `into`. */
function copyFolder(source: string, folder: string, into: string): void {
  const checkedOut = join(source, folder);
  if (existsSync(checkedOut) && statSync(checkedOut).isDirectory()) {
    cpSync(checkedOut, into, { recursive: true });
    return;
  }
  const archive = spawnSync('git', ['-C', source, 'archive', '--format=tar', 'HEAD', '--', folder], { maxBuffer: 1 << 30 });
  if (archive.status !== 0) {
    throw new ExtractError(`${source}: neither a checkout holding ${folder} nor a git directory whose HEAD has it (${archive.stderr.toString().trim().split('\n').pop()})`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'extract-'));
  try {
    const untar = spawnSync('tar', ['-x', '-C', scratch], { input: archive.stdout });
    if (untar.status !== 0) throw new ExtractError(`tar failed: ${untar.stderr.toString().trim()}`);
    cpSync(join(scratch, folder), into, { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

export function extractHistory(source: string, output: string, name?: string): { history: KnownHistory; folder: string; files: number; setup?: string } {
  const history = whichHistory(source, name);
  const folder = join(output, history.name);
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(output, { recursive: true });
  copyFolder(source, history.folder, folder);
  const files = filesUnder(folder);
  for (const file of files) {
    if (!history.render) break;
    const text = readFileSync(file, 'utf8');
    const rendered = history.render.reduce((t, [pattern, replacement]) => t.replace(pattern, replacement), text);
    if (rendered !== text) writeFileSync(file, rendered);
  }
  let setup = history.setup;
  if (history.setupFolder) {
    const scratch = mkdtempSync(join(tmpdir(), 'extract-setup-'));
    try {
      copyFolder(source, history.setupFolder, join(scratch, 'init'));
      const scripts = filesUnder(join(scratch, 'init')).filter((f) => f.endsWith('.sql'));
      setup = [setup ?? '', ...scripts.map((f) => `-- ${basename(f)}\n${readFileSync(f, 'utf8')}`)].join('\n');
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }
  const setupPath = `${folder}.setup.sql`;
  rmSync(setupPath, { force: true });
  if (setup) writeFileSync(setupPath, setup);
  return { history, folder, files: files.length, ...(setup ? { setup: setupPath } : {}) };
}

function main(argv: readonly string[]): number {
  const [source, output, name] = argv;
  if (!source || !output || argv.length > 3) {
    console.error(`usage: node dist/bench/extract-histories.js <repository path> <output folder> [history name]\nknown histories: ${KNOWN_HISTORIES.map((h) => `${h.name} (${h.repository} ${h.folder})`).join(', ')}`);
    return 2;
  }
  try {
    const result = extractHistory(source, output, name);
    console.log(`${result.history.name}: ${result.files} files of ${result.history.repository} ${result.history.folder} → ${result.folder}${result.setup ? ` (setup: ${result.setup})` : ''}`);
    return 0;
  } catch (error) {
    if (!(error instanceof ExtractError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.dirname, 'extract-histories.js')) process.exitCode = main(process.argv.slice(2));
