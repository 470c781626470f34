// `verify-migrations --watch`: verify once, then again after every change to the watched folders' migration files
// (fs.watch on each folder and the folders in it, for diesel; debounced), each report after a cleared screen (a terminal) or a separator line (a pipe). The result
// cache makes a re-run parse only what changed. Ctrl-C (SIGINT) or SIGTERM stops it with exit code 0.
import { readdirSync, statSync, watch as watchFolder, type FSWatcher } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** Quiet time after the last change before verifying: an editor's save is often several writes. */
export const DEBOUNCE_MS = 100;

export interface WatchOptions {
  readonly out?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly debounceMs?: number;
  /** Stops watching when aborted, like Ctrl-C. */
  readonly signal?: AbortSignal;
}

/** Folders to watch for the paths given to the verifier (a file: its folder). */
export function watchedFolders(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths.length ? paths : ['sql']) {
    let directory = resolve(path);
    try {
      if (!statSync(directory).isDirectory()) directory = dirname(directory);
    } catch {
      directory = dirname(directory);
    }
    folders.add(directory);
  }
  return [...folders];
}

/** Files whose change can change the report: migration files, diesel's metadata, the manifest. */
function relevant(name: string | null): boolean {
  return name === null || /\.(sql|toml)$/i.test(name) || name.endsWith('migrations.sum');
}

/**
 * Run `report` now and after each change until interrupted; resolves with the exit code (0). The first run's error
 * (e.g. a path that does not exist) rejects, so the CLI reports it as usual; later errors are printed and watched past.
 */
export async function watch(paths: readonly string[], report: () => Promise<string>, options: WatchOptions = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  const tty = out.isTTY === true;
  const debounce = options.debounceMs ?? DEBOUNCE_MS;
  const folders = watchedFolders(paths);
  const hint = `Watching ${folders.map((f) => displayFolder(f)).join(', ')} for changes (Ctrl-C to stop).\n`;
  const changed = new Set<string>();
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  let running = false;
  let again = false;

  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    const names = [...changed].sort();
    changed.clear();
    let text: string;
    try {
      text = await report();
    } catch (error) {
      text = `verify-migrations: ${error instanceof Error ? error.message : String(error)}\n`;
    }
    const time = new Date().toISOString().slice(11, 19);
    const header = `${time} changed: ${names.join(', ') || 'files'}`;
    out.write(tty ? `\u001b[2J\u001b[3J\u001b[H${header}\n\n${text}${hint}` : `${'─'.repeat(8)} ${header} ${'─'.repeat(8)}\n${text}`);
    running = false;
    if (again) {
      again = false;
      void run();
    }
  };
  const schedule = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void run(), debounce);
  };
  // Watch the folder and its folders one level down (diesel keeps each migration in one), non-recursively: Node's
  // recursive watch on Linux arms itself asynchronously and misses what changes meanwhile.
  const add = (folder: string, prefix: string): void => {
    if (watchers.has(folder)) return;
    try {
      const watcher = watchFolder(folder, (_event, name) => {
        const file = name === null ? null : `${prefix}${name.toString()}`;
        if (file !== null && prefix === '' && isFolder(join(folder, file))) add(join(folder, file), `${file}/`);
        if (!relevant(file)) return;
        if (file) changed.add(file);
        if (!first) schedule();
      });
      watcher.on('error', () => undefined);
      watchers.set(folder, watcher);
    } catch {
      // Not there (the first report says so), or gone.
    }
  };
  const close = (): void => {
    clearTimeout(timer);
    for (const watcher of watchers.values()) watcher.close();
  };
  // Armed before the first report, so a save while it runs is not missed.
  for (const folder of folders) {
    add(folder, '');
    for (const sub of subfolders(folder)) add(join(folder, sub), `${sub}/`);
  }
  try {
    out.write(`${await report()}${hint}`);
  } catch (error) {
    close();
    throw error;
  }
  first = false;
  if (changed.size) schedule();

  return new Promise<number>((done) => {
    const stop = (): void => {
      close();
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      if (tty) out.write('\n');
      done(0);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    options.signal?.addEventListener('abort', stop, { once: true });
  });
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Folders one level down, except hidden ones and node_modules. */
function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && entry.name !== 'node_modules')
      .map((entry) => entry.name);
  } catch {
    return [];
  }
}

function displayFolder(folder: string): string {
  const cwd = process.cwd();
  return folder === cwd ? '.' : folder.startsWith(`${cwd}/`) ? `${folder.slice(cwd.length + 1)}/` : folder;
}
