// Is the history the database recorded still the one in the folder? Applied migrations whose files changed, went
// missing or were renamed; pending migrations older than applied ones; INVALID indexes left by a failed
// CREATE INDEX CONCURRENTLY. Everything is found before anything runs, and each problem says what to do.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Sql } from '../core/postgres/database-url.js';
import { versionFor, type MigrationPair } from './migration-files.js';
import { pairChecksum, type PairChecksum, type RecordedChecksum } from './checksums.js';
import { MigrationError, ProblemListError, type MigrationErrorCode } from './errors.js';

export type IntegrityState = 'ok' | 'changed' | 'missing' | 'renamed' | 'untracked';

export interface AppliedIntegrity {
  readonly name: string;
  /** pgmigrations.run_on, 'YYYY-MM-DD HH:MM:SS'. */
  readonly runOn: string;
  readonly state: IntegrityState;
  /** For 'changed': which files differ from what was applied. */
  readonly changed: readonly ('up' | 'down')[];
  /** For 'renamed': the pending migration with the same content. */
  readonly renamedTo?: string;
  readonly current?: PairChecksum;
  readonly recorded?: RecordedChecksum;
}

export interface IntegrityProblem {
  readonly code: MigrationErrorCode;
  /** One line naming the file (or migration) and what to do. */
  readonly message: string;
}

/** History problems that stop a run: changed, missing or renamed files, order, INVALID indexes (one line each). */
export class IntegrityError extends ProblemListError<IntegrityProblem> {}

/** The state of every applied migration (in pgmigrations order). Pure. */
export function assessApplied(
  pairs: readonly MigrationPair[],
  applied: readonly { readonly name: string; readonly runOn: string }[],
  recorded: ReadonlyMap<string, RecordedChecksum>,
): AppliedIntegrity[] {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const appliedNames = new Set(applied.map((a) => a.name));
  const sums = new Map<string, PairChecksum>();
  const sumOf = (pair: MigrationPair): PairChecksum => {
    let sum = sums.get(pair.name);
    if (!sum) sums.set(pair.name, (sum = pairChecksum(pair)));
    return sum;
  };
  return applied.map(({ name, runOn }) => {
    const pair = byName.get(name);
    const record = recorded.get(name);
    if (!pair) {
      // Renamed: a pending migration with exactly the content recorded for the missing one.
      const twin = record ? pairs.find((p) => !appliedNames.has(p.name) && sameSums(sumOf(p), record)) : undefined;
      return twin
        ? { name, runOn, state: 'renamed', changed: [], renamedTo: twin.name, recorded: record }
        : { name, runOn, state: 'missing', changed: [], ...(record ? { recorded: record } : {}) };
    }
    const current = sumOf(pair);
    if (!record) return { name, runOn, state: 'untracked', changed: [], current };
    const changed = (['up', 'down'] as const).filter((side) => current[side] !== record[side]);
    return { name, runOn, state: changed.length ? 'changed' : 'ok', changed, current, recorded: record };
  });
}

function sameSums(a: PairChecksum, b: PairChecksum): boolean {
  return a.up === b.up && a.down === b.down;
}

/**
 * Everything that must stop `up`, `down` and `redo` before they run, in the order to fix it: renamed and missing
 * files, changed files, then pending migrations older than applied ones. Pure (`now` suggests new versions).
 */
