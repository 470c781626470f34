import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/identifier-too-long.js';

const a63 = 'a'.repeat(63);
const a64 = 'a'.repeat(64);
/** 31 two-byte characters and one ASCII: 63 bytes. */
const e63 = `${'é'.repeat(31)}a`;
/** 32 characters but 64 bytes. */
const e64 = 'é'.repeat(32);

ruleTester(rule, {
  valid: [
    { name: 'exactly 63 bytes, unquoted', up: `CREATE TABLE ${a63} (id bigint);` },
    { name: 'exactly 63 bytes of UTF-8, quoted', up: `CREATE TABLE "${e63}" (id bigint);` },
    { name: 'upper-case letters fold without changing the length', up: `CREATE TABLE ${a63.toUpperCase()} (id bigint);` },
    { name: 'a long string literal is not an identifier', up: `CREATE TABLE t (id bigint, note text DEFAULT '${a64}');` },
    { name: 'a long word in a function body (a string) is not an identifier here', up: `CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN '${a64}'; END $$;` },
    { name: 'a long word in a comment', up: `-- ${a64}\nCREATE TABLE t (id bigint);` },
    { name: 'a U& identifier is measured after decoding its escapes', up: `CREATE TABLE U&"${'\\0061'.repeat(20)}" (id bigint);` },
    { name: 'a quoted name with a doubled quote that fits', up: `CREATE TABLE "${'a'.repeat(61)}""" (id bigint);` },
  ],
  invalid: [
    { name: '64 bytes, unquoted, reported at the name', up: `CREATE TABLE ${a64} (id bigint);`, errors: [{ messageId: 'tooLong', line: 1, column: 14, endLine: 1, endColumn: 78, message: `is 64 bytes long: Postgres silently truncates it to its first 63 bytes (${a63})` }] },
    { name: '32 characters that take 64 bytes', up: `CREATE TABLE t (\n    "${e64}" bigint\n);`, errors: [{ messageId: 'tooLong', line: 2, column: 5, endLine: 2, endColumn: 39, message: 'is 64 bytes long' }] },
    { name: 'a quoted name whose doubled quote makes it 64 bytes', up: `CREATE TABLE "${'a'.repeat(62)}""b" (id bigint);`, errors: [{ messageId: 'tooLong', line: 1, column: 14, endLine: 1, endColumn: 81, message: `${'a'.repeat(62)}"b is 64 bytes` }] },
    { name: 'a U& identifier counted after its escapes', up: `CREATE TABLE U&"${'\\0061'.repeat(64)}" (id bigint);`, errors: [{ messageId: 'tooLong', line: 1, column: 14, endLine: 1, endColumn: 338, message: 'is 64 bytes' }] },
    { name: 'an index name on a table from an earlier migration', before: [{ up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);' }], up: `CREATE INDEX idx_${'x'.repeat(60)} ON products (name);`, errors: [{ messageId: 'tooLong', line: 1, column: 14, endLine: 1, endColumn: 78, message: 'is 64 bytes' }] },
    { name: 'a column and a constraint in one statement', up: `CREATE TABLE t (\n    ${a64} bigint,\n    CONSTRAINT ${'c'.repeat(70)} CHECK (${a64} > 0)\n);`, errors: [{ messageId: 'tooLong', line: 2, column: 5, endLine: 2, endColumn: 69 }, { messageId: 'tooLong', line: 3, column: 16, endLine: 3, endColumn: 86, message: 'is 70 bytes' }, { messageId: 'tooLong', line: 3, column: 94, endLine: 3, endColumn: 158 }] },
    { name: 'RENAME to a long name', before: [{ up: 'CREATE TABLE t (id bigint);' }], up: `ALTER TABLE t RENAME TO ${a64};`, errors: [{ messageId: 'tooLong', line: 1, column: 25, endLine: 1, endColumn: 89 }] },
    { name: 'a DROP by the long name in a down file', up: `CREATE TABLE ${a64.replace(/a/g, 'b')} (id bigint);`, down: `DROP TABLE ${a64.replace(/a/g, 'b')};`, errors: [{ messageId: 'tooLong', file: 'down', line: 1, column: 12, endLine: 1, endColumn: 76 }, { messageId: 'tooLong', line: 1, column: 14, endLine: 1, endColumn: 78 }] },
  ],
});
