import { defineRule } from '../rule.js';
import type { Action } from '../changes.js';
import type { SourceFile } from '../../core/migrations/layout.js';
import { describeDifference, schemaDifferences, type SchemaDifference } from '../schema-diff.js';
import { doBlockStatements } from '../../core/migrations/do-block.js';

/** Changes the schema model does not keep as state: matched statement by statement (GRANT ↔ REVOKE, ENABLE ↔ DISABLE). */
const MATCHED = /^(grant|revoke|enable rls|disable rls|force rls|noforce rls|enable trigger|disable trigger) /;

/** Data changes: another rule's business (down-reverses-data). */
const DATA = /^(insert|update|delete|truncate) /;

/** Statements that change no schema: an up made only of these needs no schema undone. */
const NO_SCHEMA = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'TruncateStmt', 'SelectStmt', 'CopyStmt', 'VariableSetStmt', 'VariableShowStmt', 'ExplainStmt', 'NotifyStmt', 'ListenStmt', 'LockStmt', 'VacuumStmt', 'AnalyzeStmt', 'ClusterStmt', 'ReindexStmt', 'RefreshMatViewStmt', 'CheckPointStmt', 'DiscardStmt', 'TransactionStmt', 'PrepareStmt', 'ExecuteStmt', 'DeallocateStmt', 'CallStmt']);

/**
 * Statements whose effect the schema model does not keep as state (owners, role settings and memberships, default
 * privileges, event triggers, security labels): an up with one changes the schema in a way no comparison can see, so an
 * empty down cannot be taken as restoring it.
 */
const UNTRACKED = new Set(['AlterOwnerStmt', 'AlterDefaultPrivilegesStmt', 'AlterRoleSetStmt', 'AlterRoleStmt', 'GrantRoleStmt', 'CreateRoleStmt', 'DropRoleStmt', 'AlterDatabaseSetStmt', 'AlterDatabaseStmt', 'AlterFunctionStmt', 'CreateEventTrigStmt', 'AlterEventTrigStmt', 'SecLabelStmt', 'AlterExtensionStmt', 'AlterExtensionContentsStmt', 'AlterTSConfigurationStmt', 'AlterTSDictionaryStmt']);

