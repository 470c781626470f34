// One history through both sides: the static claims of down-reverses-up, and the judge on PostgreSQL 15.
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { loadHistory } from './history.js';
import { judgeHistory, type JudgedMigration } from './judge.js';
import type { JudgeServer } from './pg15.js';
import type { HistoryResult } from './report.js';
import { staticClaims } from './static-claims.js';
import { agree, tally } from './tally.js';

export interface RunOptions {
  readonly server: JudgeServer;
  /** Judge only the first N migrations (the static check still reads the whole folder). */
  readonly limit?: number;
  /** SQL run before the first migration; by default `<folder>.setup.sql` beside the folder, when it exists. */
  readonly setupFile?: string;
  readonly database?: string;
  readonly onMigration?: (judged: JudgedMigration, index: number, total: number) => void;
}

export function defaultSetupFile(directory: string): string | undefined {
  const candidate = `${resolve(directory)}.setup.sql`;
  return existsSync(candidate) ? candidate : undefined;
}

export async function runHistory(directory: string, options: RunOptions): Promise<HistoryResult> {
  const history = await loadHistory(directory, options.limit);
  const staticStarted = performance.now();
  const claims = await staticClaims(directory);
  const staticMs = performance.now() - staticStarted;
  const setupFile = options.setupFile ?? defaultSetupFile(directory);
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
  };
}
