import type { SourceFile } from '../../core/migrations/layout.js';
// The data executeMigrations() and detectDrift() return. They take the migration model's Migration objects
// (core/migrations/layout.ts), as the static verifier builds them. No behaviour here.

/** The executed rules report violations of the same shape as the static ones. */
export type { Violation } from '../rule.js';
import type { Violation } from '../rule.js';

export interface LockHeld {
  /** The relation as regclass prints it (schema-qualified outside the search path). */
  readonly relation: string;
  /** pg_locks.mode, e.g. 'AccessExclusiveLock'. */
  readonly mode: string;
  /**
   * How it is known. Absent: the statement took it, read from pg_locks in its own session. 'held': the transaction
   * already held it (an earlier statement took it) and the statement needs it, as PostgreSQL's manual gives the
   * statement's lock. 'observed': the statement ran outside a transaction (CONCURRENTLY) and another session read its
   * locks from pg_locks while it ran. 'documented': it ran outside a transaction and ended before another session saw
   * its locks: the lock PostgreSQL's manual gives for it (verify/lock-table.ts).
   */
  readonly how?: 'held' | 'observed' | 'documented';
}

/** The relation locks a statement took, and those it needed that its transaction already held. */
export interface StatementLocks {
  readonly file: string;
  /** 1-based line of the statement's first keyword. */
  readonly line: number;
  /** The whole statement, its runs of white space made one space (the reporters wrap it). */
  readonly statement: string;
  /** It ran outside a transaction block (a no-transaction migration, CONCURRENTLY). */
  readonly outside?: boolean;
  readonly locks: readonly LockHeld[];
}

export interface MigrationRun {
  readonly name: string;
  /** The first application of the up file, in milliseconds. */
  readonly upMs: number;
  /** The down file's application; undefined when it was not run (irreversible, no down file, or up failed). */
  readonly downMs?: number;
  readonly irreversible: boolean;
  /**
   * 'passed': up, down and up again ran and the schema matched; 'failed': an executed rule reports it;
   * 'up-only': applied up only (irreversible, or no down), nothing reported.
   */
  readonly verdict: 'passed' | 'failed' | 'up-only';
  /** Its up is part of the chain the later migrations ran on: false when the up failed and was skipped. */
  readonly applied: boolean;
  /** Per statement of the first up, then of the down. */
  readonly locks: readonly StatementLocks[];
}

/** A role or tablespace a migration made or dropped on the server, outside the scratch database. */
export interface OutsideObject {
  readonly kind: 'role' | 'tablespace';
  readonly name: string;
  /** The migration during whose check it appeared (or disappeared). */
  readonly migration: string;
  /** 'created': it was dropped after the run (removed) or could not be (problem); 'dropped': it existed before the run and is gone. */
  readonly change: 'created' | 'dropped';
  readonly removed: boolean;
  /** Why it could not be removed. */
  readonly problem?: string;
}

export interface RebuildFigures {
  /** Times the scratch database was rebuilt to "after this up" after a failure or a down that did not restore the schema. */
  readonly count: number;
  /** Of those, how many started from a copy (CREATE DATABASE ... TEMPLATE) rather than from an empty database. */
  readonly fromCopy: number;
  /** Total time spent rebuilding, copies included. */
  readonly ms: number;
}

export interface ExecuteReport {
  /** The scratch database's name (already dropped when the report is returned). */
  readonly database: string;
  /** Every migration given, in order, each with its verdict. */
  readonly migrations: readonly MigrationRun[];
  /** The names of the migrations an executed rule reports (the 'failed' ones), in order. */
  readonly failed: readonly string[];
  /** Migrations that were not run because the run had to stop (the chain could not be rebuilt); normally empty. */
  readonly notRun: readonly string[];
  readonly totalMs: number;
  readonly violations: readonly Violation[];
  readonly rebuilds: RebuildFigures;
  /** Roles and tablespaces the migrations made or dropped outside the scratch database. */
  readonly outside: readonly OutsideObject[];
  /** Scratch databases of earlier runs that were gone (nobody connected), dropped as this run started. */
  readonly staleDropped: readonly string[];
}

export interface ExecuteOptions {
  /** A server URL (VERIFY_DATABASE_URL); its database is the maintenance database. Undefined: the repo's embedded server. */
  readonly url?: string;
  /** Called as migration k of n starts (k is 1-based). */
  readonly onProgress?: (k: number, n: number, name: string) => void;
  /** Aborting drops the scratch database and rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /**
   * How the scratch state is rebuilt after a failure: 'auto' (default) picks, from measured times, the cheaper of a
   * copy of a kept checkpoint database and re-applying every up into an empty one; the others force one way (for the benchmark).
   */
  readonly rebuild?: 'auto' | 'copy' | 'reapply';
  /** What existed before the first migration (`baseline` in verify-migrations.json): run first, and after each rebuild from empty. */
  readonly baseline?: SourceFile;
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
  /** Per difference of the schemas, the DDL that would make the target match the migrations (printed, never run). */
  readonly reconcile: readonly string[];
}