export function historyProblems(
  pairs: readonly MigrationPair[],
  states: readonly AppliedIntegrity[],
  migrationsTable: string,
  now: Date = new Date(),
): IntegrityProblem[] {
  const problems: IntegrityProblem[] = [];
  const byName = new Map(pairs.map((p) => [p.name, p]));
  for (const s of states) {
    if (s.state === 'renamed' && s.renamedTo) {
      const twin = byName.get(s.renamedTo)!;
      problems.push({
        code: 'RENAMED_MIGRATION',
        message: `${s.name} was renamed to ${s.renamedTo} after it was applied on ${s.runOn} (same up and down text): rename ${twin.up.display} and ${twin.down.display} back to ${s.name}.up.sql and .down.sql; an applied migration keeps its name`,
      });
    } else if (s.state === 'missing') {
      problems.push({
        code: 'MISSING_FILES',
        message: `${s.name} is recorded in ${migrationsTable} but its files are missing (applied on ${s.runOn}); restore ${s.name}.up.sql and .down.sql from git (or roll back with the files that applied it)`,
      });
    }
  }
  for (const s of states) {
    if (s.state !== 'changed') continue;
    const pair = byName.get(s.name)!;
    for (const side of s.changed) {
      problems.push({
        code: 'CHECKSUM_MISMATCH',
        message: `${pair[side].display} changed since it was applied on ${s.runOn}: edit a new migration instead, or accept it with make accept-checksum NAME=${s.name}`,
      });
    }
  }
  const untracked = states.filter((s) => s.state === 'untracked');
  if (untracked.length > 0) {
    const names = untracked.map((s) => s.name);
    problems.push({
      code: 'CHECKSUMS_MISSING',
      message: `${untracked.length} applied migration${untracked.length === 1 ? ' has' : 's have'} no recorded checksum (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''}): pgmigrations_checksums is missing or lost their rows, so nothing can tell whether their files changed since they were applied. If the files are the ones that were applied, record them with node dist/scripts/migrate.js baseline (logged as a baseline); then re-run`,
    });
  }
  problems.push(...orderProblems(pairs, states, now));
  return problems;
}

/** Pending migrations that sort before the newest applied one, each with the exact new name to give it. */
export function orderProblems(pairs: readonly MigrationPair[], states: readonly AppliedIntegrity[], now: Date = new Date()): IntegrityProblem[] {
  const appliedNames = new Set(states.map((s) => s.name));
  const renameTargets = new Set(states.map((s) => s.renamedTo).filter((n): n is string => n !== undefined));
  const lastApplied = [...appliedNames].sort().pop();
  if (!lastApplied) return [];
  const lastVersion = lastApplied.slice(0, 14);
  const early = pairs.filter((p) => !appliedNames.has(p.name) && !renameTargets.has(p.name) && p.name < lastApplied);
  const newest = [...pairs.map((p) => p.version), ...[...appliedNames].map((n) => n.slice(0, 14))].sort().pop() ?? lastVersion;
  const versions = nextVersions(newest, now, early.length);
  return early.map((pair, i) => ({
    code: 'ORDER_MISMATCH' as const,
    message: `${pair.up.display} is pending but older than the applied ${lastApplied}; rename ${pair.name} to a version after ${lastVersion}, e.g. ${versions[i]}_${pair.slug} (its .up.sql and .down.sql, then make sum), or roll back past ${lastApplied}`,
  }));
}

/** `count` distinct versions, each after `newest` and not before `now`. */
export function nextVersions(newest: string, now: Date, count: number): string[] {
  const afterNewest = versionToDate(newest).getTime() + 1000;
  let at = Math.max(afterNewest, Math.floor(now.getTime() / 1000) * 1000);
  const out: string[] = [];
  for (let i = 0; i < count; i++, at += 1000) out.push(versionFor(new Date(at)));
  return out;
}

function versionToDate(version: string): Date {
  const [y, mo, d, h, mi, s] = [0, 4, 6, 8, 10, 12].map((at, i) => Number(version.slice(at, at + (i === 0 ? 4 : 2)))) as [number, number, number, number, number, number];
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s));
}

// ---------------------------------------------------------------------------------------------------------------
// Before merging: a migration new on this branch must sort after every migration of the branch it merges into, or
// every database that ran that branch refuses it (`check-order --base origin/main`). No database needed.

