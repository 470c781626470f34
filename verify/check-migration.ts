// One migration through the rules: its up then its down replayed into the schema model statement by statement,
// each rule's visitor called with the statement, its changes and the schema before it; the down's effects undone.
import type { Migration, MigrationSummary, SourceFile } from '../core/migrations/layout.js';
import { changesOf, type Action } from './changes.js';
import { applyDirectives, type RawViolation, type SeverityOf } from './apply-directives.js';
import type { AlterTableContext, Rule, RuleVisitor, StatementContext, VerifyOptions, Violation } from './rule.js';
import { alterTableOf } from './ast.js';
import type { AlterTableCmd } from '@pgsql/types';
import type { SchemaModel } from './schema-model.js';

/** Run every rule over one migration, replaying it into the model; the down's effects are undone afterwards. */
export function checkMigration(migration: Migration, model: SchemaModel, active: readonly Rule[], set: readonly MigrationSummary[], options: VerifyOptions, severityOf: SeverityOf, known: ReadonlySet<string>): Violation[] {
  const raw: RawViolation[] = [];
  const broken = migration.up.parsed.error !== undefined || migration.down?.parsed.error !== undefined;
  const visitors: Array<{ rule: Rule; visitor: RuleVisitor }> = broken
    ? []
    : active.map((rule) => ({
        rule,
        visitor: rule.create({
          migration,
          set,
          schema: model,
          options,
          report: (d) => raw.push({ rule, messageId: d.messageId, file: d.file, at: d.at, endAt: d.endAt, data: d.data }),
        }),
      }));
  // A file that does not parse is reported as a syntax error only: judging half a migration would cry wolf.
  const beforeUp = model.mark();
  // What the down should do, computed once: the keys of every up action's undoneBy.
  const inverses = new Set<string>();
  replayFile(migration, migration.up, 'up', model, visitors, inverses);
  const afterUp = model.mark();
  if (migration.down) replayFile(migration, migration.down, 'down', model, visitors, inverses);
  for (const { visitor } of visitors) visitor.migrationEnd?.({ schema: model, beforeUp, afterUp });
  model.rollback(afterUp);
  model.commit();
  const files = [migration.up, migration.down].filter((f): f is SourceFile => f !== undefined);
  return applyDirectives(migration, raw, severityOf, options, files, known);
}

function replayFile(migration: Migration, file: SourceFile, side: 'up' | 'down', model: SchemaModel, visitors: Array<{ visitor: RuleVisitor }>, inverses: Set<string>): void {
  let open = false;
  const undoesUp = (action: Action | string): boolean => side === 'down' && inverses.has(typeof action === 'string' ? action : action.key);
  for (const statement of file.parsed.statements) {
    const changes = changesOf(statement, model);
    if (side === 'up') for (const action of changes.actions) for (const key of action.undoneBy) inverses.add(key);
    const control = statement.kind === 'TransactionStmt' ? String(statement.node.kind ?? '') : '';
    const inExplicitTransaction = open && control === '';
    const context: StatementContext = { statement, file, side, schema: model, changes, migration, inExplicitTransaction, undoesUp };
    const alterTable = lazyAlterTable(context);
    for (const { visitor } of visitors) dispatch(visitor, context, alterTable);
    model.apply(statement, { migration: migration.name, file: file.path });
    if (/TRANS_STMT_(BEGIN|START)$/.test(control)) open = true;
    else if (/TRANS_STMT_(COMMIT|ROLLBACK|PREPARE)$/.test(control) && !statement.node.chain) open = false;
  }
  for (const { visitor } of visitors) visitor.fileEnd?.({ file, side, schema: model });
}

/** An ALTER TABLE's commands and their context, worked out once per statement for the rules that ask. */
type AlterTableOf = () => { readonly commands: readonly unknown[]; readonly context: AlterTableContext } | undefined;

function lazyAlterTable(context: StatementContext): AlterTableOf {
  let done = false;
  let value: ReturnType<AlterTableOf>;
  return () => {
    if (done) return value;
    done = true;
    const alter = alterTableOf(context.statement);
    if (alter) value = { commands: alter.commands, context: { ...context, table: alter.table, established: context.schema.isEstablished(alter.table, context.migration.name) } };
    return value;
  };
}

/** One statement to one rule: `statement`, the handler of its node kind, `AlterTableCmd` for each command on a table. */
function dispatch(visitor: RuleVisitor, context: StatementContext, alterTable: AlterTableOf): void {
  visitor.statement?.(context);
  const { statement } = context;
  const handler = (visitor as Record<string, ((node: unknown, context: StatementContext) => void) | undefined>)[statement.kind];
  handler?.call(visitor, statement.node, context);
  if (visitor.AlterTableCmd) {
    const alter = alterTable();
    if (!alter) return;
    for (const command of alter.commands) visitor.AlterTableCmd(command as AlterTableCmd, alter.context);
  }
}

/** Replay an up into the model without running rules (its violations are cached). */
export function replayModel(migration: Migration, model: SchemaModel): void {
  if (migration.up.parsed.error) return;
  for (const statement of migration.up.parsed.statements) model.apply(statement, { migration: migration.name, file: migration.up.path });
  model.commit();
}
