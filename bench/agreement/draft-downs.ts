// --draft-downs: every down of a history replaced by the one verify/draft-down.ts drafts from its up, then judged
// (pg_dump before the up and after the drafted down on PostgreSQL 15) and, with --executed, run through the executed
// proof (down-fails + down-restores-schema). Counted over the ups that change schema (a data-only up drafts an empty down).
import { fileContent } from '../../core/migrations/file-content.js';
import type { Migration } from '../../core/migrations/layout.js';
import { sourceFile } from '../../core/migrations/migration.js';
import { draftDowns, type DraftedDown } from '../../verify/draft-down.js';
import { loadHistory } from './history.js';
import { judgeHistory, type Verdict } from './judge.js';
import { startJudgeServer, type JudgeServer } from './pg15.js';
import { readBaseline } from '../../core/migrations/baseline.js';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { defaultSetupFile } from './run.js';
import { executedClaims, ExecutedProofUnusable } from './executed-claims.js';

export interface DraftRow {
  readonly name: string;
  readonly changesSchema: boolean;
  /** Judge's verdict on the up and the drafted down. */
  readonly verdict: Verdict;
  readonly error?: string;
  readonly difference?: string;
  readonly irreversible: readonly string[];
  /** The executed proof's verdict (--executed): 'pass', 'fail' (down-fails or down-restores-schema), or 'not judged'. */
  readonly executed?: 'pass' | 'fail' | 'not judged';
  readonly executedMessage?: string;
}

export interface DraftResult {
  readonly label: string;
  readonly total: number;
  readonly rows: readonly DraftRow[];
  readonly ms: number;
  readonly executedUnusable?: string;
}

/** The migrations with their downs replaced by the drafts (an irreversible line marks the migration irreversible). */
export function withDraftedDowns(migrations: readonly Migration[], drafts: readonly DraftedDown[]): Migration[] {
  return migrations.map((migration, i) => {
    const draft = drafts[i]!;
    const path = `${migration.up.path.replace(/(\.up)?\.sql$/, '')}.drafted-down.sql`;
    const down = sourceFile(path, fileContent(Buffer.from(draft.text, 'utf8')));
    const { irreversible: _old, ...rest } = migration;
    return { ...rest, down, ...(draft.irreversible.length ? { irreversible: draft.irreversible[0]! } : {}) };
  });
}

export async function runDraftDowns(directory: string, options: { server: JudgeServer; database: string; limit?: number; setupFile?: string; executed?: boolean; onMigration?: (i: number, total: number) => void }): Promise<DraftResult> {
  const started = performance.now();
  const history = await loadHistory(directory, options.limit);
  const drafts = draftDowns(history.migrations);
  const migrations = withDraftedDowns(history.migrations, drafts);
  const setupFile = options.setupFile ?? defaultSetupFile(directory);
  const judged = await judgeHistory(migrations, {
    server: options.server,
    database: options.database,
    ...(setupFile ? { setup: readFileSync(setupFile, 'utf8') } : {}),
    onMigration: (_j, i) => options.onMigration?.(i, migrations.length),
  });
  let executed: Map<string, { verdict: 'pass' | 'fail' | 'not judged'; message?: string }> | undefined;
  let executedUnusable: string | undefined;
  if (options.executed) {
    // As run.ts measures it: on a PostgreSQL of the judge's version, the setup as its baseline.
    const server = process.env.VERIFY_DATABASE_URL ? undefined : await startJudgeServer();
    try {
      const baseline = setupFile ? await readBaseline(setupFile) : undefined;
      const { claims, upFailed } = await executedClaims(migrations, process.env.VERIFY_DATABASE_URL ?? server?.url('postgres'), baseline);
      executed = new Map(migrations.map((m) => [m.name, upFailed.has(m.name) || m.irreversible !== undefined ? { verdict: 'not judged' as const } : claims.has(m.name) ? { verdict: 'fail' as const, message: claims.get(m.name)![0]!.message } : { verdict: 'pass' as const }]));
    } catch (error) {
      if (!(error instanceof ExecutedProofUnusable)) throw error;
      executedUnusable = error.message;
    } finally {
      server?.stop();
    }
  }
  const rows = judged.map((j, i): DraftRow => ({
    name: j.name,
    changesSchema: drafts[i]!.changesSchema,
    verdict: j.verdict,
    ...(j.error ? { error: j.error } : {}),
    ...(j.difference ? { difference: JSON.stringify(j.difference).slice(0, 300) } : {}),
    irreversible: drafts[i]!.irreversible,
    ...(executed?.get(j.name) ? { executed: executed.get(j.name)!.verdict, ...(executed.get(j.name)!.message ? { executedMessage: executed.get(j.name)!.message } : {}) } : {}),
  }));
  return { label: basename(resolve(directory)), total: history.total, rows, ms: performance.now() - started, ...(executedUnusable ? { executedUnusable } : {}) };
}