/** The migration names (`<version>_<slug>`) in `dir` at a git ref; MigrationError USAGE when git cannot tell. */
export function migrationsAtRef(dir: string, ref: string): string[] {
  const result = spawnSync('git', ['-C', resolve(dir), 'ls-tree', '--name-only', ref, '--', '.'], { encoding: 'utf8', timeout: 30_000 });
  if (result.error || result.status !== 0) {
    const reason = (result.stderr ?? '').trim().split('\n')[0] || (result.error?.message ?? `git exited with ${result.status}`);
    throw new MigrationError('USAGE', `cannot list ${dir} at ${ref}: ${reason} (fetch it first, e.g. git fetch origin, or pass --base <ref>)`);
  }
  const names = new Set<string>();
  for (const line of result.stdout.split('\n')) {
    const match = /^(\d{14}_[a-z0-9_]+)\.(up|down)\.sql$/.exec(line.trim());
    if (match) names.add(match[1]!);
  }
  return [...names].sort();
}

/** Migrations in the folder but not on the ref that sort before the ref's newest one, each with the exact new name. Pure. */
export function branchOrderProblems(pairs: readonly MigrationPair[], baseNames: readonly string[], ref: string, now: Date = new Date()): IntegrityProblem[] {
  const base = new Set(baseNames);
  const newestBase = [...baseNames].sort().pop();
  if (!newestBase) return [];
  const early = pairs.filter((p) => !base.has(p.name) && p.name < newestBase);
  const newest = [...pairs.map((p) => p.version), newestBase.slice(0, 14)].sort().pop()!;
  const versions = nextVersions(newest, now, early.length);
  return early.map((pair, i) => ({
    code: 'ORDER_MISMATCH' as const,
    message: `${pair.up.display} is new on this branch but older than ${newestBase}, the newest migration on ${ref}: every database that ran ${ref} would refuse it; rename ${pair.name} to a version after ${newestBase.slice(0, 14)}, e.g. ${versions[i]}_${pair.slug} (its .up.sql and .down.sql, then make sum)`,
  }));
}

// ---------------------------------------------------------------------------------------------------------------
// INVALID indexes: a CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) that failed or was killed leaves one behind.

export interface InvalidIndex {
  /** Schema-qualified and quoted as needed, e.g. public.idx_items_sku. */
  readonly index: string;
  readonly table: string;
  /** A partitioned index (DROP INDEX CONCURRENTLY does not apply to it). */
  readonly partitioned: boolean;
  /** A session is building it right now (pg_stat_progress_create_index), not a leftover. */
  readonly buildingPid?: number;
}

export async function findInvalidIndexes(sql: Sql): Promise<InvalidIndex[]> {
  const rows = await sql.unsafe<{ index: string; table: string; partitioned: boolean; building_pid: number | null }[]>(`
    SELECT format('%I.%I', n.nspname, c.relname) AS index,
           format('%I.%I', tn.nspname, t.relname) AS table,
           c.relkind = 'I' AS partitioned,
           (SELECT p.pid FROM pg_stat_progress_create_index p WHERE p.index_relid = c.oid LIMIT 1) AS building_pid
    FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace tn ON tn.oid = t.relnamespace
    WHERE NOT i.indisvalid
      AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'
    ORDER BY 1`);
  return rows.map((r) => ({ index: r.index, table: r.table, partitioned: r.partitioned, ...(r.building_pid !== null ? { buildingPid: Number(r.building_pid) } : {}) }));
}

export function invalidIndexProblem(index: InvalidIndex): IntegrityProblem {
  if (index.buildingPid !== undefined) {
    return {
      code: 'INVALID_INDEX',
      message: `index ${index.index} on ${index.table} is being built by another session (pid ${index.buildingPid}) and is not valid yet: wait for it to finish, then re-run`,
    };
  }
  if (index.partitioned) {
    return {
      code: 'INVALID_INDEX',
      message: `partitioned index ${index.index} on ${index.table} is INVALID (an index of a partition is missing or not attached): attach the partitions' indexes (ALTER INDEX ${index.index} ATTACH PARTITION ...) or DROP INDEX ${index.index}; then re-run`,
    };
  }
  return {
    code: 'INVALID_INDEX',
    message: `index ${index.index} on ${index.table} is INVALID: a CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) failed or was interrupted and left it; it slows every write to ${index.table} and no query uses it. Recover: DROP INDEX CONCURRENTLY ${index.index}; then re-run (the failed migration was not recorded, so it runs again)`,
  };
}
