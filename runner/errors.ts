// The runner's one error type: a stable code, a one-line message that says what to do, and the exit code it maps to.

/** Problems with the migration files themselves, found before anything touches a database. */
export type FileProblemCode =
  | 'NO_MIGRATIONS_DIR'
  | 'UNREADABLE_FILE'
  | 'BAD_FILE_NAME'
  | 'BAD_EXTENSION_CASE'
  | 'INVALID_VERSION'
  | 'DUPLICATE_VERSION'
  | 'DOWN_WITHOUT_UP'
  | 'UP_WITHOUT_DOWN'
  | 'EMPTY_MIGRATION'
  | 'UNKNOWN_DIRECTIVE'
  | 'MISPLACED_DIRECTIVE'
  | 'TRANSACTION_CONTROL'
  | 'SYNTAX_ERROR'
  | 'LEXER_SETTING'
  // A statement that reads or writes the runner's bookkeeping (pgmigrations*).
  | 'BOOKKEEPING_STATEMENT';

/** Failures while talking to the database or running SQL. */
export type RunProblemCode =
  | 'CONNECTION_FAILED'
  | 'SQL_ERROR'
  | 'LOCKED'
  | 'ORDER_MISMATCH'
  | 'MISSING_FILES'
  | 'IRREVERSIBLE'
  | 'DATABASE_ERROR'
  // Integrity and deployment (runner/integrity.ts, backup.ts, deploy.ts).
  | 'CHECKSUM_MISMATCH'
  | 'RENAMED_MIGRATION'
  | 'INVALID_INDEX'
  | 'NOT_APPLIED'
  | 'BACKUP_FAILED'
  | 'DEPLOY_FAILED'
  // Faults and the session (runner/execute.ts).
  | 'CHECKSUMS_MISSING'
  | 'CONNECTION_LOST'
  | 'INTERRUPTED'
  | 'TRANSACTION_ESCAPED'
  | 'OPEN_TRANSACTION'
  // node-pg-migrate sent or chose something the bridge does not expect (runner/pg-migrate-bridge.ts).
  | 'UNEXPECTED_SQL'
  // A rollback that loses data on a real server, without CONFIRM=<database> or with another name (runner/rollback-guard.ts).
  | 'CONFIRMATION_REQUIRED'
  | 'CONFIRMATION_MISMATCH';

export type MigrationErrorCode = FileProblemCode | RunProblemCode | 'USAGE';

const USAGE_CODES: ReadonlySet<MigrationErrorCode> = new Set<MigrationErrorCode>([
  'USAGE',
  'NO_MIGRATIONS_DIR',
  'UNREADABLE_FILE',
  'BAD_FILE_NAME',
  'BAD_EXTENSION_CASE',
  'INVALID_VERSION',
  'DUPLICATE_VERSION',
  'DOWN_WITHOUT_UP',
  'UP_WITHOUT_DOWN',
  'EMPTY_MIGRATION',
  'UNKNOWN_DIRECTIVE',
  'MISPLACED_DIRECTIVE',
  'TRANSACTION_CONTROL',
  'SYNTAX_ERROR',
  'LEXER_SETTING',
  'BOOKKEEPING_STATEMENT',
  'CONFIRMATION_REQUIRED',
  'CONFIRMATION_MISMATCH',
]);

/** 2 for usage errors and bad migration files, 1 for migration and database failures. */
export function exitCodeFor(code: MigrationErrorCode): 1 | 2 {
  return USAGE_CODES.has(code) ? 2 : 1;
}

/** Where the database stands after a run stopped: set on the error the run throws once any migration was attempted. */
export interface RunState {
  readonly direction: 'up' | 'down';
  /** Migrations this run applied (or rolled back) and committed, in order. */
  readonly committed: readonly { readonly name: string; readonly file: string }[];
  /** One line: what was committed, what was rolled back, what was left (INVALID indexes), and the next command. */
  readonly summary: string;
}

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code: MigrationErrorCode;
  /** Set when a run stopped part-way: what it committed and where the database stands. */
  runState: RunState | undefined;

  constructor(code: MigrationErrorCode, message: string, options?: { cause?: unknown }) {
    // One line, always: callers print it after "error: ".
    super(message.replace(/\s*\n\s*/g, ' ').trim(), options);
    this.code = code;
  }

  get exitCode(): 1 | 2 {
    return exitCodeFor(this.code);
  }
}

export interface FileProblem {
  readonly code: FileProblemCode;
  /** The file as shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  /** One line that starts with the file and says what to do. */
  readonly message: string;
}

/** Several problems found at once: `message` is the first and how many more there are; `problems` has them all. */
export class ProblemListError<P extends { readonly code: MigrationErrorCode; readonly message: string }> extends MigrationError {
  readonly problems: readonly P[];

  constructor(problems: readonly P[]) {
    const [first] = problems;
    if (!first) throw new TypeError(`${new.target.name} needs at least one problem`);
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : '';
    super(first.code, `${first.message}${more}`);
    this.problems = problems;
  }
}

/** Every problem found in a migration folder (the CLI prints one line each). */
export class MigrationFilesError extends ProblemListError<FileProblem> {}

/** PostgreSQL rejected a statement of a migration file. */
export class SqlError extends MigrationError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** The SQLSTATE, e.g. 42P01. */
  readonly sqlState: string | undefined;
  readonly detail: string | undefined;
  readonly hint: string | undefined;

  constructor(fields: {
    file: string;
    line: number;
    column: number;
    message: string;
    sqlState?: string | undefined;
    detail?: string | undefined;
    hint?: string | undefined;
    note?: string | undefined;
  }) {
    super('SQL_ERROR', `${fields.file}:${fields.line}:${fields.column}: ${fields.message}${fields.note ? ` (${fields.note})` : ''}`);
    this.file = fields.file;
    this.line = fields.line;
    this.column = fields.column;
    this.sqlState = fields.sqlState;
    this.detail = fields.detail;
    this.hint = fields.hint;
  }
}
