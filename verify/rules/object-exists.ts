import { defineRule } from '../rule.js';
import { objectProblemVisitor } from '../object-checks.js';

/** A statement that creates or adds what the history already made fails: say so before PostgreSQL does. */
export default defineRule({
  meta: {
    name: 'object-exists',
    description: 'A statement does not create or add an object that the migrations before it already made.',
    category: 'integrity',
    severity: 'error',
    messages: {
      exists: 'PostgreSQL stops the migration here: {{error}}.',
    },
    help: {
      exists: 'Drop or rename the existing object first, or use IF NOT EXISTS / OR REPLACE where PostgreSQL offers it.',
    },
  },
  create(context) {
    return objectProblemVisitor(context, 'exists', (problem, file) => context.report({ messageId: 'exists', file, at: problem.at, data: { error: problem.error } }));
  },
});
