// Running migrations, one after the other, on the migration session, and telling the truth when it stops.
// node-pg-migrate's runner() drives the run (runner/pg-migrate-bridge.ts): it starts each migration, sends BEGIN, the
// statements, its bookkeeping and COMMIT; the MigrationDriver below does each of those on the migration session.
// Per migration: restore the session (when node-pg-migrate calls the migration's action), BEGIN, each statement as
// the parser split it (the extended query protocol runs one statement per message and no other), a check that the
// session is still inside the runner's transaction, the bookkeeping (after the session is restored again, with the
// checksums), COMMIT. A no-transaction migration runs its statements each on its own and must end outside any
// transaction it opened; its bookkeeping gets a transaction of its own. A fault (lost connection, terminated backend,
// server shutdown), a signal (which cancels the running statement on the server and waits for it) or an error ends
// with a MigrationError carrying the run's true state: what was committed, what was rolled back, what was left, what next.
import { connect, connectionErrorMessage, describeTarget, scrubSecrets, type Sql } from '../core/postgres/database-url.js';
import { forgetChecksumSql, pairChecksum, recordChecksumSql } from './checksums.js';
import { findInvalidIndexes, type InvalidIndex } from './integrity.js';
import { describeLockTimeout, describeStatementTimeout, findLockHolders } from './runtime-safety.js';
import { byteOffsetOfCharacter } from '../core/migrations/source-position.js';
import type { MigrationFile, MigrationPair, Statement } from './migration-files.js';
import { MigrationError, SqlError, type RunState } from './errors.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';
import { baselineStatements, isConnectionLost, type Reserved, type RunLock, type SessionBaseline } from './session.js';
import { driveWithNodePgMigrate, markAsRunSql, type Driver, type PlannedStep } from './pg-migrate-bridge.js';
import { migrationEventSql, type RunAudit } from './audit.js';

export type { PlannedStep } from './pg-migrate-bridge.js';

export const noop = (): void => undefined;

export interface MigrationStep {
  /** `<version>_<slug>` */
  readonly name: string;
  /** The file that ran, as shown to the user. */
  readonly file: string;
}

export interface ExecuteContext {
  /** The migration session. */
  readonly sql: Reserved;
  readonly pid: number;
  readonly lock: RunLock;
  readonly url: string;
  readonly baseline: SessionBaseline;
  readonly actor: string;
  /** Aborted by SIGINT/SIGTERM: the running statement is cancelled on the server; the reason names the signal. */
  readonly signal?: AbortSignal | undefined;
  /** Set when the migration session's connection is lost: it must not be used again. */
  readonly health: { lost: boolean };
  /** The audit trail: each migration's event in its bookkeeping, each failure's after its rollback (runner/audit.ts). */
  readonly audit?: RunAudit | undefined;
}

/** The bookkeeping a migration's own transaction ends with (its own transaction, for a no-transaction migration). */
export function bookkeepingStatements(pair: MigrationPair, direction: 'up' | 'down', actor: string): string[] {
  return [
    markAsRunSql(pair.name, direction),
    direction === 'up' ? recordChecksumSql(MIGRATIONS_SCHEMA, pair.name, pairChecksum(pair), actor) : forgetChecksumSql(MIGRATIONS_SCHEMA, pair.name),
  ];
}

interface Attempt {
  readonly step: PlannedStep;
  readonly file: MigrationFile;
  phase: 'session' | 'statements' | 'bookkeeping' | 'commit';
  /** Statements that completed. */
  done: number;
  statement?: Statement;
  ordinal: number;
  /** performance.now() when it started: its audit event's duration. */
  readonly startedAt: number;
}

/** Thrown inside the run at a checkpoint after a signal; replaced by the INTERRUPTED error. */
class Interrupted extends Error {}

