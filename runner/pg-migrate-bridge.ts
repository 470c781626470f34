// The bridge to node-pg-migrate: a loader that hands it the checked files statement by statement, and the query()
// it sends them through, which knows which statement of which file is running so an error can name file and line.
import { join, resolve } from 'node:path';
import type { MigrationBuilder, RunnerOption } from 'node-pg-migrate';
import { connectionErrorMessage, scrubSecrets, type Sql } from '../core/postgres/database-url.js';
import { forgetChecksumSql, pairChecksum, recordChecksumSql } from './checksums.js';
import { describeLockTimeout, describeStatementTimeout, findLockHolders, type SessionTimeouts } from './runtime-safety.js';
import { byteOffsetOfCharacter } from '../core/migrations/source-position.js';
import type { MigrationFile, MigrationPair, Statement } from './migration-files.js';
import { MigrationError, SqlError } from './errors.js';
import { MIGRATIONS_SCHEMA, MIGRATIONS_TABLE } from './migrations-table.js';

export const noop = (): void => undefined;
/** postgres.js sends an unsafe query without parameters by the simple protocol unless told (its types omit `simple`). */
const EXTENDED_PROTOCOL = { prepare: false, simple: false } as { prepare: boolean };
/** node-pg-migrate talks through this; the CLI alone prints. */
export const QUIET = { debug: noop, info: noop, warn: noop, error: noop };

type Loader = Extract<NonNullable<RunnerOption['migrationLoaderStrategies']>[number]['loader'], (...args: never[]) => unknown>;

/** Pairs the up and down files node-pg-migrate lists with the checked ones and honours `-- migrate:no-transaction`. */
export function loaderFor(dir: string, pairs: readonly MigrationPair[], tracker: StatementTracker): Loader {
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
export class StatementTracker {
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

export interface AdapterContext {
  readonly url: string;
  readonly timeouts: SessionTimeouts;
  /** The migration session's backend pid (left out when looking for who held a lock). */
  readonly pid: number | undefined;
  readonly pairs: readonly MigrationPair[];
  readonly actor: string;
}

/**
 * The `query()` node-pg-migrate needs, over a reserved postgres.js connection: statement errors located (and a lock
 * or statement timeout explained), and the checksums recorded right after node-pg-migrate marks a migration as run,
 * in the same transaction (right after it, for a no-transaction migration).
 */
export function adapter(sql: Sql, tracker: StatementTracker, context: AdapterContext): { query(text: string): Promise<{ rows: unknown[] }> } {
  const table = `"${MIGRATIONS_SCHEMA}"."${MIGRATIONS_TABLE}"`;
  const marked = new RegExp(`^INSERT INTO ${escapeRegExp(table)} \\(name, run_on\\) VALUES \\('([^']+)', NOW\\(\\)\\);$`);
  const unmarked = new RegExp(`^DELETE FROM ${escapeRegExp(table)} WHERE name='([^']+)';$`);
  const byName = new Map(context.pairs.map((p) => [p.name, p]));
  return {
    async query(text: string) {
      const origin = tracker.claim(text);
      try {
        // A statement of a migration goes alone through the extended protocol, which refuses a second command in one
        // message: the server runs exactly the statement the parser split and the verifier checked, however it lexes.
        const result = origin ? await sql.unsafe(text, [], EXTENDED_PROTOCOL) : await sql.unsafe(text).simple();
        const ran = marked.exec(text)?.[1];
        const pair = ran ? byName.get(ran) : undefined;
        if (pair) await sql.unsafe(recordChecksumSql(MIGRATIONS_SCHEMA, pair.name, pairChecksum(pair), context.actor));
        const undone = unmarked.exec(text)?.[1];
        if (undone) await sql.unsafe(forgetChecksumSql(MIGRATIONS_SCHEMA, undone));
        return { rows: Array.isArray(result) ? [...result] : [] };
      } catch (error) {
        if (!origin) throw error;
        const code = (error as { code?: unknown }).code;
        let explanation: string | undefined;
        if (code === '55P03') {
          explanation = describeLockTimeout(await findLockHolders(context.url, origin.statement.text, context.pid), context.timeouts, context.url);
        } else if (code === '57014' && /statement timeout/.test(String((error as Error).message))) {
          explanation = describeStatementTimeout(context.timeouts);
        }
        throw locate(error, origin, context.url, explanation);
      }
    },
  };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function locate(error: unknown, origin: Origin, url: string, explanation?: string): MigrationError {
  const pg = error as { message?: string; position?: string | number; code?: string; detail?: string; hint?: string };
  if (typeof pg.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pg.code)) return translate(error, url);
  const position = Number(pg.position);
  const statement = origin.statement;
  const offset = statement.start + (position >= 1 ? byteOffsetOfCharacter(statement.text, position - 1) : 0);
  const { line, column } = origin.file.source.lines.position(Math.min(offset, statement.end));
  return new SqlError({
    file: origin.file.display,
    line,
    column,
    message: scrubSecrets(`${pg.message ?? String(error)}${explanation ? `: ${explanation}` : ''}`, url),
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
export function translate(error: unknown, url: string): MigrationError {
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
