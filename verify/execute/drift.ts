// detectDrift(): the target's schema against what its recorded migrations make in a scratch database.
import { connect, connectionErrorMessage, describeTarget, scrubSecrets } from '../../core/postgres/database-url.js';
import { ensureEmbeddedServer } from '../../core/postgres/embedded-server.js';
import type { Migration } from '../../core/migrations/layout.js';
import { applyFile } from './apply.js';
import { prepareFile, statementNaming } from './prepared-file.js';
import { reconcilingDdl } from './reconcile.js';
import { withScratchDatabase } from './session.js';
import { takeSnapshot, type Snapshot } from './snapshot.js';
import { describeDifference, diffSnapshots, DRIFT_WORDING } from './snapshot-diff.js';
import { driftViolation, failureViolation } from './violations.js';
import type { DriftOptions, DriftReport, Violation } from './types.js';

export class DriftTargetError extends Error {
  readonly code = 'DRIFT_TARGET';
}

interface TargetState {
  /** Names in pgmigrations, or undefined when it has no such table. */
  readonly recorded?: readonly string[];
  readonly snapshot: Snapshot;
}

/** Read-only on the target: one READ ONLY transaction, short lock and statement timeouts. */
async function readTarget(url: string): Promise<TargetState> {
  const session = connect(url, { max: 1, fetch_types: false, idle_timeout: 0 });
  try {
    // Explicit BEGIN on the one connection rather than sql.begin (see session.ts); nothing is committed.
    await session.unsafe('BEGIN TRANSACTION READ ONLY');
    await session`SET LOCAL lock_timeout = '5s'`;
    await session`SET LOCAL statement_timeout = '120s'`;
    await session`SET LOCAL enable_nestloop = off`;
    const [version] = await session<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
    const [table] = await session<{ schema: string }[]>`
      SELECT n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relname = 'pgmigrations' AND c.relkind IN ('r', 'p') ORDER BY n.nspname <> 'public', n.nspname LIMIT 1`;
    const recorded = table ? (await session<{ name: string }[]>`SELECT name FROM ${session(table.schema)}.pgmigrations ORDER BY id`).map((r) => normalizeName(r.name)) : undefined;
    const snapshot = await takeSnapshot(session, version?.version ?? 0, { acrossServers: true });
    await session.unsafe('ROLLBACK');
    return recorded ? { recorded, snapshot } : { snapshot };
  } catch (error) {
    const code = String((error as { code?: unknown }).code ?? '');
    if (/^(E[A-Z]+|CONNECT_TIMEOUT|ERR_INVALID_URL|28P01|28000|3D000)$/.test(code)) throw new DriftTargetError(connectionErrorMessage(error, url));
    const reason = scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0];
    throw new DriftTargetError(`cannot read the schema of ${describeTarget(url)}: ${reason}`);
  } finally {
    await session.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** node-pg-migrate records `<version>_<slug>`; older loaders kept `.up` or `.sql`. */
function normalizeName(name: string): string {
  return name.replace(/\.sql$/, '').replace(/\.(up|down)$/, '');
}

/** The migrations are the migration model's, as the static verifier builds them. */
export async function detectDrift(migrations: readonly Migration[], options: DriftOptions): Promise<DriftReport> {
  const targetName = describeTarget(options.targetUrl);
  const target = await readTarget(options.targetUrl);
  const recorded = new Set(target.recorded ?? []);
  const lines: string[] = [];
  if (!target.recorded) lines.push('the target has no pgmigrations table, so no migration counts as applied there');
  const known = new Set(migrations.map((m) => m.name));
  for (const name of recorded) if (!known.has(name)) lines.push(`migration ${name} is recorded in the target but has no file`);

  const serverUrl = options.scratchServerUrl ?? ensureEmbeddedServer().url;
  const expected = await withScratchDatabase(serverUrl, options.signal, async (scratch): Promise<Snapshot | Violation> => {
    for (const migration of migrations) {
      if (!recorded.has(migration.name)) continue;
      const up = prepareFile(migration.up);
      const applied = await applyFile(scratch.sql, up, { mode: migration.transaction.up, recordLocks: false });
      if (applied.failure) return failureViolation('up-fails', up, applied.failure);
    }
    return takeSnapshot(scratch.sql, scratch.serverVersion, { acrossServers: true });
  });
  if (!(expected instanceof Map)) return { violations: [expected as Violation], differences: lines, reconcile: [] };
  const notes = lines.map((line) => driftViolation(targetName, line));
  const differences = diffSnapshots(expected, target.snapshot);
  // Where to look: the newest applied migration whose up names the object.
  const applied = migrations.filter((m) => recorded.has(m.name)).map((m) => prepareFile(m.up)).reverse();
  const located = differences.map((d) => {
    for (const file of applied) {
      const statement = statementNaming(file, d.names);
      if (statement) return { file, statement };
    }
    return undefined;
  });
  const described = differences.map((d) => describeDifference(d, DRIFT_WORDING));
  return {
    violations: [...notes, ...described.map((line, i) => driftViolation(targetName, line, located[i]))],
    differences: [...lines, ...described],
    reconcile: differences.map((d) => reconcilingDdl(d, expected, target.snapshot)),
  };
}
