// A history as both sides see it: the one migration model (core/migrations) reads the folder, whatever its layout.
import { readMigrationFolder } from '../../core/migrations/folder.js';
import type { Layout, Migration, SetProblem } from '../../core/migrations/layout.js';
import { loadParser, toMigration } from '../../core/migrations/migration.js';

export interface History {
  readonly directory: string;
  /** The migrations in order (cut to `limit` when given). */
  readonly migrations: readonly Migration[];
  /** How many the folder holds before any cut. */
  readonly total: number;
  /** The layouts seen, e.g. `diesel`. */
  readonly layouts: readonly Layout[];
  readonly problems: readonly SetProblem[];
}

export async function loadHistory(directory: string, limit?: number): Promise<History> {
  await loadParser();
  const folder = readMigrationFolder(directory);
  const all: Migration[] = [];
  for (const pair of folder.pairs) {
    const migration = toMigration(folder, pair);
    if (migration) all.push(migration);
  }
  const migrations = limit === undefined ? all : all.slice(0, limit);
  return { directory, migrations, total: all.length, layouts: [...new Set(all.map((m) => m.layout))], problems: folder.problems };
}
