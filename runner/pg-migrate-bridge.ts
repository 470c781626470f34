// The bridge to node-pg-migrate: the one module that knows the SQL its runner() sends (private API of node-pg-migrate
// 9, dist/bundle/index.js: ensureMigrationsTable, getRunMigrations, Migration._getMarkAsRun and Migration._apply).
//
// node-pg-migrate's runner() drives every up, down and redo: it lists the folder, loads the migrations through our
// loader, reads pgmigrations, chooses what to run (pending ones in file order for up, the newest applied for down),
// calls each migration's up or down action, wraps it in BEGIN/COMMIT unless the action called pgm.noTransaction(),
// and marks it as run or not run (INSERT INTO / DELETE FROM pgmigrations). It sends all of that through the dbClient
// we give it. What we do around it:
// - the run's advisory lock (node-pg-migrate's id) is taken by us on a connection of its own (noLock: true), so a
//   migration that releases advisory locks cannot release it;
// - pgmigrations is created (or its run_on converted to timestamptz) before runner() runs, so its
//   ensureMigrationsTable only reads; its read of the applied names is answered in version order, never run_on order,
//   and its own order check is off (checkOrder: false): ours ran before, by version;
// - the loader hands it exactly the planned migrations, each as the verifier's statements (one pgm.sql per statement);
//   its up/down action, which node-pg-migrate calls when it starts a migration, restores the session;
// - the dbClient recognises every query node-pg-migrate sends and hands it to a Driver (runner/execute.ts): a
//   statement goes alone through the extended protocol with a transaction check after it, the bookkeeping runs after
//   the session is restored, with the checksums in the same transaction. Anything it does not recognise is refused
//   unsent. After an error nothing more is sent: node-pg-migrate (noLock, singleTransaction off) sends nothing either,
//   and the Driver rolls back and reports the true state.
import { basename, dirname, resolve } from 'node:path';
import type { MigrationBuilder, RunnerOption } from 'node-pg-migrate';
import type { MigrationPair, Statement } from './migration-files.js';
import { MigrationError } from './errors.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';

const TABLE = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;

/** pgmigrations as node-pg-migrate's ensureMigrationsTable creates it, but with run_on as timestamp with time zone. */
export function createMigrationsTableSql(ifNotExists: boolean): string {
  return `CREATE TABLE ${ifNotExists ? 'IF NOT EXISTS ' : ''}${TABLE} (id SERIAL PRIMARY KEY, name varchar(255) NOT NULL, run_on timestamptz NOT NULL)`;
}

/** What node-pg-migrate sends to mark a migration as run (up) or not run (down): Migration._getMarkAsRun. */
export function markAsRunSql(name: string, direction: 'up' | 'down'): string {
  return direction === 'up' ? `INSERT INTO ${TABLE} (name, run_on) VALUES ('${name}', NOW());` : `DELETE FROM ${TABLE} WHERE name='${name}';`;
}

export interface PlannedStep {
  readonly pair: MigrationPair;
  readonly direction: 'up' | 'down';
}

/** What a run does at each point node-pg-migrate reaches; runner/execute.ts implements it. */
export interface Driver {
  /** node-pg-migrate starts `step` (it called the step's action). */
  start(step: PlannedStep): Promise<void>;
  /** Its BEGIN of a transactional migration. */
  begin(): Promise<void>;
  /** The migration's statement number `ordinal`, as the parser split it. */
  statement(statement: Statement, ordinal: number): Promise<void>;
  /** Its INSERT INTO / DELETE FROM pgmigrations (`mark`); for a no-transaction migration also its end. */
  record(mark: string): Promise<void>;
  /** Its COMMIT of a transactional migration. */
  commit(): Promise<void>;
  /** One of its reads of the bookkeeping before the first migration. */
  read(text: string): Promise<readonly unknown[]>;
}

type Expected = { readonly kind: 'begin' } | { readonly kind: 'statement'; readonly statement: Statement; readonly ordinal: number } | { readonly kind: 'record'; readonly mark: string } | { readonly kind: 'commit' };

