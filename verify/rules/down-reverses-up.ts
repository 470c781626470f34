import { defineRule } from '../rule.js';
import type { Action } from '../changes.js';
import type { SourceFile } from '../../core/migrations/layout.js';

/** The down file exists and undoes every change of the up, Postgres's implied drops included. */
export default defineRule({
  meta: {
    name: 'down-reverses-up',
    description: 'The down file exists and undoes every change of its up file.',
    category: 'reversibility',
    severity: 'error',
    allowedBy: 'irreversible',
    messages: {
      missingDown: 'No down for {{name}}: this migration cannot be rolled back.',
      emptyDown: 'The down {{down}} has no statement: this migration cannot be rolled back.',
      notUndone: 'Up {{label}}; down never {{inverse}}.',
      cannotUndo: 'Up {{label}}; Postgres {{inverse}}, so the down cannot restore the schema.',
    },
    help: {
      missingDown: 'Add {{downLabel}} that undoes the up, or mark the migration -- verify:irreversible <reason>.',
      emptyDown: 'Write the statements that undo the up, or mark the down -- verify:irreversible <reason>.',
      notUndone: 'Add the inverse statement to the down file, in reverse order of the up.',
      cannotUndo: 'Mark the down -- verify:irreversible <reason>, or recreate the object in the down.',
    },
  },
  create(context) {
    const { migration } = context;
    const upActions: Array<{ action: Action; file: SourceFile; at: number }> = [];
    const performed = new Set<string>();
    return {
      statement({ side, changes, statement, file }) {
        if (side === 'up') for (const action of changes.actions) upActions.push({ action, file, at: statement.start });
        else {
          // What Postgres drops along with a down's statement counts as done: a view's indexes, an owned sequence, what CASCADE reaches.
          for (const action of changes.actions) {
            performed.add(action.key);
            for (const key of action.implies ?? []) performed.add(key);
          }
        }
      },
      migrationEnd() {
        const up = migration.up;
        if (up.parsed.error || migration.down?.parsed.error) return;
        const firstAt = up.parsed.statements[0]?.start ?? 0;
        // An up without statements changes nothing, so there is nothing to undo.
        if (up.parsed.statements.length === 0) return;
        if (!migration.down) {
          context.report({ messageId: 'missingDown', file: up, at: firstAt, data: { name: migration.name, downLabel: migration.downLabel } });
          return;
        }
        if (migration.down.parsed.statements.length === 0) {
          context.report({ messageId: 'emptyDown', file: up, at: firstAt, data: { down: migration.down.path === up.path ? `section of ${up.path}` : `file ${migration.down.path}` } });
          return;
        }
        for (const { action, file, at } of upActions) {
          if (action.undoneBy.some((key) => performed.has(key))) continue;
          context.report({ messageId: action.irreversible ? 'cannotUndo' : 'notUndone', file, at, data: { label: action.label, inverse: action.inverseLabel } });
        }
      },
    };
  },
});