/** What the run does at each point node-pg-migrate reaches, on the migration session. */
class MigrationDriver implements Driver {
  readonly committed: MigrationStep[];
  attempt: Attempt | undefined;
  /** The pg_cancel_backend a signal started, awaited before the run reports. */
  cancelling: Promise<unknown> | undefined;
  private inFlight: { cancel(): unknown } | undefined;
  private xid: string | null = null;
  private readonly restore: string;

  constructor(
    private readonly context: ExecuteContext,
    committedBefore: readonly MigrationStep[],
  ) {
    this.committed = [...committedBefore];
    this.restore = baselineStatements(context.baseline).join('\n');
  }

  onAbort = (): void => {
    if (this.inFlight) this.cancelling = cancelOnServer(this.context, this.inFlight);
  };

  private async send<T = Record<string, unknown>>(text: string, extended = false): Promise<T[] & { command?: string }> {
    const { sql, health } = this.context;
    if (health.lost) throw Object.assign(new Error('the connection was lost'), { code: 'CONNECTION_CLOSED' });
    // `simple: false` is postgres.js's extended protocol: the server refuses a message holding two statements.
    const query = extended ? sql.unsafe<T[]>(text, [], { simple: false } as Parameters<Sql['unsafe']>[2]) : sql.unsafe<T[]>(text);
    this.inFlight = query;
    try {
      return (await query) as T[] & { command?: string };
    } catch (error) {
      if (isConnectionLost(error)) health.lost = true;
      throw error;
    } finally {
      this.inFlight = undefined;
    }
  }

  private checkpoint(): void {
    if (this.context.signal?.aborted) throw new Interrupted();
  }

  private get current(): Attempt {
    if (!this.attempt) throw new MigrationError('UNEXPECTED_SQL', 'node-pg-migrate sent a migration statement before starting a migration');
    return this.attempt;
  }

  async read(text: string): Promise<readonly unknown[]> {
    return [...(await this.send(text))];
  }

  async start(step: PlannedStep): Promise<void> {
    const file = step.direction === 'up' ? step.pair.up : step.pair.down;
    this.attempt = { step, file, phase: 'session', done: 0, ordinal: 0, startedAt: performance.now() };
    this.checkpoint();
    await this.send(this.restore);
    if (step.pair.noTransaction) this.attempt.phase = 'statements';
  }

  async begin(): Promise<void> {
    const attempt = this.current;
    await this.send('BEGIN');
    this.xid = (await this.send<{ xid: string }>('SELECT pg_current_xact_id()::text AS xid'))[0]?.xid ?? null;
    attempt.phase = 'statements';
  }

  async statement(statement: Statement, ordinal: number): Promise<void> {
    const attempt = this.current;
    const { step, file } = attempt;
    this.checkpoint();
    attempt.statement = statement;
    attempt.ordinal = ordinal;
    try {
      await this.send(statement.text, true);
    } catch (error) {
      if (this.context.signal?.aborted || this.context.health.lost || isConnectionLost(error)) throw error;
      throw await locate(error, file, statement, ordinal, step.pair.noTransaction, this.context);
    }
    attempt.done = ordinal + 1;
    if (!step.pair.noTransaction) {
      const [now] = await this.send<{ xid: string | null }>('SELECT pg_current_xact_id_if_assigned()::text AS xid');
      if ((now?.xid ?? null) !== this.xid) {
        const at = statement;
        throw new MigrationError(
          'TRANSACTION_ESCAPED',
          `${file.display}:${at.line}:${at.column}: this statement ended the runner's transaction, so what ran before it in ${step.pair.name} was committed outside the runner's control; the runner stopped and did not record it: remove the transaction control (the verifier and the runner refuse it when they can see it) and check the database by hand`,
        );
      }
    }
  }