/** node-pg-migrate's reads before any migration: ensureMigrationsTable and getRunMigrations. */
const SETUP_READS: readonly { readonly match: string; readonly send: string }[] = [
  {
    match: `SELECT table_name FROM information_schema.tables WHERE table_schema = '${MIGRATIONS_SCHEMA}' AND table_name = '${MIGRATIONS_TABLE}'`,
    send: `SELECT table_name FROM information_schema.tables WHERE table_schema = '${MIGRATIONS_SCHEMA}' AND table_name = '${MIGRATIONS_TABLE}'`,
  },
  {
    match: `SELECT constraint_name FROM information_schema.table_constraints WHERE table_schema = '${MIGRATIONS_SCHEMA}' AND table_name = '${MIGRATIONS_TABLE}' AND constraint_type = 'PRIMARY KEY'`,
    send: `SELECT constraint_name FROM information_schema.table_constraints WHERE table_schema = '${MIGRATIONS_SCHEMA}' AND table_name = '${MIGRATIONS_TABLE}' AND constraint_type = 'PRIMARY KEY'`,
  },
  // A pgmigrations made by hand without a primary key: node-pg-migrate adds it.
  { match: `ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)`, send: `ALTER TABLE ${TABLE} ADD PRIMARY KEY (id)` },
  // The applied names: in version order (byte order of `<version>_<slug>`), never run_on order, which sessions in
  // other time zones wrote out of order. node-pg-migrate's down takes the last `count` of them.
  { match: `SELECT name FROM ${TABLE} ORDER BY run_on, id`, send: `SELECT name FROM ${TABLE} ORDER BY name COLLATE "C", id` },
];

/**
 * The dbClient node-pg-migrate sends through: each query is matched against what node-pg-migrate must send next and
 * handed to the driver. Once anything fails, nothing more is sent.
 */
class Bridge {
  private readonly queue: PlannedStep[];
  private expected: Expected[] = [];
  /** The first error thrown to node-pg-migrate: the cause of the run's end, whatever it wraps it in. */
  failure: unknown;
  private failed = false;

  constructor(
    steps: readonly PlannedStep[],
    private readonly driver: Driver,
  ) {
    this.queue = [...steps];
  }

  /** node-pg-migrate called a migration's up or down action: the next planned step, or the run stops. */
  async start(pair: MigrationPair, direction: 'up' | 'down', pgm: MigrationBuilder): Promise<void> {
    await this.guard(async () => {
      const next = this.queue[0];
      if (!next || next.pair !== pair || next.direction !== direction || this.expected.length > 0) {
        throw new MigrationError(
          'UNEXPECTED_SQL',
          `node-pg-migrate started ${pair.name} (${direction}) where this run planned ${next ? `${next.pair.name} (${next.direction})` : 'nothing more'}: nothing of it was sent; report this with the node-pg-migrate version`,
        );
      }
      this.queue.shift();
      await this.driver.start(next);
      const file = direction === 'up' ? pair.up : pair.down;
      // One step per statement, exactly as the parser split it (pgm.sql appends a semicolon when there is none).
      if (pair.noTransaction) pgm.noTransaction();
      for (const statement of file.statements) pgm.sql(statement.text);
      this.expected = [
        ...(pair.noTransaction ? [] : [{ kind: 'begin' } as const]),
        ...file.statements.map((statement, ordinal) => ({ kind: 'statement', statement, ordinal }) as const),
        { kind: 'record', mark: markAsRunSql(pair.name, direction) },
        ...(pair.noTransaction ? [] : [{ kind: 'commit' } as const]),
      ];
    });
  }

  async query(text: string): Promise<{ rows: unknown[] }> {
    return this.guard(async () => {
      const next = this.expected[0];
      if (!next) {
        const read = SETUP_READS.find((r) => r.match === text);
        if (!read) throw unexpected(text);
        return { rows: [...(await this.driver.read(read.send))] };
      }
      const matches =
        next.kind === 'begin'
          ? text === 'BEGIN;'
          : next.kind === 'commit'
            ? text === 'COMMIT;'
            : next.kind === 'record'
              ? text === next.mark
              : text === next.statement.text || text === `${next.statement.text};`;
      if (!matches) throw unexpected(text);
      this.expected.shift();
      if (next.kind === 'begin') await this.driver.begin();
      // The statement as the parser split it, not node-pg-migrate's copy with a semicolon added.
      else if (next.kind === 'statement') await this.driver.statement(next.statement, next.ordinal);
      else if (next.kind === 'record') await this.driver.record(next.mark);
      else await this.driver.commit();
      return { rows: [] };
    });
  }

  /** The planned steps node-pg-migrate did not run (empty after a complete run). */
  get left(): readonly PlannedStep[] {
    return this.queue;
  }

