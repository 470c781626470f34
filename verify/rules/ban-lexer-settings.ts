import { lexerSetting } from '../../core/migrations/session-statements.js';
import { defineRule } from '../rule.js';

/** After `SET standard_conforming_strings = off` the server reads string literals differently from the parser. */
export default defineRule({
  meta: {
    name: 'ban-lexer-settings',
    description: 'A migration never changes how the server reads string literals.',
    category: 'security',
    severity: 'error',
    messages: {
      lexerSetting: 'Setting {{setting}} makes the server read string literals differently from the parser, so later statements may not be the ones that were checked (a quote can end a string where the parser saw none).',
    },
    help: {
      lexerSetting: "Remove the setting and write escapes as E'...' strings, which mean the same under every setting.",
    },
  },
  create(context) {
    return {
      statement({ statement, file }) {
        const setting = lexerSetting(statement, file.lines.textBetween(statement.start, statement.end));
        if (setting) context.report({ messageId: 'lexerSetting', file, at: statement.start, data: { setting } });
      },
    };
  },
});
