// The migration runner: node-pg-migrate's runner() over the checked migration folder, on one postgres.js connection.
// Functions return data; only scripts/migrate.ts prints.
import { join, resolve } from 'node:path';
import type { MigrationBuilder, RunnerOption } from 'node-pg-migrate';
import { connect, connectionErrorMessage, scrubSecrets, type Sql } from './database-url.js';
import {
  indexOfCharacterPosition,
  lineAndColumn,
  loadMigrationFiles,
  type MigrationFile,
  type MigrationPair,
  type Statement,
} from './migration-files.js';
import { MigrationError, SqlError } from './runner-errors.js';

export const MIGRATIONS_TABLE = 'pgmigrations';
export const MIGRATIONS_SCHEMA = 'public';

export interface RunnerOptions {
  /** The migration folder, e.g. 'sql'. */
  readonly dir: string;
  readonly databaseUrl: string;
}

export interface MigrationStep {
  /** `<version>_<slug>` */
  readonly name: string;
  /** The file that ran, as shown to the user. */
  readonly file: string;
}

export interface RunResult {
  readonly direction: 'up' | 'down';
  /** In the order they ran. */
  readonly migrations: readonly MigrationStep[];
  readonly milliseconds: number;
}

export interface AppliedMigration {
  readonly name: string;
  /** pgmigrations.run_on as 'YYYY-MM-DD HH:MM:SS' (server time). */
  readonly runOn: string;
  /** False when the folder has no files for it any more. */
  readonly hasFiles: boolean;
}

export interface PendingMigration {
  readonly name: string;
  readonly file: string;
  /** It sorts before an applied migration, so `up` refuses to run it. */
  readonly outOfOrder: boolean;
}

export interface MigrationStatus {
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly PendingMigration[];
}

/** Check the folder without touching a database: the pairs in order, or a MigrationFilesError listing every problem. */
export function checkMigrations(dir: string): Promise<readonly MigrationPair[]> {
  return loadMigrationFiles(dir);
}

/** Apply pending migrations in order (all of them unless `count`), each in its own transaction; returns what ran. */
export async function migrateUp(options: RunnerOptions & { readonly count?: number; readonly only?: string }): Promise<RunResult> {
  return run(options, 'up', options.count ?? Number.POSITIVE_INFINITY, options.only);
}

/** Roll back the last `count` applied migrations (default 1, 'all' for every one), newest first. */
export async function migrateDown(options: RunnerOptions & { readonly count?: number | 'all' }): Promise<RunResult> {
  const count = options.count === 'all' ? Number.POSITIVE_INFINITY : (options.count ?? 1);
  return run(options, 'down', count);
}

/** Roll back the last applied migration and apply it again. Both results are empty when nothing is applied. */
export async function redoLast(options: RunnerOptions): Promise<{ readonly down: RunResult; readonly up: RunResult }> {
  const down = await migrateDown({ ...options, count: 1 });
  const last = down.migrations[0];
  if (!last) return { down, up: { direction: 'up', migrations: [], milliseconds: 0 } };
  const up = await migrateUp({ ...options, count: 1, only: last.name });
  return { down, up };
}

/** Applied migrations (in the order they ran, with run_on), then pending ones in file order. Read-only. */
export async function migrationStatus(options: RunnerOptions): Promise<MigrationStatus> {
  const pairs = await loadMigrationFiles(options.dir);
  return withConnection(options.databaseUrl, async (sql) => {
    const applied = await readApplied(sql);
    const names = new Set(pairs.map((p) => p.name));
    const appliedNames = new Set(applied.map((a) => a.name));
    const lastApplied = applied.filter((a) => names.has(a.name)).map((a) => a.name).sort().pop();
    return {
      applied: applied.map((a) => ({ ...a, hasFiles: names.has(a.name) })),
      pending: pairs
        .filter((p) => !appliedNames.has(p.name))
        .map((p) => ({ name: p.name, file: p.up.display, outOfOrder: lastApplied !== undefined && p.name < lastApplied })),
    };
  });
}

// ---------------------------------------------------------------------------------------------------------------

