import { defineRule } from '../rule.js';
import { objectProblemVisitor } from '../object-checks.js';

/** A DROP without CASCADE of what other objects still depend on fails: said with PostgreSQL's own words and the dependent it names. */
export default defineRule({
  meta: {
    name: 'drop-has-dependents',
    description: 'A DROP without CASCADE does not name a type, table, view or index that other objects still depend on.',
    category: 'integrity',
    severity: 'error',
    messages: {
      dependents: 'PostgreSQL stops the migration here: {{error}} ({{detail}}).',
    },
    help: {
      dependents: 'Drop or change the dependent objects first (a down undoes its up in reverse order), or add CASCADE if they are meant to go too.',
    },
  },
  create(context) {
    return objectProblemVisitor(context, 'dependents', (problem, file) => context.report({ messageId: 'dependents', file, at: problem.at, data: { error: problem.error, detail: problem.detail ?? '' } }));
  },
});