  async record(mark: string): Promise<void> {
    const attempt = this.current;
    const { step, file } = attempt;
    attempt.statement = undefined;
    const transactional = !step.pair.noTransaction;
    if (!transactional) {
      const [state] = await this.send<{ fresh: boolean }>('SELECT now() = statement_timestamp() AS fresh');
      if (!state?.fresh) {
        await this.send('ROLLBACK').catch(noop);
        throw new MigrationError(
          'OPEN_TRANSACTION',
          `${file.display}: ends inside a transaction it opened (a BEGIN without its COMMIT): the runner rolled back what ran since that BEGIN and did not record ${step.pair.name}; the statements before the BEGIN stay applied. Add the COMMIT, or drop the BEGIN`,
        );
      }
    }
    this.checkpoint();
    attempt.phase = 'bookkeeping';
    // The bookkeeping runs as the run's role with the run's settings, whatever the migration SET.
    await this.send(this.restore);
    if (!transactional) await this.send('BEGIN');
    const [ours, checksums] = bookkeepingStatements(step.pair, step.direction, this.context.actor);
    if (ours !== mark) throw new MigrationError('UNEXPECTED_SQL', `node-pg-migrate marked ${step.pair.name} with SQL this runner does not expect: nothing was recorded`);
    await this.send(mark);
    await this.send(checksums!);
    const audit = this.context.audit;
    if (audit) await this.send(migrationEventSql(audit, step.pair, step.direction, 'ok', performance.now() - attempt.startedAt));
    // A no-transaction migration's bookkeeping has a transaction of its own: node-pg-migrate sends no COMMIT for it.
    if (!transactional) await this.commit();
  }

  async commit(): Promise<void> {
    const attempt = this.current;
    const { step, file } = attempt;
    this.checkpoint();
    attempt.phase = 'commit';
    const result = await this.send('COMMIT');
    if (result.command && result.command !== 'COMMIT') {
      throw new MigrationError('TRANSACTION_ESCAPED', `${file.display}: the server rolled back ${step.pair.name}'s transaction at COMMIT (it was aborted); nothing of it is recorded`);
    }
    this.committed.push({ name: step.pair.name, file: file.display });
    this.attempt = undefined;
  }
}

/**
 * Run the steps in order, driven by node-pg-migrate's runner(); returns those committed. On failure throws a
 * MigrationError whose runState says where things stand. `committedBefore`: what this run committed in an earlier
 * attempt (runner/lock-retry.ts), counted in the result and in the state.
 */
export async function executeMigrations(context: ExecuteContext, steps: readonly PlannedStep[], committedBefore: readonly MigrationStep[] = []): Promise<MigrationStep[]> {
  if (steps.length === 0) return [...committedBefore];
  const driver = new MigrationDriver(context, committedBefore);
  context.signal?.addEventListener('abort', driver.onAbort, { once: true });
  try {
    const { ran } = await driveWithNodePgMigrate(steps, driver);
    const committed = driver.committed.slice(committedBefore.length).map((c) => c.name);
    if (ran.join() !== committed.join()) {
      throw new MigrationError(
        'UNEXPECTED_SQL',
        `node-pg-migrate reports ${ran.join(', ') || 'nothing'} as run, this run committed ${committed.join(', ') || 'nothing'}: make status shows where it stands`,
      );
    }
    return driver.committed;
  } catch (error) {
    if (driver.cancelling) await driver.cancelling.catch(noop);
    const attempt = driver.attempt;
    if (!attempt) {
      // Nothing of a migration was under way (node-pg-migrate's reads, or between two migrations).
      if (context.signal?.aborted && !context.health.lost) {
        const reason = String(context.signal.reason ?? 'a signal');
        const where = driver.committed.length > 0 ? 'between migrations' : 'before anything ran';
        throw withState(new MigrationError('INTERRUPTED', `${reason}: stopped ${where}`), steps[0]!.direction, driver.committed, context);
      }
      const cause = translate(error, context.url);
      if (driver.committed.length > 0) throw withState(cause, steps[0]!.direction, driver.committed, context);
      throw cause;
    }
    const failure = await stopped(error, attempt, driver.committed, context);
    if (context.audit && !driver.committed.some((c) => c.name === attempt.step.pair.name)) await auditFailure(context, context.audit, attempt, failure);
    throw failure;
  } finally {
    context.signal?.removeEventListener('abort', driver.onAbort);
  }
}

