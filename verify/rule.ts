// Rule, RuleMeta, RuleContext, Violation, defineRule(): the shape every rule shares.
import type { Statement } from '../core/migrations/parse.js';
import type { Migration, MigrationSummary, SourceFile } from '../core/migrations/layout.js';
import type { SchemaModel } from './schema-model.js';
import type { Action, StatementChanges } from './changes.js';
import type { AlterTableCmd } from '@pgsql/types';
import type { NodeByKind, NodeKind } from './ast.js';

export type Severity = 'error' | 'warning';
export type RuleSetting = Severity | 'off';
export type Category = 'structure' | 'reversibility' | 'integrity' | 'destructive' | 'lock-safety' | 'security' | 'style';

export interface RuleMeta {
  /** kebab-case, equal to the file name. */
  readonly name: string;
  readonly description: string;
  readonly category: Category;
  readonly severity: Severity;
  /** Message templates by id, with {{placeholders}}. */
  readonly messages: Readonly<Record<string, string>>;
  /** One imperative sentence per message id, saying what to write instead. */
  readonly help?: Readonly<Record<string, string>>;
  /** The directive that allows a violation, beyond `-- verify:ignore <rule> <reason>`. */
  readonly allowedBy?: 'allow-destructive' | 'irreversible';
  /**
   * Rules that say the same thing less precisely: when this rule reports a statement, their reports on that statement
   * are left out (one finding per problem). The engine applies it; a rule never checks for another.
   */
  readonly supersedes?: readonly string[];
  /**
   * For lock-safety rules: the lock the flagged statement takes on the table it names, as pg_locks spells it
   * (e.g. 'AccessExclusiveLock', 'ShareLock'). Executed verification checks the claim against a real server.
   */
  readonly lock?: LockMode;
}

export type LockMode =
  | 'AccessShareLock'
  | 'RowShareLock'
  | 'RowExclusiveLock'
  | 'ShareUpdateExclusiveLock'
  | 'ShareLock'
  | 'ShareRowExclusiveLock'
  | 'ExclusiveLock'
  | 'AccessExclusiveLock';

/** Where a violation points: a byte offset (or span) in the up or the down file. */
export interface ReportDescriptor {
  readonly messageId: string;
  readonly file: SourceFile;
  /** Byte offset of the reported token (usually a statement's start or a node's location). */
  readonly at: number;
  /** Byte offset where the reported text ends; defaults to the end of the enclosing statement. */
  readonly endAt?: number;
  readonly data?: Readonly<Record<string, string | number>>;
}

/** What a rule sees for each statement, in order: up file first, then down file. */
export interface StatementContext {
  readonly statement: Statement;
  readonly file: SourceFile;
  readonly side: 'up' | 'down';
  /** The schema as it stands just before this statement. */
  readonly schema: SchemaModel;
  /** What the statement changes (subject and actions), computed once for all rules. */
  readonly changes: StatementChanges;
  readonly migration: Migration;
  /** The statement stands between a BEGIN the file writes and its COMMIT or ROLLBACK: it fails with the block. */
  readonly inExplicitTransaction: boolean;
  /**
   * In a down file: whether an action (or its key) undoes an action of this migration's up, as computed once by the
   * engine from every up action's `undoneBy`. Always false in an up file.
   */
  undoesUp(action: Action | string): boolean;
}

export interface FileContext {
  readonly file: SourceFile;
  readonly side: 'up' | 'down';
  /** The schema after the whole file. */
  readonly schema: SchemaModel;
}

export interface RuleContext {
  readonly migration: Migration;
  /**
   * The whole ordered set (names and paths only: a cached run does not parse earlier files).
   * What earlier migrations did is in `schema` (tables, indexes, functions with securityDefiner/searchPath,
   * roles with superuser, ...). Violations of a migration may depend only on it and the schema before it:
   * the result cache relies on that.
   */
  readonly set: readonly MigrationSummary[];
  /** The schema before this migration's up file. Valid only during create(); use the per-statement schema afterwards. */
  readonly schema: SchemaModel;
  readonly options: VerifyOptions;
  report(descriptor: ReportDescriptor): void;
}

/** An ALTER TABLE command's context: the statement's, plus the table it alters. */
export interface AlterTableContext extends StatementContext {
  /** The qualified table name, as the schema model keys it. */
  readonly table: string;
  /** The table existed before this migration and the model vouches for it (not created here, not touched by dynamic SQL). */
  readonly established: boolean;
}

/**
 * What a rule visits (ESLint's shape): `statement` for every statement, a statement's node kind for statements of that
 * kind (`IndexStmt(node, context)`), `AlterTableCmd` for each command of an ALTER TABLE on a table, then the ends of
 * files and of the migration. The engine dispatches; a rule never compares kinds itself.
 */
export type RuleVisitor = {
  statement?(context: StatementContext): void;
  fileEnd?(context: FileContext): void;
  /** After the up and (if present) the down file. */
  migrationEnd?(context: MigrationEndContext): void;
  AlterTableCmd?(command: AlterTableCmd, context: AlterTableContext): void;
} & { [K in Exclude<NodeKind, 'AlterTableCmd'>]?: (node: NodeByKind[K], context: StatementContext) => void };

/** The schema after the down, and the journal marks around the up: `schema.stateChangesSince(beforeUp)` compares it with the schema before the up. */
export interface MigrationEndContext {
  readonly schema: SchemaModel;
  readonly beforeUp: number;
  readonly afterUp: number;
}

export interface Rule {
  readonly meta: RuleMeta;
  create(context: RuleContext): RuleVisitor;
}

export interface VerifyOptions {
  readonly allowDestructive: boolean;
  /** The PostgreSQL major version the migrations must run on (default: 15, the oldest the runner supports). */
  readonly postgresVersion?: number;
  /** The folder's history starts from an empty database (`startsEmpty` in verify-migrations.json): what it never created does not exist. */
  readonly startsEmpty?: boolean;
  /** The migrations run on a primary with streaming standbys ("standbys" in verify-migrations.json, --standbys, or deploy's detection). */
  readonly standbys?: boolean;
}

export interface Violation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  readonly rule: string;
  readonly severity: Severity;
  readonly message: string;
  readonly help?: string;
  /** The rule's message id (not part of the JSON output). */
  readonly messageId?: string;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

/** Fill {{placeholders}}; an unknown placeholder stays visible rather than vanishing. */
export function formatMessage(template: string, data: Readonly<Record<string, string | number>> = {}): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}
