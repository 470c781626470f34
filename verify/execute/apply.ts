// Apply one migration file statement by statement, the way the runner would, recording time and locks.
import type { Sql } from '../../core/postgres/database-url.js';
import { LockTracker, readRelationNames } from './locks.js';
import { positionInFile, statementSummary, type FileStatement, type PreparedFile } from './prepared-file.js';
import type { StatementLocks } from './types.js';
import type { TransactionMode } from '../../core/migrations/layout.js';

export interface StatementFailure {
  /** Postgres's message, plus its detail when it has one. */
  readonly message: string;
  /** The file did not parse, so nothing was sent. */
  readonly parse?: boolean;
  /** Byte span in the file that the failure points at. */
  readonly start: number;
  readonly end: number;
}

export interface AppliedFile {
  /** Time spent in the statements themselves (not in the lock reads). */
  readonly ms: number;
  readonly locks: readonly StatementLocks[];
  readonly failure?: StatementFailure;
}

export interface ApplyOptions {
  /** How the layout's runner runs this file (see TransactionMode). */
  readonly mode: TransactionMode;
  readonly recordLocks: boolean;
}

/** A failure of the SQL itself (as opposed to the connection), tagged with the statement that raised it. */
class SqlFailure extends Error {
  constructor(
    readonly statement: FileStatement | undefined,
    readonly error: unknown,
  ) {
    super('statement failed');
  }
}

/** SQLSTATE classes that mean the connection or server went away: not the migration's fault. */
export function isInfrastructureError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return ['08', '53', '57', '58'].includes(code.slice(0, 2));
}

export async function applyFile(sql: Sql, file: PreparedFile, options: ApplyOptions): Promise<AppliedFile> {
  if (file.parseError) {
    const { offset, message } = file.parseError;
    return { ms: 0, locks: [], failure: { message, parse: true, start: offset, end: offset } };
  }
  const locks: StatementLocks[] = [];
  let ms = 0;
  // 'implicit-per-file': the runner sends the file as one query, which PostgreSQL runs as one implicit transaction
  // block when it holds several statements (emulated with BEGIN/COMMIT), and outside any when it holds one.
  const transaction = options.mode === 'per-migration' || (options.mode === 'implicit-per-file' && file.statements.length > 1);
  const runAll = async (session: Sql): Promise<void> => {
    const drops = file.statements.some((s) => /\bdrop\b/i.test(s.text));
    const tracker = options.recordLocks ? new LockTracker(drops ? await readRelationNames(session) : undefined) : undefined;
    for (const statement of file.statements) {
      const started = performance.now();
      try {
        await session.unsafe(statement.text);
      } catch (error) {
        throw isInfrastructureError(error) ? error : new SqlFailure(statement, error);
      } finally {
        ms += performance.now() - started;
      }
      if (tracker) {
        if (!transaction) tracker.reset();
        const position = file.lines.position(statement.start);
        locks.push({ file: file.path, line: position.line, statement: statementSummary(statement), locks: await tracker.newLocks(session) });
      }
    }
  };
  // Explicit BEGIN/COMMIT on the single connection (not sql.begin): after a SQL error we roll back ourselves,
  // and after a lost connection we send nothing more.
  try {
    if (transaction) await sql.unsafe('BEGIN');
    await runAll(sql);
    if (transaction) await sql.unsafe('COMMIT');
  } catch (error) {
    if (error instanceof SqlFailure) {
      // Ours, or one the file opened itself (a Sqitch script's BEGIN): outside any, ROLLBACK is only a warning.
      await sql.unsafe('ROLLBACK');
      return { ms, locks, failure: failureOf(file, error.statement, error.error) };
    }
    // A failure at COMMIT (a deferred constraint) has already rolled back: point at the last statement.
    if (!isInfrastructureError(error)) return { ms, locks, failure: failureOf(file, file.statements.at(-1), error) };
    throw error;
  }
  return { ms, locks };
}

function failureOf(file: PreparedFile, statement: FileStatement | undefined, error: unknown): StatementFailure {
  const e = error as { message?: string; detail?: string; position?: string };
  const detail = e.detail ? ` (${e.detail.replace(/\.$/, '')})` : '';
  const message = `${e.message ?? String(error)}${detail}`;
  if (!statement) return { message, start: 0, end: 0 };
  const position = Number(e.position);
  const start = Number.isInteger(position) && position > 0 ? positionInFile(statement, position) : statement.start;
  return { message, start, end: statement.end };
}