/**
 * Record the failed migration in the audit trail, outside its (rolled back) transaction: on the migration session
 * put back to the run's baseline, else on the lock's connection. When neither can, the run's state says so.
 */
async function auditFailure(context: ExecuteContext, audit: RunAudit, attempt: Attempt, failure: MigrationError): Promise<void> {
  const insert = migrationEventSql(audit, attempt.step.pair, attempt.step.direction, 'failed', performance.now() - attempt.startedAt, {
    error: failure.message,
    ...(failure.runState ? { state: failure.runState.summary } : {}),
  });
  let cause = '';
  if (!context.health.lost) {
    try {
      await context.sql.unsafe(baselineStatements(context.baseline).join('\n'));
      await context.sql.unsafe(insert);
      return;
    } catch (error) {
      if (isConnectionLost(error)) context.health.lost = true;
      cause = scrubSecrets(error instanceof Error ? error.message : String(error), context.url).split('\n')[0] ?? '';
    }
  }
  if (await context.lock.query(insert)) return;
  if (failure.runState) {
    const why = cause ? ` (${cause})` : ': the server did not answer';
    failure.runState = { ...failure.runState, summary: `${failure.runState.summary} The audit trail could not record this failure${why}.` };
  }
}

/** The state of a run that stopped outside any migration: what it committed, and what next. */
function withState(cause: MigrationError, direction: 'up' | 'down', committed: readonly MigrationStep[], context: ExecuteContext): MigrationError {
  const verb = direction === 'up' ? 'applied' : 'rolled back';
  const lost = context.health.lost;
  const parts = [
    committed.length > 0 ? `${verb} and committed by this run: ${committed.map((c) => c.name).join(', ')}` : `this run ${verb} and committed nothing`,
    `next: ${nextCommand(cause, direction, lost, false)}`,
  ];
  cause.runState = { direction, committed: [...committed], summary: scrubSecrets(`${parts.join('; ')}.`, context.url) };
  return cause;
}

/** pg_cancel_backend from the lock's connection (the migration session is busy); the client's own cancel when that is gone. */
async function cancelOnServer(context: ExecuteContext, query: { cancel(): unknown }): Promise<void> {
  const done = await context.lock.cancel(context.pid).catch(() => false);
  if (!done) await Promise.resolve(query.cancel()).catch(noop);
}

