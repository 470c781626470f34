// The one input every output format takes: what the static verifier, the executed proof and drift found, as data.
import type { Violation } from '../rule.js';
import type { LayoutCount } from '../engine.js';
import type { ExecuteReport, MigrationRun, StatementLocks } from '../execute/types.js';

export type { LayoutCount, MigrationRun, StatementLocks };

export type Format = 'text' | 'json' | 'sarif' | 'github';
export const FORMATS: readonly Format[] = ['text', 'json', 'sarif', 'github'];

export interface VerifyReport {
  readonly tool: { readonly name: string; readonly version: string };
  /** Absolute directory that violation paths are relative to (the working directory): SARIF's %SRCROOT%. */
  readonly root: string;
  /** Every rule that can report: the rules, the engine's own checks and the executed ones. */
  readonly rules: readonly RuleDescriptor[];
  /** The static verifier's results; absent when it did not run (--drift). */
  readonly static?: StaticResults;
  /** --execute: one run per migration folder. */
  readonly executed?: ExecutedResults;
  /** --drift. */
  readonly drift?: DriftResults;
  /** The text that was verified, by violation path (the staged text under --staged), for code frames. */
  readonly sources: ReadonlyMap<string, string>;
}

export interface RuleDescriptor {
  readonly id: string;
  readonly description: string;
  readonly severity: 'error' | 'warning';
  /** A rule's category, or 'engine' / 'executed' for the engine's own checks and the executed proof's. */
  readonly category: string;
  /** The help sentences of its messages. */
  readonly help: readonly string[];
  /** Its documentation, relative to the repository root. */
  readonly doc?: string;
}

export interface StaticResults {
  /** Migration files read. */
  readonly files: number;
  /** Per folder, the layout its migrations follow and how many. */
  readonly layouts: readonly LayoutCount[];
  readonly violations: readonly Violation[];
}

export interface ExecutedResults {
  readonly runs: readonly ExecutedRun[];
  /**
   * The migrations whose locks the text and GitHub reports show (new or changed since the last report); absent:
   * every one. JSON and SARIF carry every lock whatever this says.
   */
  readonly locksShown?: readonly string[];
}

/** One folder's executed run: the executed proof's report, its layout, and the run in words (verify/execute/summary.ts). */
export interface ExecutedRun extends ExecuteReport {
  readonly layout?: string;
  readonly summary: readonly string[];
}

export interface DriftResults {
  /** One readable line per difference. */
  readonly differences: readonly string[];
  /** schema-drift violations (at the migration that names the object, else the target database), or the up that failed replaying. */
  readonly violations: readonly Violation[];
  /** Per difference of the schemas, the DDL that would make the database match the migrations (printed, never run). */
  readonly reconcile?: readonly string[];
}

/**
 * Every violation of the report, static first, then executed, then drift. A `down-fails` at exactly the span of a static
 * error is the same problem seen twice (the down has no file, or PostgreSQL refused the statement the verifier already
 * named): the static one, with its rule's doc and help, is kept.
 */
export function allViolations(report: VerifyReport): Violation[] {
  const span = (v: Violation): string => `${v.file}\0${v.line}:${v.column}-${v.endLine}:${v.endColumn}`;
  const staticErrors = new Set((report.static?.violations ?? []).filter((v) => v.severity === 'error').map(span));
  const executed = (report.executed?.runs.flatMap((r) => r.violations) ?? []).filter((v) => !(v.rule === 'down-fails' && staticErrors.has(span(v))));
  return [...(report.static?.violations ?? []), ...executed, ...(report.drift?.violations ?? [])];
}

/** "paired layout: 12 migrations in sql". */
export function layoutLine(entry: LayoutCount): string {
  return `${entry.layout} layout: ${entry.migrations} migration${entry.migrations === 1 ? '' : 's'} in ${entry.folder}`;
}

/** A violation points into a file when it has a line; drift's point at the target database (line 0). */
export function hasPosition(violation: Violation): boolean {
  return violation.line > 0;
}
