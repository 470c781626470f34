import { runnerOf } from '../../core/migrations/layout.js';
import { sessionChange } from '../../core/migrations/session-statements.js';
import { defineRule } from '../rule.js';

/**
 * A runner that keeps one session for a whole run (golang-migrate, diesel, dbmate, ...) hands every later migration
 * the settings, role and locks this one leaves behind. Ours resets the session before each migration, so it is quiet
 * there.
 */
export default defineRule({
  meta: {
    name: 'session-state-leak',
    description: 'A migration leaves no session setting, role or lock change to the migrations after it.',
    category: 'integrity',
    severity: 'warning',
    messages: {
      leak: '{{change}} outlives this migration: {{runner}} runs the next migrations in the same session, so they inherit it (a search_path puts their tables in another schema, a role changes their owner, an unlock frees the run\'s lock).',
    },
    help: {
      leak: 'Use SET LOCAL (or set_config(..., true)) inside the migration\'s transaction, or undo the change at the end of the file.',
    },
  },
  create(context) {
    const { migration } = context;
    return {
      statement({ statement, file }) {
        // Ours restores the session before each migration and holds its lock on a connection migrations never see.
        if (migration.layout === 'paired') return;
        const change = sessionChange(statement, file.lines.textBetween(statement.start, statement.end));
        if (change) context.report({ messageId: 'leak', file, at: statement.start, data: { change, runner: runnerOf(migration.layout) } });
      },
    };
  },
});