/** The error the run ends with, carrying the true state. */
async function stopped(error: unknown, attempt: Attempt, committed: MigrationStep[], context: ExecuteContext): Promise<MigrationError> {
  const { step, file } = attempt;
  const name = step.pair.name;
  const lost = context.health.lost || isConnectionLost(error);
  if (lost) context.health.lost = true;
  const where = attempt.statement
    ? `${file.display}:${attempt.statement.line}:${attempt.statement.column}`
    : `${file.display}${attempt.phase === 'bookkeeping' || attempt.phase === 'commit' ? ` (at its ${attempt.phase === 'commit' ? 'COMMIT' : 'bookkeeping'})` : ''}`;
  const signalName = context.signal?.aborted ? String(context.signal.reason ?? 'a signal') : undefined;
  let cause: MigrationError;
  if (lost) {
    const raw = scrubSecrets(error instanceof Error ? error.message : String(error), context.url).split('\n')[0];
    cause = new MigrationError('CONNECTION_LOST', `the connection to ${describeTarget(context.url)} was lost during ${where} (${raw}): the server was stopped or the session was terminated`);
  } else if (signalName && (error instanceof Interrupted || (error as { code?: unknown }).code === '57014')) {
    cause = new MigrationError(
      'INTERRUPTED',
      error instanceof Interrupted && attempt.phase === 'session'
        ? `${signalName}: stopped before ${name}`
        : `${signalName} during ${where}: the running statement was cancelled on the server and the run stopped`,
    );
  } else if (error instanceof MigrationError) {
    cause = error;
  } else {
    cause = translate(error, context.url);
  }

  // End the migration's transaction (a lost connection ended it on the server).
  if (!lost) await context.sql.unsafe('ROLLBACK').catch(noop);

  const started = !(attempt.phase === 'session' && attempt.done === 0);
  const parts: string[] = [];
  const direction = step.direction;
  const verb = direction === 'up' ? 'applied' : 'rolled back';
  let outcome: string | undefined;
  if (started && !step.pair.noTransaction) {
    if (attempt.phase === 'commit') {
      const recorded = await isRecorded(context, name);
      if (recorded === (direction === 'up')) {
        committed.push({ name, file: file.display });
        outcome = undefined;
      } else if (recorded === undefined) {
        outcome = `${name} was at its COMMIT when the connection was lost: whether it committed is unknown until the server answers (make status shows it)`;
      } else {
        outcome = `${name} was rolled back as a whole${direction === 'up' ? ' and is not recorded' : ': it stays applied'}`;
      }
    } else if (cause.code !== 'TRANSACTION_ESCAPED') {
      outcome = `${name} was rolled back as a whole${direction === 'up' ? ' and is not recorded' : ': it stays applied'}`;
    } else {
      outcome = `${name} ran part-way outside the runner's transaction and is not recorded`;
    }
  } else if (started && cause.code === 'OPEN_TRANSACTION') {
    outcome = `${name} runs without a transaction: its statements before its own BEGIN stay applied, what ran after that BEGIN was rolled back, and it is not recorded`;
  } else if (started) {
    const total = file.statements.length;
    const ran = attempt.phase === 'statements' ? attempt.done : total;
    outcome =
      attempt.phase === 'statements'
        ? `${name} runs without a transaction: the ${ran} statement${ran === 1 ? '' : 's'} before the one that stopped (of ${total}) stay${ran === 1 ? 's' : ''} applied, that one did not complete, and it is not recorded${direction === 'down' ? ' as rolled back (it stays applied)' : ''}`
        : `${name} runs without a transaction: all its statements ran, but it is not recorded${direction === 'down' ? ' as rolled back' : ''}`;
  }
  // What a no-transaction migration left behind: an INVALID index from a CREATE INDEX CONCURRENTLY that did not finish.
  let leftover: InvalidIndex[] = [];
  if (started && step.pair.noTransaction) {
    leftover = (await invalidIndexes(context)).filter((index) => index.buildingPid === undefined && !index.partitioned);
    if (leftover.length > 0) {
      const drops = leftover.map((index) => `DROP INDEX CONCURRENTLY ${index.index};`).join(' ');
      const left = `it left INVALID index${leftover.length > 1 ? 'es' : ''} ${leftover.map((index) => index.index).join(', ')}: run ${drops} then re-run`;
      cause.message = `${cause.message}; ${left}`;
      outcome = `${outcome}; ${left}`;
    }
  }
  parts.push(
    committed.length > 0
      ? `${verb} and committed by this run: ${committed.map((c) => c.name).join(', ')}`
      : `this run ${verb} and committed nothing`,
  );
  if (outcome) parts.push(outcome);
  parts.push(`next: ${nextCommand(cause, direction, lost, leftover.length > 0)}`);
  const summary = scrubSecrets(`${parts.join('; ')}.`, context.url);
  cause.runState = { direction, committed: [...committed], summary };
  return cause;
}

function nextCommand(cause: MigrationError, direction: 'up' | 'down', lost: boolean, leftover: boolean): string {
  const again = direction === 'up' ? 'make migrate' : 'make rollback';
  if (lost) return `when the server answers again, make status shows where it stands; then ${again}`;
  if (leftover) return `drop the INVALID index as above, then ${again}`;
  if (cause.code === 'INTERRUPTED') return `${again} runs the rest`;
  if (cause.code === 'SQL_ERROR') return `fix the file named above, then ${again}`;
  return `make status, then ${again} once the cause above is fixed`;
}

