// What git has staged: the migration files of the index, with their staged text, for pre-commit.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { UsageError } from './engine.js';

// node:child_process (and the net stack under it) loads only when git is asked: most runs never ask.
function childProcess(): typeof import('node:child_process') {
  return createRequire(import.meta.url)('node:child_process') as typeof import('node:child_process');
}

export interface StagedFiles {
  /** Paths relative to the current directory. */
  readonly paths: readonly string[];
  /** Absolute path → staged text. */
  readonly contents: ReadonlyMap<string, string>;
}

function git(args: readonly string[]): string {
  try {
    return childProcess().execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 256 * 1024 * 1024 });
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim().split('\n')[0];
    throw new UsageError(`--staged needs a git repository: ${stderr || 'git failed'}.`);
  }
}

/** Staged .sql files (added, copied, modified, renamed) under the given folders, with their staged text. */
export function stagedSqlFiles(within: readonly string[]): StagedFiles {
  const root = git(['rev-parse', '--show-toplevel']).trim();
  const listing = git(['diff', '--cached', '--name-only', '-z', '--diff-filter=ACMR', '--', '*.sql', '*.SQL']);
  const folders = within.map((p) => resolve(p));
  const paths: string[] = [];
  const contents = new Map<string, string>();
  for (const relative of listing.split('\0').filter(Boolean)) {
    const absolute = resolve(root, relative);
    if (folders.length && !folders.some((f) => absolute === f || absolute.startsWith(`${f}/`))) continue;
    contents.set(absolute, git(['show', `:${relative}`]));
    paths.push(absolute.startsWith(`${process.cwd()}/`) ? absolute.slice(process.cwd().length + 1) : absolute);
  }
  return { paths, contents };
}

/**
 * The files git has committed under `directory` (paths inside it), or undefined outside a git checkout or when git
 * cannot tell (no commit yet counts as nothing committed).
 */
export function committedFiles(directory: string): ReadonlySet<string> | undefined {
  try {
    childProcess().execFileSync('git', ['-C', directory, 'rev-parse', '--is-inside-work-tree'], { stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return undefined;
  }
  try {
    const listing = childProcess().execFileSync('git', ['-C', directory, 'ls-tree', '-r', '--name-only', '-z', '--full-name', 'HEAD', '--', '.'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    const prefix = childProcess().execFileSync('git', ['-C', directory, 'rev-parse', '--show-prefix'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    return new Set(listing.split('\0').filter(Boolean).map((path) => (path.startsWith(prefix) ? path.slice(prefix.length) : path)));
  } catch {
    return new Set();
  }
}
