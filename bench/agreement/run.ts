// One history through both sides: the static claims of down-reverses-up, and the judge on PostgreSQL 15.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadHistory } from './history.js';
import { judgeHistory, type JudgedMigration } from './judge.js';
import { startJudgeServer, type JudgeServer } from './pg15.js';
import { readBaseline } from '../../core/migrations/baseline.js';
import type { HistoryResult } from './report.js';
import { staticClaims } from './static-claims.js';
import { executedClaims, ExecutedProofUnusable } from './executed-claims.js';
import type { Migration } from '../../core/migrations/layout.js';
import { agree, tally } from './tally.js';

export interface RunOptions {
  readonly server: JudgeServer;
  /** Judge only the first N migrations (the static check still reads the whole folder). */
  readonly limit?: number;
  /** SQL run before the first migration; by default `<folder>.setup.sql` beside the folder, when it exists. */
  readonly setupFile?: string;
  readonly database?: string;
  /** Also run the executed proof (verify/execute) and measure its claims against the judge. */
  readonly executed?: boolean;
  readonly onMigration?: (judged: JudgedMigration, index: number, total: number) => void;
}

export function defaultSetupFile(directory: string): string | undefined {
  const candidate = `${resolve(directory)}.setup.sql`;
  return existsSync(candidate) ? candidate : undefined;
}

export async function runHistory(directory: string, options: RunOptions): Promise<HistoryResult> {
  const history = await loadHistory(directory, options.limit);
  const staticStarted = performance.now();
  const setupFile = options.setupFile ?? defaultSetupFile(directory);
  const claims = await staticClaims(directory, setupFile);
  const staticMs = performance.now() - staticStarted;
  const judgeStarted = performance.now();
  let setupFailures: readonly string[] = [];
  const judged = await judgeHistory(history.migrations, {
    server: options.server,
    database: options.database ?? 'agreement',
    ...(setupFile ? { setup: readFileSync(setupFile, 'utf8') } : {}),
    onSetup: (failures) => {
      setupFailures = failures;
    },
    onMigration: (j, i) => options.onMigration?.(j, i, history.migrations.length),
  });
  const judgeMs = performance.now() - judgeStarted;
  const rows = agree(judged, claims);
  const executed = options.executed ? await measureExecuted(history.migrations, judged, setupFile) : undefined;
  return {
    label: basename(resolve(directory)),
    directory,
    layouts: history.layouts,
    total: history.total,
    run: history.migrations.length,
    rows,
    tally: tally(rows),
    staticMs,
    judgeMs,
    ...(setupFile ? { setupFile, setupFailures } : {}),
    ...(executed ? { executed } : {}),
  };
}

/**
 * The executed proof on a PostgreSQL of the judge's version (a server of its own: roles are the cluster's, and the
 * judge's run leaves its own), with the setup as its baseline, as a project would declare it in verify-migrations.json.
 */
async function measureExecuted(migrations: readonly Migration[], judged: readonly JudgedMigration[], setupFile: string | undefined): Promise<NonNullable<HistoryResult['executed']>> {
  const started = performance.now();
  const server = process.env.VERIFY_DATABASE_URL ? undefined : await startJudgeServer();
  try {
    const baseline = setupFile ? await readBaseline(setupFile) : undefined;
    const { claims, upFailed } = await executedClaims(migrations, process.env.VERIFY_DATABASE_URL ?? server?.url('postgres'), baseline);
    // Where the executed proof's own up failed it judged nothing.
    const rows = agree(judged, claims).map((row) => (upFailed.has(row.name) && row.outcome !== 'not judged' ? { ...row, outcome: 'not judged' as const } : row));
    return { rows, tally: tally(rows), ms: performance.now() - started };
  } catch (error) {
    if (error instanceof ExecutedProofUnusable) return { unusable: error.message };
    throw error;
  } finally {
    server?.stop();
  }
}