/** Whether pgmigrations records `name`, read on the lock's connection or a new one; undefined when the server does not answer. */
async function isRecorded(context: ExecuteContext, name: string): Promise<boolean | undefined> {
  const query = `SELECT EXISTS (SELECT 1 FROM "${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}" WHERE name = '${name}') AS recorded`;
  const viaLock = await context.lock.query<{ recorded: boolean }>(query);
  if (viaLock) return viaLock[0]?.recorded;
  const probe = connect(context.url, { max: 1, idle_timeout: 1, connect_timeout: 3, connection: { application_name: 'skincare-migrate-probe' } });
  try {
    const [row] = await probe.unsafe<{ recorded: boolean }[]>(query);
    return row?.recorded;
  } catch {
    return undefined;
  } finally {
    await probe.end({ timeout: 1 }).catch(noop);
  }
}

async function invalidIndexes(context: ExecuteContext): Promise<InvalidIndex[]> {
  const sql: Sql | undefined = context.health.lost ? context.lock.sql : context.sql;
  if (!sql) return [];
  return findInvalidIndexes(sql).catch(() => []);
}

/** A statement's error as file:line:column, with a lock or statement timeout explained, and what an interrupted earlier run may have left. */
async function locate(error: unknown, file: MigrationFile, statement: Statement, ordinal: number, noTransaction: boolean, context: ExecuteContext): Promise<MigrationError> {
  const pg = error as { message?: string; position?: string | number; code?: string; detail?: string; hint?: string };
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) return translate(error, context.url);
  let explanation: string | undefined;
  if (pg.code === '55P03') {
    explanation = describeLockTimeout(await findLockHolders(context.url, statement.text, context.pid), context.baseline.timeouts, context.url);
  } else if (pg.code === '57014' && /statement timeout/.test(String(pg.message))) {
    explanation = describeStatementTimeout(context.baseline.timeouts);
  } else if (pg.code === '42P07' && noTransaction) {
    const object = /"([^"]+)"/.exec(pg.message ?? '')?.[1];
    const drop = statement.kind === 'IndexStmt' && object ? `DROP INDEX CONCURRENTLY ${object};` : `DROP ... ${object ?? ''}`.trim();
    explanation = `this migration runs without a transaction, so an earlier run that was interrupted or failed after this statement may have created ${object ?? 'it'} without recording the migration: if ${object ?? 'it'} is this migration's, check it (\\d ${object ?? ''}), then ${drop} and re-run; or make the statement IF NOT EXISTS`;
  }
  const position = Number(pg.position);
  const offset = statement.start + (position >= 1 ? byteOffsetOfCharacter(statement.text, position - 1) : 0);
  const { line, column } = file.source.lines.position(Math.min(offset, statement.end));
  return new SqlError({
    file: file.display,
    line,
    column,
    message: scrubSecrets(`${pg.message ?? String(error)}${explanation ? `: ${explanation}` : ''}`, context.url),
    sqlState: pg.code,
    detail: pg.detail,
    hint: pg.hint,
    note: noTransaction && ordinal > 0 ? 'this migration runs without a transaction: the statements before this one stay applied and it is not recorded' : undefined,
  });
}

/** Turn what the driver threw into a one-line MigrationError without secrets. */
export function translate(error: unknown, url: string): MigrationError {
  if (error instanceof MigrationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = scrubSecrets(message, url).split('\n')[0] ?? '';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^(E[A-Z]+|CONNECT_TIMEOUT|CONNECTION_[A-Z]+|NOT_POSTGRES|28P01|28000|3D000|57P0[1-3])$/.test(code)) {
    return new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` [${code}]` : '';
  return new MigrationError('DATABASE_ERROR', `database error: ${firstLine}${sqlState}`, { cause: error });
}