/** Counts over the ups that change schema and whose up the judge could apply. */
export function draftTally(result: DraftResult): { schemaUps: number; restored: number; notRestored: number; downFailed: number; irreversible: number; upFailed: number; executedPass?: number; executedJudged?: number } {
  const schema = result.rows.filter((r) => r.changesSchema);
  const judged = schema.filter((r) => r.verdict !== 'up-failed');
  const executedRows = judged.filter((r) => r.executed !== undefined && r.executed !== 'not judged');
  return {
    schemaUps: judged.length,
    restored: judged.filter((r) => r.verdict === 'restored').length,
    notRestored: judged.filter((r) => r.verdict === 'not-restored').length,
    downFailed: judged.filter((r) => r.verdict === 'down-failed').length,
    irreversible: judged.filter((r) => r.verdict === 'irreversible').length,
    upFailed: schema.length - judged.length,
    ...(result.rows.some((r) => r.executed !== undefined) ? { executedPass: executedRows.filter((r) => r.executed === 'pass').length, executedJudged: executedRows.length } : {}),
  };
}

const percent = (n: number, d: number): string => (d === 0 ? '-' : `${((100 * n) / d).toFixed(1)} %`);

export const DRAFT_TABLE_HEADER = ['| history | migrations | ups that change schema | drafted down restores (judge) | not restored | down fails | irreversible line | executed proof passes |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];

export function draftTableRow(result: DraftResult): string {
  const t = draftTally(result);
  const executed = t.executedPass === undefined ? '-' : `${t.executedPass}/${t.executedJudged} (${percent(t.executedPass, t.executedJudged ?? 0)})`;
  return `| ${result.label} | ${result.total} | ${t.schemaUps} | ${t.restored} (${percent(t.restored, t.schemaUps)}) | ${t.notRestored} | ${t.downFailed} | ${t.irreversible} | ${executed} |`;
}

export function formatDraftResult(result: DraftResult, verbose: boolean): string {
  const lines: string[] = [];
  for (const row of result.rows) {
    if (!row.changesSchema || row.verdict === 'restored' || row.verdict === 'up-failed') {
      if (!verbose) continue;
    }
    const detail = row.verdict === 'irreversible' ? row.irreversible[0] : (row.error ?? row.difference ?? '');
    lines.push(`${row.name}: ${row.verdict}${row.executed ? ` (executed: ${row.executed}${row.executedMessage ? `: ${row.executedMessage}` : ''})` : ''}${detail ? `: ${detail}` : ''}`);
  }
  const t = draftTally(result);
  lines.push(`${result.label}: ${t.restored}/${t.schemaUps} drafted downs restore the schema (${percent(t.restored, t.schemaUps)}); ${t.notRestored} not restored, ${t.downFailed} fail, ${t.irreversible} irreversible; ${t.upFailed} ups failed (not judged); ${(result.ms / 1000).toFixed(1)} s`);
  if (t.executedPass !== undefined) lines.push(`${result.label}: executed proof: ${t.executedPass}/${t.executedJudged} pass`);
  if (result.executedUnusable) lines.push(`${result.label}: executed proof unusable: ${result.executedUnusable}`);
  return lines.join('\n');
}
