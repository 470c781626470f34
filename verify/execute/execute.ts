// executeMigrations(): every migration applied, rolled back and re-applied in a scratch database.
import { ensureEmbeddedServer } from '../../core/postgres/embedded-server.js';
import { loadParser } from '../../core/migrations/parse.js';
import { checkMigration } from './check-migration.js';
import { abortError } from './interrupt.js';
import { withScratchDatabase } from './session.js';
import { SnapshotReader, type Snapshot } from './snapshot.js';
import type { ExecutableMigration, ExecuteOptions, ExecuteReport, MigrationRun, Violation } from './types.js';

/**
 * Run the migrations in order in a fresh scratch database on the server (VERIFY_DATABASE_URL or the embedded one),
 * stopping at the first that fails. The scratch database is dropped on success, failure, abort and SIGINT/SIGTERM.
 * Throws ScratchDatabaseError when the database cannot be created.
 */
export async function executeMigrations(migrations: readonly ExecutableMigration[], options: ExecuteOptions = {}): Promise<ExecuteReport> {
  const started = performance.now();
  await loadParser();
  const serverUrl = options.url ?? ensureEmbeddedServer().url;
  return withScratchDatabase(serverUrl, options.signal, async (database, sql) => {
    const runs: MigrationRun[] = [];
    const violations: Violation[] = [];
    const snapshots = new SnapshotReader(sql, database.serverVersion);
    let current: Snapshot | undefined;
    for (const [index, migration] of migrations.entries()) {
      if (options.signal?.aborted) throw abortError(options.signal);
      options.onProgress?.(index + 1, migrations.length, migration.name);
      const outcome = await checkMigration(sql, snapshots, migration, current);
      runs.push(outcome.run);
      for (const violation of outcome.violations) violations.push(violation);
      if (outcome.stop) break;
      current = outcome.after;
    }
    return { database: database.name, migrations: runs, totalMs: Math.round(performance.now() - started), violations };
  });
}
