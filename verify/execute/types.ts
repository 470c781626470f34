// The data executeMigrations() and detectDrift() take and return. No behaviour here.

export interface ExecutableMigration {
  /** `<version>_<slug>`, as node-pg-migrate records it in pgmigrations.name. */
  readonly name: string;
  readonly upPath: string;
  readonly upText: string;
  readonly downPath?: string;
  readonly downText?: string;
  /** The up or the down file starts with `-- migrate:no-transaction`. */
  readonly noTransaction: boolean;
  /** The down file carries `-- verify:irreversible <reason>`: the migration is applied up only. */
  readonly irreversible: boolean;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly help?: string;
}

export interface LockHeld {
  /** The relation as regclass prints it (schema-qualified outside the search path). */
  readonly relation: string;
  /** pg_locks.mode, e.g. 'AccessExclusiveLock'. */
  readonly mode: string;
}

/** The relation locks a statement took that its transaction did not hold before it. */
export interface StatementLocks {
  readonly file: string;
  /** 1-based line of the statement's first keyword. */
  readonly line: number;
  /** The first 60 characters of the statement, on one line. */
  readonly statement: string;
  readonly locks: readonly LockHeld[];
}

export interface MigrationRun {
  readonly name: string;
  /** The first application of the up file, in milliseconds. */
  readonly upMs: number;
  /** The down file's application; undefined when it was not run (irreversible, no down file, or up failed). */
  readonly downMs?: number;
  readonly irreversible: boolean;
  /** Per statement of the first up, then of the down. */
  readonly locks: readonly StatementLocks[];
}

export interface ExecuteReport {
  /** The scratch database's name (already dropped when the report is returned). */
  readonly database: string;
  /** The migrations that ran, in order; the last one is the one that failed when a run stopped early. */
  readonly migrations: readonly MigrationRun[];
  readonly totalMs: number;
  readonly violations: readonly Violation[];
}

export interface ExecuteOptions {
  /** A server URL (VERIFY_DATABASE_URL); its database is the maintenance database. Undefined: the repo's embedded server. */
  readonly url?: string;
  /** Called as migration k of n starts (k is 1-based). */
  readonly onProgress?: (k: number, n: number, name: string) => void;
  /** Aborting drops the scratch database and rejects with an AbortError. */
  readonly signal?: AbortSignal;
}

export interface DriftOptions {
  /** The database to compare (DATABASE_URL); it is only read, in a READ ONLY transaction. */
  readonly targetUrl: string;
  /** Where the scratch database is made; undefined: the repo's embedded server. */
  readonly scratchServerUrl?: string;
  readonly signal?: AbortSignal;
}

export interface DriftReport {
  readonly violations: readonly Violation[];
  /** One readable line per difference, e.g. "index idx_x on products exists in the target but not in the migrations". */
  readonly differences: readonly string[];
}
