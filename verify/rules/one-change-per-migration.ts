import { defineRule } from '../rule.js';
import { displayName } from '../ast.js';

/** Every statement of an up file changes one subject: one table (with its own parts), function, type, view, sequence, extension or schema. */
export default defineRule({
  meta: {
    name: 'one-change-per-migration',
    description: 'All statements of an up file change one subject.',
    category: 'structure',
    severity: 'error',
    messages: {
      secondSubject: 'This statement changes {{second}}, but the migration already changes {{first}}: a rollback of one would undo both.',
    },
    help: {
      secondSubject: 'Move the change to {{second}} into its own migration (make new NAME=...).',
    },
  },
  create(context) {
    let first: string | undefined;
    let reported = false;
    return {
      statement({ side, changes, statement, file }) {
        if (side !== 'up' || reported || !changes.subject) return;
        if (first === undefined) {
          first = changes.subject;
          return;
        }
        if (changes.subject === first) return;
        reported = true;
        context.report({ messageId: 'secondSubject', file, at: statement.start, data: { first: label(first), second: label(changes.subject) } });
      },
    };
  },
});

function label(subject: string): string {
  const space = subject.indexOf(' ');
  return `${subject.slice(0, space)} ${displayName(subject.slice(space + 1))}`;
}