/** The down restores the schema the up changed: compared as state, object by object, Postgres's implied drops included. */
export default defineRule({
  meta: {
    name: 'down-reverses-up',
    description: 'The down file exists and undoes every change of its up file to the schema.',
    category: 'reversibility',
    severity: 'error',
    allowedBy: 'irreversible',
    messages: {
      missingDown: 'No down for {{name}}: this migration cannot be rolled back.',
      emptyDown: 'The down {{down}} has no statement, and the up changes the schema: this migration cannot be rolled back.',
      notUndone: 'Up {{label}}; down never {{inverse}}.',
      notRestored: 'After the down, the {{aspects}} of {{what}} is not what it was before the up.',
      downChanges: 'Down {{label}}: {{what}} {{was}} before the up.',
      cannotUndo: 'Up {{label}}; Postgres {{inverse}}, so the down cannot restore the schema.',
    },
    help: {
      missingDown: 'Add {{downLabel}} that undoes the up, or mark the migration -- verify:irreversible <reason>.',
      emptyDown: 'Write the statements that undo the up, or mark the down -- verify:irreversible <reason>.',
      notUndone: 'Add the inverse statement to the down file, in reverse order of the up.',
      notRestored: 'Make the down put back the {{aspects}} of {{what}} exactly as it was before the up.',
      downChanges: 'Make the down undo the up and nothing else.',
      cannotUndo: 'Mark the down -- verify:irreversible <reason>, or recreate the object in the down.',
    },
  },
  create(context) {
    const { migration } = context;
    /** Actions of each statement, by side and byte offset: what labels a difference found at that statement. */
    const actionsAt = new Map<string, readonly Action[]>();
    const matched: Array<{ action: Action; file: SourceFile; at: number }> = [];
    const performed = new Set<string>();
    let changesSchema = false;
    let untracked = false;
    return {
      statement({ side, changes, statement, file }) {
        actionsAt.set(`${side} ${statement.start}`, changes.actions);
        if (side === 'up') {
          // A DO block counts as what it surely runs, when it is written out (a DO of UPDATEs changes no schema;
          // what sits under IF may not run on this server).
          // A change that may run (under IF) still needs a down to exist; an empty down is judged on what surely runs.
          const embedded = statement.kind === 'DoStmt' ? doBlockStatements(statement.node) : 'dynamic';
          const kinds = embedded === 'dynamic' ? [statement.kind] : embedded.map((s) => s.kind);
          const surely = embedded === 'dynamic' ? [statement.kind] : embedded.filter((s) => !s.conditional).map((s) => s.kind);
          if (kinds.some((kind) => !NO_SCHEMA.has(kind))) changesSchema = true;
          if (surely.some((kind) => UNTRACKED.has(kind))) untracked = true;
          for (const action of changes.actions) if (MATCHED.test(action.key)) matched.push({ action, file, at: statement.start });
        } else {
          // What Postgres drops along with a down's statement counts as done: a view's grants go with the view.
          for (const action of changes.actions) {
            performed.add(action.key);
            for (const key of action.implies ?? []) performed.add(key);
          }
        }
      },
      migrationEnd(end) {
        const up = migration.up;
        if (up.parsed.error || migration.down?.parsed.error || !end) return;
        // Dynamic SQL the model could not pin to tables: it cannot vouch for what a down restores (but a missing down is missing).
        const opaque = end.schema.opaqueIn(migration.name);
        const differences = opaque ? [] : schemaDifferences(end.schema.stateChangesSince(end.beforeUp), end.afterUp);
        const unmatched = matched.filter(({ action }) => !action.undoneBy.some((key) => performed.has(key)));
        const firstAt = up.parsed.statements[0]?.start ?? 0;
        // No down at all: the runner cannot roll it back, whatever the up changes (data included).
        if (!migration.down) {
          if (up.parsed.statements.length > 0) context.report({ messageId: 'missingDown', file: up, at: firstAt, data: { name: migration.name, downLabel: migration.downLabel } });
          return;
        }
        if (!changesSchema && differences.length === 0 && unmatched.length === 0) return;
        if (opaque) return;
        const down = migration.down;
        if (down.parsed.statements.length === 0) {
          if (differences.length === 0 && unmatched.length === 0 && !untracked) return;
          context.report({ messageId: 'emptyDown', file: up, at: firstAt, data: { down: down.path === up.path ? `section of ${up.path}` : `file ${down.path}` } });
          return;
        }
        const seen = new Set<string>();
        const report = (messageId: string, file: SourceFile, at: number, data: Record<string, string>): void => {
          const key = `${file === up ? 'up' : 'down'} ${at} ${messageId} ${data.label ?? data.what}`;
          if (seen.has(key)) return;
          seen.add(key);
          context.report({ messageId, file, at, data });
        };
        for (const difference of differences.sort((a, b) => (a.up?.index ?? a.down?.index ?? 0) - (b.up?.index ?? b.down?.index ?? 0))) {
          const what = describeDifference(difference);
          const step = difference.up ?? difference.down;
          if (!step) continue;
          const side = difference.up ? 'up' : 'down';
          const file = side === 'up' ? up : down;
          const action = actionFor(actionsAt.get(`${side} ${step.at}`) ?? [], difference);
          if (side === 'down') {
            const label = action?.label ?? genericLabel(difference).label;
            report('downChanges', file, step.at, { label, what, was: difference.change === 'left' ? 'did not exist' : difference.change === 'missing' ? 'existed' : 'was otherwise' });
            continue;
          }
          if (action?.irreversible) {
            report('cannotUndo', file, step.at, { label: action.label, inverse: action.inverseLabel });
            continue;
          }
          if (difference.change === 'changed' && (difference.down || !action)) {
            report('notRestored', file, step.at, { aspects: joinAspects(difference.aspects), what });
            continue;
          }
          const generic = genericLabel(difference);
          report('notUndone', file, step.at, { label: action?.label ?? generic.label, inverse: action?.inverseLabel ?? generic.inverse });
        }
        for (const { action, file, at } of unmatched) report(action.irreversible ? 'cannotUndo' : 'notUndone', file, at, { label: action.label, inverse: action.inverseLabel });
      },
    };
  },
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The statement's action about this difference: its key names the object (exactly, then as a prefix: an enum's value). */
function actionFor(actions: readonly Action[], difference: SchemaDifference): Action | undefined {
  const schema = actions.filter((a) => !DATA.test(a.key));
  const name = escape(difference.name);
  return (
    schema.find((a) => new RegExp(`(^| |>)${name}($| |-)`).test(a.key)) ??
    (difference.kind === 'table' ? undefined : schema.find((a) => new RegExp(`(^| )${name}\\.`).test(a.key))) ??
    // A rename's key names the new object by its last name only.
    schema.find((a) => a.key.startsWith('rename ') && a.key.endsWith(`>${difference.name.slice(difference.name.lastIndexOf('.') + 1)}`))
  );
}

function genericLabel(difference: SchemaDifference): { label: string; inverse: string } {
  const what = describeDifference(difference);
  const part = difference.kind === 'column' || difference.kind === 'constraint';
  if (difference.change === 'left') return { label: `${part ? 'adds' : 'creates'} ${what}`, inverse: 'drops it' };
  if (difference.change === 'missing') return { label: `drops ${what}`, inverse: part ? 'adds it back' : 'recreates it' };
  return { label: `changes the ${joinAspects(difference.aspects)} of ${what}`, inverse: 'restores it' };
}

function joinAspects(aspects: readonly string[]): string {
  if (aspects.length <= 1) return aspects[0] ?? 'definition';
  return `${aspects.slice(0, -1).join(', ')} and ${aspects[aspects.length - 1]}`;
}
