// The independent judge: every migration applied on a real PostgreSQL 15 the way its layout's runner applies it, and
// the schema compared by pg_dump before the up and after the down. It shares nothing with the executed proof
// (verify/execute), which is one of the things it measures; it reads the migrations from the one migration model.
import type { Migration, SourceFile, TransactionMode } from '../../core/migrations/layout.js';
import { statementText } from '../../core/migrations/migration.js';
import { parseSql } from '../../core/migrations/parse.js';
import { connect, type Sql } from '../../core/postgres/database-url.js';
import type { JudgeServer } from './pg15.js';
import { compareDumps, parseDump, sameSchema, type DumpDifference, type SchemaDump } from './schema-dump.js';

/**
 * - restored: the down ran and the schema is the one before the up;
 * - not-restored: the down ran and the schema differs;
 * - down-failed: the down raised an error (counts as not restoring);
 * - no-down: the migration has no down at all (its runner cannot roll it back: counts as not restoring);
 * - up-failed: the up raised an error: not judged, the chain goes on without it;
 * - irreversible: marked `-- verify:irreversible`: its down is not run, not judged.
 */
export type Verdict = 'restored' | 'not-restored' | 'down-failed' | 'no-down' | 'up-failed' | 'irreversible';

export interface JudgedMigration {
  readonly name: string;
  readonly verdict: Verdict;
  /** The failing statement's error (up-failed, down-failed). */
  readonly error?: string;
  /** not-restored: what pg_dump shows. */
  readonly difference?: DumpDifference;
  /** The second up (to go on from "after the up") failed: the chain goes on from the state after the down. */
  readonly reapplyError?: string;
  /** A no-transaction side failed part-way: the statements before the failing one stay applied. */
  readonly partlyApplied?: boolean;
  readonly ms: number;
}

/** Judgements that say the down does not restore the schema. */
export function judgedPositive(verdict: Verdict): boolean {
  return verdict === 'not-restored' || verdict === 'down-failed' || verdict === 'no-down';
}

export function isJudged(verdict: Verdict): boolean {
  return verdict !== 'up-failed' && verdict !== 'irreversible';
}

export interface JudgeOptions {
  readonly server: JudgeServer;
  /** The scratch database's name (created, and dropped afterwards). */
  readonly database: string;
  /** SQL run once before the first migration (roles, schemas, extensions the history expects to exist). */
  readonly setup?: string;
  /** Called after the setup with the statements of it that failed (each is tried on its own; the run goes on). */
  readonly onSetup?: (failures: readonly string[]) => void;
  /** Called after each migration. */
  readonly onMigration?: (judged: JudgedMigration, index: number) => void;
}

interface SideResult {
  readonly ok: boolean;
  readonly error?: string;
  readonly partlyApplied?: boolean;
}

export async function judgeHistory(migrations: readonly Migration[], options: JudgeOptions): Promise<JudgedMigration[]> {
  const { server, database } = options;
  const admin = connect(server.url('postgres'), { prepare: false });
  await admin.unsafe(`DROP DATABASE IF EXISTS "${database}"`);
  await admin.unsafe(`CREATE DATABASE "${database}" TEMPLATE template0`);
  const sql = connect(server.url(database), {
    prepare: false,
    connection: { statement_timeout: 120_000, lock_timeout: 30_000 },
  });
  const results: JudgedMigration[] = [];
  try {
    if (options.setup) {
      const failures = await runSetup(sql, options.setup);
      options.onSetup?.(failures);
    }
    const dump = async (): Promise<SchemaDump> => parseDump(await server.dumpSchema(database));
    let before = await dump();
    for (const [index, migration] of migrations.entries()) {
      const started = performance.now();
      const result = await judgeOne(sql, migration, before, dump);
      before = result.next;
      const judged = { ...result.judged, ms: performance.now() - started };
      results.push(judged);
      options.onMigration?.(judged, index);
    }
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
    await admin.unsafe(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    await admin.end({ timeout: 1 }).catch(() => undefined);
  }
  return results;
}

async function judgeOne(
  sql: Sql,
  migration: Migration,
  before: SchemaDump,
  dump: () => Promise<SchemaDump>,
): Promise<{ judged: Omit<JudgedMigration, 'ms'>; next: SchemaDump }> {
  const name = migration.name;
  const up = await runSide(sql, migration.up, migration.transaction.up);
  if (!up.ok) {
    // An up that failed atomically left nothing; a no-transaction one left its first statements: dump again.
    return { judged: { name, verdict: 'up-failed', error: up.error, partlyApplied: up.partlyApplied }, next: up.partlyApplied ? await dump() : before };
  }
  if (migration.irreversible !== undefined) return { judged: { name, verdict: 'irreversible' }, next: await dump() };
  if (!migration.down) return { judged: { name, verdict: 'no-down' }, next: await dump() };
  const down = await runSide(sql, migration.down, migration.transaction.down);
  if (!down.ok) {
    // The chain goes on from "after the up" (what a failed atomic down leaves).
    return { judged: { name, verdict: 'down-failed', error: down.error, partlyApplied: down.partlyApplied }, next: await dump() };
  }
  const difference = compareDumps(before, await dump());
  const again = await runSide(sql, migration.up, migration.transaction.up);
  const judged = sameSchema(difference) ? { name, verdict: 'restored' as const } : { name, verdict: 'not-restored' as const, difference };
  return { judged: again.ok ? judged : { ...judged, reapplyError: again.error }, next: await dump() };
}

/**
 * The setup, statement by statement: it stands in for what a project's deployment makes outside its migrations, and
 * a statement that fails there (an extension this server lacks, a role that exists) should not stop the judge.
 */
async function runSetup(sql: Sql, setup: string): Promise<string[]> {
  const parsed = parseSql(setup);
  const texts = parsed.error ? [setup] : parsed.statements.map((s) => Buffer.from(setup, 'utf8').subarray(s.start, s.end).toString('utf8'));
  const failures: string[] = [];
  for (const text of texts) {
    try {
      await sql.unsafe(text).simple();
    } catch (error) {
      failures.push(`${text.trim().split('\n')[0]}: ${errorLine(error)}`);
    } finally {
      await sql.unsafe('ROLLBACK').simple().catch(() => undefined);
    }
  }
  return failures;
}

/** Run one file as the layout's runner does (see TransactionMode). */
async function runSide(sql: Sql, file: SourceFile, mode: TransactionMode): Promise<SideResult> {
  // A file the parser cannot split is sent whole, as golang-migrate would: the server is the judge of its SQL.
  const texts = file.parsed.error ? [file.text] : file.parsed.statements.map((statement) => statementText(file, statement));
  let ran = 0;
  try {
    if (texts.length === 0) return { ok: true };
    if (mode === 'per-migration') {
      await sql.begin(async (tx) => {
        for (const text of texts) await tx.unsafe(text).simple();
      });
    } else if (mode === 'implicit-per-file') {
      await sql.unsafe(texts.join('\n;\n')).simple();
    } else {
      for (const text of texts) {
        await sql.unsafe(text).simple();
        ran++;
      }
    }
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorLine(error), partlyApplied: mode === 'none' && ran > 0 };
  } finally {
    // Whatever a file set for its session (search_path, a role, an open transaction) does not reach the next one.
    await sql.unsafe('ROLLBACK').simple().catch(() => undefined);
    await sql.unsafe('DISCARD ALL').simple().catch(() => undefined);
  }
}

function errorLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!;
}
