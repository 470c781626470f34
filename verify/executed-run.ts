// --execute and --drift for the CLI: which folders, which server, and the merged result. Returns data; prints nothing.
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ExecuteReport, DriftReport } from './execute/index.js';
import { UsageError } from './engine.js';

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

export interface ExecutedResult {
  readonly reports: readonly ExecuteReport[];
}

/** Apply each folder's history to a scratch database (VERIFY_DATABASE_URL's server, else the embedded one). */
export async function runExecuted(paths: readonly string[], onProgress?: (k: number, n: number, name: string) => void): Promise<ExecutedResult> {
  const { executeMigrations, readMigrationFolder } = await import('./execute/index.js');
  const url = process.env.VERIFY_DATABASE_URL?.trim() || undefined;
  const reports: ExecuteReport[] = [];
  for (const folder of foldersOf(paths)) reports.push(await executeMigrations(readMigrationFolder(folder), { url, onProgress }));
  return { reports };
}

/** Compare DATABASE_URL's schema with what its applied migrations make on a scratch database. */
export async function runDrift(paths: readonly string[]): Promise<DriftReport> {
  const target = process.env.DATABASE_URL?.trim();
  if (!target) throw new UsageError('--drift compares the database in DATABASE_URL with the migrations: set DATABASE_URL.');
  const { detectDrift, readMigrationFolder } = await import('./execute/index.js');
  const folders = foldersOf(paths);
  if (folders.length !== 1) throw new UsageError('--drift takes one migration folder.');
  return detectDrift(readMigrationFolder(folders[0]!), { targetUrl: target, scratchServerUrl: process.env.VERIFY_DATABASE_URL?.trim() || undefined });
}
