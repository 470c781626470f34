import { defineRule } from '../rule.js';
import { describeSubject } from '../changes.js';
import { qualifiedName, relationName } from '../ast.js';
import type { SourceFile } from '../../core/migrations/layout.js';

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
    /** Statements whose subject differs from the first one's as written; ownership, known at the file's end, may still make them one. */
    const others: Array<{ subject: string; file: SourceFile; at: number }> = [];
    /** Subjects that are another one under a second name: a renamed table's new name, the view that keeps its old name. */
    const sameAs = new Map<string, string>();
    return {
      statement({ side, changes, statement, file }) {
        if (side !== 'up') return;
        const n = statement.node;
        if (statement.kind === 'RenameStmt' && n.renameType === 'OBJECT_TABLE' && changes.subject === `table ${relationName(n.relation)}`) {
          const from = relationName(n.relation);
          const to = qualifiedName(n.relation?.schemaname, n.newname);
          const subject = resolve(`table ${from}`);
          sameAs.set(`table ${to}`, subject);
          sameAs.set(`view ${from}`, subject);
        }
        if (!changes.subject) return;
        const subject = resolve(changes.subject);
        if (first === undefined) first = subject;
        else if (subject !== first) others.push({ subject, file, at: statement.start });
      },
      fileEnd({ side, schema }) {
        if (side !== 'up') return;
        // Known only once the file has run: a sequence OWNED BY a table column is one of that table's own parts.
        const owner = (subject: string): string => {
          if (!subject.startsWith('sequence ')) return subject;
          const table = schema.object('sequence', subject.slice('sequence '.length))?.ownedBy?.table;
          return table ? resolve(`table ${table}`) : subject;
        };
        if (first === undefined) return;
        const subject = owner(first);
        const second = others.find((s) => owner(s.subject) !== subject);
        if (!second) return;
        context.report({ messageId: 'secondSubject', file: second.file, at: second.at, data: { first: describeSubject(subject), second: describeSubject(owner(second.subject)) } });
      },
    };

    function resolve(subject: string): string {
      return sameAs.get(subject) ?? subject;
    }
  },
});