async function run(options: RunnerOptions, direction: 'up' | 'down', count: number, only?: string): Promise<RunResult> {
  const started = Date.now();
  const dir = resolve(options.dir);
  const pairs = await loadMigrationFiles(dir);
  return withConnection(options.databaseUrl, async (sql) => {
    const applied = await readApplied(sql);
    checkHistory(pairs, applied);
    if (direction === 'down') refuseIrreversible(pairs, applied, count);
    const tracker = new StatementTracker();
    const client = adapter(sql, tracker, options.databaseUrl);
    let ran: { readonly name: string }[];
    try {
      // Loaded here, not at the top: `status` and `check` do not need it, and it costs a third of a second.
      const { runner } = await import('node-pg-migrate');
      ran = await runner({
        dbClient: client as unknown as Extract<RunnerOption, { dbClient: unknown }>['dbClient'],
        dir,
        // Only the checked file names reach node-pg-migrate; a README.md beside them is never loaded.
        ignorePattern: '(?!\\d{14}_[a-z0-9_]+\\.(?:up|down)\\.sql$).*',
        migrationsTable: MIGRATIONS_TABLE,
        migrationsSchema: MIGRATIONS_SCHEMA,
        direction,
        count,
        ...(only ? { file: only } : {}),
        checkOrder: true,
        noLock: false,
        // One transaction per migration (Flyway's and node-pg-migrate's default): locks are released after each one,
        // so a NOT VALID constraint and its VALIDATE in the next migration never share a long lock.
        singleTransaction: false,
        migrationLoaderStrategies: [{ extensions: ['.sql'], loader: loaderFor(dir, pairs, tracker) }],
        logger: QUIET,
        verbose: false,
      });
    } catch (error) {
      throw translate(error, options.databaseUrl);
    }
    const byName = new Map(pairs.map((p) => [p.name, p]));
    return {
      direction,
      migrations: ran.map((m) => {
        const pair = byName.get(m.name);
        return { name: m.name, file: pair ? (direction === 'up' ? pair.up.display : pair.down.display) : m.name };
      }),
      milliseconds: Date.now() - started,
    };
  });
}

const noop = (): void => undefined;
/** node-pg-migrate talks through this; the CLI alone prints. */
const QUIET = { debug: noop, info: noop, warn: noop, error: noop };

type Loader = Extract<NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'], (...args: never[]) => unknown>;

/** Pairs the up and down files node-pg-migrate lists with the checked ones and honours `-- migrate:no-transaction`. */
function loaderFor(dir: string, pairs: readonly MigrationPair[], tracker: StatementTracker): Loader {
  const byFile = new Map<string, MigrationPair>();
  for (const pair of pairs) {
    byFile.set(resolve(pair.up.path), pair);
    byFile.set(resolve(pair.down.path), pair);
  }
  return async (filePaths: string[]) => {
    const seen = new Set<MigrationPair>();
    for (const path of filePaths) {
      const pair = byFile.get(resolve(path));
      if (pair) seen.add(pair);
    }
    return pairs
      .filter((pair) => seen.has(pair))
      .map((pair) => ({
        // The same id as node-pg-migrate's own 'sql' loader: the recorded name is `<version>_<slug>`.
        id: join(dir, `${pair.name}.sql`),
        filePaths: [pair.up.path, pair.down.path],
        actions: {
          up: (pgm: MigrationBuilder) => queue(pgm, pair, pair.up, tracker),
          down: (pgm: MigrationBuilder) => queue(pgm, pair, pair.down, tracker),
        },
      }));
  };
}

function queue(pgm: MigrationBuilder, pair: MigrationPair, file: MigrationFile, tracker: StatementTracker): void {
  if (pair.noTransaction) pgm.noTransaction();
  tracker.plan(file, pair.noTransaction);
  // One step per statement: a no-transaction file can then hold CREATE INDEX CONCURRENTLY (a multi-statement
  // query is an implicit transaction), and an error without a position still names its statement.
  for (const statement of file.statements) pgm.sql(statement.text);
}

interface Origin {
  readonly file: MigrationFile;
  readonly statement: Statement;
  readonly ordinal: number;
  readonly noTransaction: boolean;
}

/** Knows which statement of which file node-pg-migrate is sending: the steps of a migration run in order. */
class StatementTracker {
  private file: MigrationFile | undefined;
  private noTransaction = false;
  private next = 0;

  plan(file: MigrationFile, noTransaction: boolean): void {
    this.file = file;
    this.noTransaction = noTransaction;
    this.next = 0;
  }

  claim(text: string): Origin | undefined {
    const statement = this.file?.statements[this.next];
    if (!this.file || !statement) return undefined;
    // pgm.sql() appends a semicolon when the text does not end with one.
    if (text !== statement.text && text !== `${statement.text};`) return undefined;
    return { file: this.file, statement, ordinal: this.next++, noTransaction: this.noTransaction };
  }
}

/** The `query()` node-pg-migrate needs, over a reserved postgres.js connection, with statement errors located. */
function adapter(sql: Sql, tracker: StatementTracker, url: string): { query(text: string): Promise<{ rows: unknown[] }> } {
  return {
    async query(text: string) {
      const origin = tracker.claim(text);
      try {
        const result = await sql.unsafe(text).simple();
        return { rows: Array.isArray(result) ? [...result] : [] };
      } catch (error) {
        throw origin ? locate(error, origin, url) : error;
      }
    },
  };
}

function locate(error: unknown, origin: Origin, url: string): MigrationError {
  const pg = error as { message?: string; position?: string | number; code?: string; detail?: string; hint?: string };
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) return translate(error, url);
  const position = Number(pg.position);
  const sent = origin.statement.text;
  const index = origin.statement.index + (position >= 1 ? indexOfCharacterPosition(sent, position) : 0);
  const { line, column } = lineAndColumn(origin.file.text, Math.min(index, origin.statement.index + sent.length));
  return new SqlError({
    file: origin.file.display,
    line,
    column,
    message: scrubSecrets(pg.message ?? String(error), url),
    sqlState: pg.code,
    detail: pg.detail,
    hint: pg.hint,
    note:
      origin.noTransaction && origin.ordinal > 0
        ? 'this migration runs without a transaction: the statements before this one stay applied and it is not recorded'
        : undefined,
  });
}

