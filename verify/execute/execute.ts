// executeMigrations(): every migration applied, rolled back and re-applied in a scratch database, the whole history in one run.
import type { Migration } from '../../core/migrations/layout.js';
import { ensureEmbeddedServer } from '../../core/postgres/embedded-server.js';
import { connect } from '../../core/postgres/database-url.js';
import { checkMigration } from './check-migration.js';
import { applyBaseline } from './baseline.js';
import { abortError } from './interrupt.js';
import { OutsideWatch } from './outside.js';
import { prepareFile } from './prepared-file.js';
import { ChainRebuilder } from './rebuild.js';
import { withScratchDatabase } from './session.js';
import { SnapshotReader, type Snapshot } from './snapshot.js';
import { failureViolation } from './violations.js';
import type { ExecuteOptions, ExecuteReport, MigrationRun, OutsideObject, Violation } from './types.js';

/**
 * Run the migrations in order in a fresh scratch database on the server (VERIFY_DATABASE_URL or the embedded one).
 * A failure or a down that does not restore the schema is reported, the scratch state is rebuilt to "after this up"
 * and the run goes on; an up that fails is skipped and the chain goes on without it. The migrations are the
 * migration model's (parsed: call loadParser() before building them). The scratch databases are dropped on success,
 * failure, abort and SIGINT/SIGTERM. Throws ScratchDatabaseError when a database cannot be created.
 */
export async function executeMigrations(migrations: readonly Migration[], options: ExecuteOptions = {}): Promise<ExecuteReport> {
  const started = performance.now();
  const serverUrl = options.url ?? ensureEmbeddedServer().url;
  const outsideWatch = new OutsideWatch();
  let outside: OutsideObject[] = [];
  const report = await withScratchDatabase(
    serverUrl,
    options.signal,
    async (scratch) => {
      const runs: MigrationRun[] = [];
      const violations: Violation[] = [];
      const notRun: string[] = [];
      const chain: Migration[] = [];
      const baseline = options.baseline;
      const rebuilder = new ChainRebuilder(scratch, options.rebuild, async (kept) => {
        await outsideWatch.dropCreatedExcept(scratch.server.admin, new Set(kept.map((m) => m.name)));
        if (baseline && kept.length === 0) await applyBaseline(scratch.sql, baseline);
      });
      let snapshots = new SnapshotReader(scratch.sql, scratch.serverVersion);
      let current: Snapshot | undefined;
      // What the baseline makes outside the database (roles) is the server's before the run, not a migration's.
      if (baseline) violations.push(...(await applyBaseline(scratch.sql, baseline)));
      await outsideWatch.start(scratch.sql);
      for (const [index, migration] of migrations.entries()) {
        if (options.signal?.aborted) throw abortError(options.signal);
        options.onProgress?.(index + 1, migrations.length, migration.name);
        const outcome = await checkMigration(scratch.sql, snapshots, migration, current, (database) =>
          connect(scratch.server.urlOf(database), { max: 1, fetch_types: false, idle_timeout: 0, connection: { application_name: scratch.server.runName } }),
        );
        runs.push(outcome.run);
        for (const violation of outcome.violations) violations.push(violation);
        if (outcome.applied) chain.push(migration);
        await outsideWatch.after(scratch.sql, migration.name);
        current = outcome.expected;
        if (outcome.inExpectedState) continue;
        const failed = await rebuilder.rebuild(chain);
        snapshots = new SnapshotReader(scratch.sql, scratch.serverVersion);
        current = undefined;
        if (failed) {
          // An up that ran before no longer runs on a fresh chain: nothing after it can be checked.
          violations.push(failureViolation('up-fails', prepareFile(failed.migration.up), failed.failure));
          notRun.push(...migrations.slice(index + 1).map((m) => m.name));
          break;
        }
      }
      const failedNames = runs.filter((r) => r.verdict === 'failed').map((r) => r.name);
      return { database: scratch.name, migrations: runs, failed: failedNames, notRun, violations, rebuilds: rebuilder.figures, staleDropped: scratch.server.staleDropped };
    },
    async (admin) => {
      outside = await outsideWatch.cleanUp(admin);
    },
  );
  return { ...report, totalMs: Math.round(performance.now() - started), outside };
}
