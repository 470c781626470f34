// Apply one migration file statement by statement, the way the runner would, recording time and locks.
import type { Sql } from '../../core/postgres/database-url.js';
import { documentedLocks, LockTracker, readRelationNames, runObserved } from './locks.js';
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
  /**
   * A second session on the named database, to read the locks of statements that run outside a transaction while they
   * run (they are released before the statement returns). Without it those statements get the manual's locks.
   */
  readonly observer?: (database: string) => Sql;
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
  let observer: Sql | undefined;
  const runAll = async (session: Sql): Promise<void> => {
    const drops = file.statements.some((s) => /\bdrop\b/i.test(s.text));
    const names = options.recordLocks && (drops || !transaction) ? await readRelationNames(session) : undefined;
    const tracker = options.recordLocks ? new LockTracker(names) : undefined;
    let pid: number | undefined;
    if (tracker && !transaction && options.observer) {
      const [row] = await session<{ pid: number; database: string }[]>`SELECT pg_backend_pid() AS pid, current_database() AS database`;
      pid = row!.pid;
      observer = options.observer(row!.database);
    }
    for (const statement of file.statements) {
      const position = file.lines.position(statement.start);
      if (tracker && !transaction) {
        // Outside a transaction the statement's locks are gone when it returns: read them from a second session as it runs.
        const started = performance.now();
        let taken;
        try {
          if (observer && pid !== undefined) taken = await runObserved(session, observer, pid, statement.text, statement.parsed, names ?? new Map());
          else {
            await session.unsafe(statement.text);
            taken = documentedLocks(statement.parsed).map((l) => ({ ...l, how: 'documented' as const }));
          }
        } catch (error) {
          throw isInfrastructureError(error) ? error : new SqlFailure(statement, error);
        } finally {
          ms += performance.now() - started;
        }
        locks.push({ file: file.path, line: position.line, statement: statementSummary(statement), outside: true, locks: taken });
        continue;
      }
      const started = performance.now();
      try {
        await session.unsafe(statement.text);
      } catch (error) {
        throw isInfrastructureError(error) ? error : new SqlFailure(statement, error);
      } finally {
        ms += performance.now() - started;
      }
      if (tracker) locks.push({ file: file.path, line: position.line, statement: statementSummary(statement), locks: await tracker.newLocks(session, statement.parsed) });
    }
  };
  // Explicit BEGIN/COMMIT on the single connection (not sql.begin): after a SQL error we roll back ourselves,
  // and after a lost connection we send nothing more.
  try {
    if (transaction) await sql.unsafe('BEGIN');
    await runAll(sql);
    if (transaction) await sql.unsafe('COMMIT');
  } catch (error) {
    await observer?.end({ timeout: 0 }).catch(() => undefined);
    if (error instanceof SqlFailure) {
      // Ours, or one the file opened itself (a Sqitch script's BEGIN): outside any, ROLLBACK is only a warning.
      await sql.unsafe('ROLLBACK');
      return { ms, locks, failure: failureOf(file, error.statement, error.error) };
    }
    // A failure at COMMIT (a deferred constraint) has already rolled back: point at the last statement.
    if (!isInfrastructureError(error)) return { ms, locks, failure: failureOf(file, file.statements.at(-1), error) };
    throw error;
  }
  await observer?.end({ timeout: 0 }).catch(() => undefined);
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