/** Turn what node-pg-migrate or the driver threw into a one-line MigrationError without secrets. */
function translate(error: unknown, url: string): MigrationError {
  if (error instanceof MigrationError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const firstLine = scrubSecrets(message, url).split('\n')[0] ?? '';
  const code = (error as { code?: unknown }).code;
  let match: RegExpExecArray | null;
  if (/Another migration is already running/.test(message)) {
    return new MigrationError('LOCKED', 'another migration run holds the advisory lock on this database; wait for it to finish and retry');
  }
  if ((match = /Not run migration (\S+) is preceding already run migration (\S+)/.exec(message))) {
    return new MigrationError('ORDER_MISMATCH', `${match[1]} is pending but sorts before the applied ${match[2]}; give it a newer version or roll back past it`);
  }
  if ((match = /Definitions of migrations (.+) have been deleted/.exec(message))) {
    return new MigrationError('MISSING_FILES', `${match[1]} is applied but its files are gone; restore them to roll it back`);
  }
  if (typeof code === 'string' && /^(E[A-Z]+|CONNECT_TIMEOUT|CONNECTION_[A-Z]+|28P01|28000|3D000|57P0[1-3])$/.test(code)) {
    return new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  const sqlState = typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? ` [${code}]` : '';
  return new MigrationError('DATABASE_ERROR', `database error: ${firstLine.replace(/^Unable to ensure migrations table: (\w*Error: )?/, 'cannot create pgmigrations: ')}${sqlState}`, {
    cause: error,
  });
}

/** Refuse, before the lock, a history that `up`/`down` cannot continue: applied migrations whose files are gone, or pending ones older than applied ones. */
function checkHistory(pairs: readonly MigrationPair[], applied: readonly { name: string }[]): void {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const gone = applied.filter((a) => !byName.has(a.name)).map((a) => a.name);
  if (gone.length > 0) {
    throw new MigrationError(
      'MISSING_FILES',
      `${gone.join(', ')} ${gone.length === 1 ? 'is' : 'are'} recorded in ${MIGRATIONS_TABLE} but ${gone.length === 1 ? 'its files are' : 'their files are'} missing; restore them (or roll back with the files that applied them)`,
    );
  }
  const appliedNames = new Set(applied.map((a) => a.name));
  const lastApplied = [...appliedNames].sort().pop();
  if (!lastApplied) return;
  const early = pairs.find((p) => !appliedNames.has(p.name) && p.name < lastApplied);
  if (early) {
    throw new MigrationError(
      'ORDER_MISMATCH',
      `${early.up.display} is pending but older than the applied ${lastApplied}; rename it to a newer version (make new) or roll back past it`,
    );
  }
}

/** Rolling back a migration whose down says `-- verify:irreversible <reason>` stops before anything runs. */
function refuseIrreversible(pairs: readonly MigrationPair[], applied: readonly { name: string }[], count: number): void {
  const byName = new Map(pairs.map((p) => [p.name, p]));
  const undone = applied.slice(Math.max(0, applied.length - (Number.isFinite(count) ? count : applied.length))).reverse();
  for (const { name } of undone) {
    const pair = byName.get(name);
    if (pair?.down.irreversible) {
      throw new MigrationError('IRREVERSIBLE', `${pair.down.display}: ${name} cannot be rolled back (${pair.down.irreversible}); nothing was rolled back: restore the backup taken before it was applied (docs/deploy.md)`);
    }
  }
}

async function readApplied(sql: Sql): Promise<{ name: string; runOn: string }[]> {
  const table = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
  const [exists] = await sql.unsafe<{ present: boolean }[]>(`SELECT to_regclass('${table}') IS NOT NULL AS present`);
  if (!exists?.present) return [];
  const rows = await sql.unsafe<{ name: string; run_on: string }[]>(
    `SELECT name, to_char(run_on, 'YYYY-MM-DD HH24:MI:SS') AS run_on FROM ${table} ORDER BY run_on, id`,
  );
  return rows.map((r) => ({ name: r.name, runOn: r.run_on }));
}

/** One dedicated connection (session advisory lock, BEGIN/COMMIT) for the whole run; connection failures become CONNECTION_FAILED. */
async function withConnection<T>(url: string, body: (sql: Sql) => Promise<T>): Promise<T> {
  let pool: Sql;
  let reserved: Awaited<ReturnType<Sql['reserve']>>;
  try {
    pool = connect(url, { idle_timeout: 0, connection: { application_name: 'skincare-migrate' } });
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  try {
    reserved = await pool.reserve();
    await reserved.unsafe('SELECT 1');
  } catch (error) {
    await pool.end({ timeout: 1 }).catch(noop);
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  }
  try {
    return await body(reserved);
  } catch (error) {
    throw translate(error, url);
  } finally {
    reserved.release();
    await pool.end({ timeout: 5 }).catch(noop);
  }
}

