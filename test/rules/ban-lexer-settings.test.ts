import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-lexer-settings.js';

ruleTester(rule, {
  valid: [
    { name: 'the default is harmless', up: 'SET standard_conforming_strings = on;' },
    { name: 'backslash_quote at its default', up: "SET backslash_quote = 'safe_encoding';" },
    { name: 'other settings are another rule', up: "SET LOCAL lock_timeout = '5s';" },
    { name: 'an E string escapes the same under every setting', up: "SELECT E'a\\\\b';" },
  ],
  invalid: [
    { name: 'standard_conforming_strings off', up: 'SET standard_conforming_strings = off;', errors: [{ messageId: 'lexerSetting', line: 1, column: 1, endLine: 1, endColumn: 38, message: 'Setting standard_conforming_strings = off makes the server read' }] },
    { name: 'set for every later session of the database', up: 'ALTER DATABASE app SET standard_conforming_strings TO off;', errors: [{ messageId: 'lexerSetting', line: 1, column: 1, endLine: 1, endColumn: 58 }] },
    { name: 'backslash_quote on for a role', up: 'ALTER ROLE app SET backslash_quote = on;', errors: [{ messageId: 'lexerSetting', line: 1, column: 1, endLine: 1, endColumn: 40 }] },
    { name: 'through set_config', up: "SELECT 1;\nSELECT set_config('standard_conforming_strings', 'off', false);", errors: [{ messageId: 'lexerSetting', line: 2, column: 1, endLine: 2, endColumn: 63 }] },
  ],
});