  private async guard<T>(body: () => Promise<T>): Promise<T> {
    // After a failure nothing is sent: the session may be gone (postgres.js crashes writing to a closed socket), and
    // the driver rolls back and reports itself.
    if (this.failed) throw this.failure;
    try {
      return await body();
    } catch (error) {
      this.failed = true;
      this.failure = error;
      throw error;
    }
  }
}

function unexpected(text: string): MigrationError {
  const shown = text.replace(/\s+/g, ' ').slice(0, 80);
  return new MigrationError('UNEXPECTED_SQL', `node-pg-migrate sent SQL this runner does not expect (${shown}${text.length > 80 ? '…' : ''}): it was not sent; report this with the node-pg-migrate version`);
}

type Loader = Extract<NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'], (...args: never[]) => unknown>;

/** Gives node-pg-migrate the planned pairs: each pair's id is `<version>_<slug>.sql`, the name it records. */
function loaderFor(steps: readonly PlannedStep[], bridge: Bridge): Loader {
  const pairs = [...new Set(steps.map((s) => s.pair))];
  return async () =>
    pairs.map((pair) => ({
      // The same id as node-pg-migrate's own 'sql' loader: the recorded name is `<version>_<slug>`.
      id: resolve(dirname(pair.up.path), `${pair.name}.sql`),
      filePaths: [pair.up.path, pair.down.path],
      actions: {
        up: (pgm: MigrationBuilder) => bridge.start(pair, 'up', pgm),
        down: (pgm: MigrationBuilder) => bridge.start(pair, 'down', pgm),
      },
    }));
}

/** node-pg-migrate talks through this; the CLI alone prints. */
const noop = (): void => undefined;
const QUIET = { debug: noop, info: noop, warn: noop, error: noop };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface DriveResult {
  /** What node-pg-migrate's runner() returned as run, in order. */
  readonly ran: readonly string[];
}

/**
 * Run `steps` (all one direction, all in one folder) through node-pg-migrate's runner(); the driver does the work.
 * Throws what the driver threw (not node-pg-migrate's wrapping of it), or what node-pg-migrate threw itself.
 */
export async function driveWithNodePgMigrate(steps: readonly PlannedStep[], driver: Driver): Promise<DriveResult> {
  const first = steps[0];
  if (!first) return { ran: [] };
  const direction = first.direction;
  const dir = dirname(resolve(first.pair.up.path));
  const bridge = new Bridge(steps, driver);
  const files = steps.flatMap((s) => [basename(s.pair.up.path), basename(s.pair.down.path)]);
  let ran: { readonly name: string }[];
  try {
    // Loaded here, not at the top: `status` and `check` do not need it, and it costs a third of a second.
    const { runner } = await import('node-pg-migrate');
    ran = await runner({
      dbClient: { query: (text: string) => bridge.query(text) } as unknown as Extract<RunnerOption, { dbClient: unknown }>['dbClient'],
      dir,
      // Only the planned files reach node-pg-migrate's listing; everything else in the folder is ignored.
      ignorePattern: `(?!(?:${files.map(escapeRegExp).join('|')})$).*`,
      migrationsTable: MIGRATIONS_TABLE,
      migrationsSchema: MIGRATIONS_SCHEMA,
      direction,
      count: steps.length,
      // Ours ran before, by version; node-pg-migrate's compares run_on order with file order.
      checkOrder: false,
      // The run's lock is ours, on a connection migrations never touch (runner/session.ts).
      noLock: true,
      // One transaction per migration: locks are released after each one, so a NOT VALID constraint and its
      // VALIDATE in the next migration never share a long lock.
      singleTransaction: false,
      migrationLoaderStrategies: [{ extensions: ['.sql'], loader: loaderFor(steps, bridge) }],
      logger: QUIET,
      verbose: false,
    });
  } catch (error) {
    // node-pg-migrate wraps some errors in a new Error with the stack in its message (ensureMigrationsTable): the
    // first error the bridge threw is the cause.
    throw bridge.failure ?? error;
  }
  if (bridge.left.length > 0) {
    throw new MigrationError(
      'UNEXPECTED_SQL',
      `node-pg-migrate ended the run without running ${bridge.left.map((s) => s.pair.name).join(', ')}, which this run planned: make status shows where it stands; report this with the node-pg-migrate version`,
    );
  }
  return { ran: ran.map((m) => m.name) };
}
