// A content-addressed cache of results, so a re-run only parses what changed.
// Keys chain over the ordered migrations (like a hash chain): migration i's key covers every byte of
// migrations 0..i plus the settings, because its violations depend on the schema those built.
// Lives in node_modules/.cache/verify-migrations; safe to delete at any time.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync, readdirSync, unlinkSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Violation } from './rule.js';
import type { SchemaSnapshot } from './schema-model.js';

/** Bump when the engine or a rule changes what it reports for the same input. */
export const CACHE_FORMAT = 1;

export interface CacheFile {
  readonly format: number;
  /** chain key → violations of that migration's files, paths relative to the folder. */
  readonly entries: Record<string, readonly Violation[]>;
}

export function chainKey(previous: string, name: string, up: string | undefined, down: string | undefined): string {
  return createHash('sha1').update(previous).update('\0').update(name).update('\0').update(up ?? '\u0001').update('\0').update(down ?? '\u0001').digest('hex');
}

export function seedKey(parts: readonly unknown[]): string {
  return createHash('sha1').update(JSON.stringify([CACHE_FORMAT, codeVersion(), ...parts])).digest('hex');
}

let code: string | undefined;

/** A hash of the verifier's own files (this folder's), so a changed rule never reuses old results. */
export function codeVersion(): string {
  if (code !== undefined) return code;
  const hash = createHash('sha1');
  // The verifier's folder and the migration model under it (core/migrations) decide every result.
  const roots = [fileURLToPath(new URL('.', import.meta.url)), fileURLToPath(new URL('../core/migrations/', import.meta.url))];
  const visit = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      // Size and modification time, not the content: a rebuild then costs one cold run, and a warm run reads no code.
      else if (/\.(m?js|ts)$/.test(entry.name)) {
        const stats = statSync(path, { bigint: true });
        hash.update(`${entry.name}\0${stats.size}\0${stats.mtimeNs}\0`);
      }
    }
  };
  for (const root of roots) visit(root);
  code = hash.digest('hex');
  return code;
}

/** node_modules/.cache/verify-migrations of the nearest folder above `from` that has node_modules, else undefined. */
export function cacheDirectory(from = process.cwd()): string | undefined {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'verify-migrations');
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export class ResultCache {
  private entries: Record<string, readonly Violation[]> = {};
  private readonly fresh: Record<string, readonly Violation[]> = {};
  private readonly snapshots = new Map<string, SchemaSnapshot>();

  constructor(
    private readonly directory: string,
    private readonly name: string,
  ) {
    try {
      const file = JSON.parse(readFileSync(join(directory, `${name}.json`), 'utf8')) as CacheFile;
      if (file.format === CACHE_FORMAT) this.entries = file.entries;
    } catch {
      // No cache yet, or a damaged one: start empty.
    }
  }

  get(key: string): readonly Violation[] | undefined {
    return this.entries[key];
  }

  set(key: string, violations: readonly Violation[]): void {
    this.fresh[key] = violations;
  }

  keep(key: string): void {
    const known = this.entries[key];
    if (known) this.fresh[key] = known;
  }

  snapshot(key: string): SchemaSnapshot | undefined {
    try {
      return JSON.parse(readFileSync(join(this.directory, `${this.name}.model.${key}.json`), 'utf8')) as SchemaSnapshot;
    } catch {
      return undefined;
    }
  }

  hasSnapshot(key: string): boolean {
    return existsSync(join(this.directory, `${this.name}.model.${key}.json`));
  }

  addSnapshot(key: string, snapshot: SchemaSnapshot): void {
    this.snapshots.set(key, snapshot);
  }

  /** Write the entries of this run (only the current chain: the file does not grow without bound) and its snapshots. */
  save(): void {
    try {
      mkdirSync(this.directory, { recursive: true });
      for (const [key, snapshot] of this.snapshots) atomicWrite(join(this.directory, `${this.name}.model.${key}.json`), JSON.stringify(snapshot));
      atomicWrite(join(this.directory, `${this.name}.json`), JSON.stringify({ format: CACHE_FORMAT, entries: this.fresh }));
      const live = new Set(Object.keys(this.fresh));
      for (const file of readdirSync(this.directory)) {
        const match = new RegExp(`^${this.name}\\.model\\.([0-9a-f]+)\\.json$`).exec(file);
        if (match && !live.has(match[1]!)) unlinkSync(join(this.directory, file));
      }
    } catch {
      // A cache that cannot be written only costs speed.
    }
  }
}

function atomicWrite(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}
