// --execute and --drift for the CLI: which folders, which server, and the merged result. Returns data; prints nothing.
// The migrations come from the one migration model (core/migrations: folder.ts reads, migration.ts builds), as the
// static verifier and the runner read them: every layout, the same names, order, transaction modes and paths.
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readMigrationFolder } from '../core/migrations/folder.js';
import type { Migration } from '../core/migrations/layout.js';
import { loadParser, toMigration } from '../core/migrations/migration.js';
import type { ExecuteReport, DriftReport } from './execute/index.js';
import { UsageError } from './engine.js';
import { readBaseline } from '../core/migrations/baseline.js';
import { displayPath } from '../core/display-path.js';

/** The migration folders behind the paths the user gave (a file stands for its folder). */
export function foldersOf(paths: readonly string[]): string[] {
  const folders = new Set<string>();
  for (const path of paths.length ? paths : ['sql']) {
    try {
      folders.add(statSync(path).isDirectory() ? path.replace(/\/+$/, '') || '.' : dirname(path));
    } catch {
      throw new UsageError(`Cannot read ${path}: no such file or directory.`);
    }
  }
  return [...folders];
}

/**
 * A folder's migrations, read, paired and parsed by the migration model, with the paths the static verifier shows
 * (the folder as given, joined with the file's path inside it). Naming and pairing problems are the static rules' to report.
 */
export async function migrationsOf(folder: string): Promise<readonly Migration[]> {
  const read = readMigrationFolder(folder);
  await loadParser();
  const display = (path: string): string => (folder === '.' ? path : join(folder, path));
  return read.pairs.flatMap((pair) => toMigration(read, pair, display) ?? []);
}

/** A folder's migrations, or a usage error (exit 2) when there is nothing to execute: never "Executed 0 migrations". */
async function executableMigrationsOf(folder: string, flag: string): Promise<readonly Migration[]> {
  const migrations = await migrationsOf(folder);
  if (migrations.length === 0) {
    throw new UsageError(
      `${flag} found no migration to run in ${folder}: expected <version>_<slug>.up.sql/.down.sql pairs, diesel's <version>_<name>/up.sql folders, or dbmate/node-pg-migrate single files.`,
    );
  }
  return migrations;
}

export interface ExecutedResult {
  readonly reports: readonly ExecuteReport[];
  /** The layout of each folder's migrations, in the order of `reports`. */
  readonly layouts: readonly string[];
}

/**
 * Apply each folder's history to a scratch database (VERIFY_DATABASE_URL's server, else the embedded one), after the
 * folder's baseline when verify-migrations.json names one (absolute folder → absolute file).
 */
export async function runExecuted(paths: readonly string[], onProgress?: (k: number, n: number, name: string) => void, baselines: Readonly<Record<string, string>> = {}): Promise<ExecutedResult> {
  const { executeMigrations } = await import('./execute/index.js');
  const url = process.env.VERIFY_DATABASE_URL?.trim() || undefined;
  const reports: ExecuteReport[] = [];
  const layouts: string[] = [];
  for (const folder of foldersOf(paths)) {
    const migrations = await executableMigrationsOf(folder, '--execute');
    const baselinePath = baselines[resolve(folder)];
    const baseline = baselinePath ? await readBaseline(baselinePath, displayPath(baselinePath)).catch((error: Error) => Promise.reject(new UsageError(error.message))) : undefined;
    layouts.push(migrations[0]!.layout);
    reports.push(await executeMigrations(migrations, { url, onProgress, ...(baseline ? { baseline } : {}) }));
  }
  return { reports, layouts };
}

/**
 * Compare a database's schema with what its applied migrations make on a scratch database: DATABASE_URL's, else the
 * embedded development server's (where make migrate applies them).
 */
export async function runDrift(paths: readonly string[]): Promise<DriftReport> {
  const { detectDrift } = await import('./execute/index.js');
  const target = process.env.DATABASE_URL?.trim() || (await import('../core/postgres/embedded-server.js')).ensureEmbeddedServer().url;
  const folders = foldersOf(paths);
  if (folders.length !== 1) throw new UsageError('--drift takes one migration folder.');
  const migrations = await executableMigrationsOf(folders[0]!, '--drift');
  return detectDrift(migrations, { targetUrl: target, scratchServerUrl: process.env.VERIFY_DATABASE_URL?.trim() || undefined });
}
