import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-enum-value-ordering.js';

const severity = { up: "CREATE TYPE severity AS ENUM ('low', 'high');" };

ruleTester(rule, {
  valid: [
    { name: 'AFTER a label', before: [severity], up: "ALTER TYPE severity ADD VALUE 'medium' AFTER 'low';" },
    { name: 'BEFORE a label, IF NOT EXISTS', before: [severity], up: "ALTER TYPE severity ADD VALUE IF NOT EXISTS 'medium' BEFORE 'high';" },
    { name: 'renaming a value is not adding one', before: [severity], up: "ALTER TYPE severity RENAME VALUE 'high' TO 'severe';" },
  ],
  invalid: [
    { name: 'appended without a place', before: [severity], up: "-- Add medium.\nALTER TYPE severity ADD VALUE 'medium';", errors: [{ messageId: 'unordered', line: 2, column: 1, endLine: 2, endColumn: 39, message: "ADD VALUE 'medium'" }] },
    { name: 'schema-qualified type', up: "ALTER TYPE audit.level ADD VALUE 'x';", errors: [{ messageId: 'unordered', line: 1, column: 1, endLine: 1, endColumn: 37, message: 'audit.level' }] },
  ],
});
