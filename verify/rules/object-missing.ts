import { defineRule } from '../rule.js';
import { objectProblemVisitor } from '../object-checks.js';

/** A statement that names what does not exist fails: said only where the model can know (a near miss, or a history that starts empty). */
export default defineRule({
  meta: {
    name: 'object-missing',
    description: 'A statement does not name a table, column, constraint, index or type that does not exist at that point.',
    category: 'integrity',
    severity: 'error',
    messages: {
      missing: 'PostgreSQL stops the migration here: {{error}}.',
      nearMiss: 'PostgreSQL stops the migration here: {{error}} (did you mean {{suggestion}}?).',
    },
    help: {
      missing: 'Create it in an earlier statement or migration, or correct the name.',
      nearMiss: 'Write {{suggestion}}, the name the migrations before this one created.',
    },
  },
  create(context) {
    return objectProblemVisitor(context, 'missing', (problem, file) => context.report({ messageId: problem.suggestion ? 'nearMiss' : 'missing', file, at: problem.at, data: { error: problem.error, suggestion: problem.suggestion ?? '' } }));
  },
});
