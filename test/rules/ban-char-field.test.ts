import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-char-field.js';

const countries = { up: 'CREATE TABLE countries (id bigint PRIMARY KEY, code text NOT NULL);', down: 'DROP TABLE countries;' };

ruleTester(rule, {
  valid: [
    { name: 'text and varchar', up: 'CREATE TABLE countries (code text PRIMARY KEY, name varchar(100), alias varchar);' },
    { name: 'the quoted one-byte "char" type is a different type', up: 'CREATE TABLE flags (id bigint PRIMARY KEY, kind "char" NOT NULL, other pg_catalog.char);' },
    { name: 'a user type named like char in another schema', up: 'CREATE TABLE t (id bigint, c myschema.bpchar);' },
    { name: 'char in an expression, not a column type', before: [countries], up: "UPDATE countries SET code = code::char(2) WHERE id = 1;" },
    { name: 'a column name that says char', before: [countries], up: 'ALTER TABLE countries ADD COLUMN "char" text;' },
    { name: 'a down that recreates the char(2) column its up dropped', before: [{ up: 'CREATE TABLE countries (id bigint PRIMARY KEY, code char(2));' }], up: '-- verify:allow-destructive test\nALTER TABLE countries DROP COLUMN code;', down: 'ALTER TABLE countries ADD COLUMN code char(2);' },
    { name: 'a down that reverts the type its up changed', before: [{ up: 'CREATE TABLE countries (id bigint PRIMARY KEY, code character(2));' }], up: 'ALTER TABLE countries ALTER COLUMN code TYPE text;', down: 'ALTER TABLE countries ALTER COLUMN code TYPE char(2);' },
  ],
  invalid: [
    { name: 'char(n) in CREATE TABLE, reported at the type', up: 'CREATE TABLE countries (code char(2) PRIMARY KEY);', errors: [{ messageId: 'charField', line: 1, column: 30, endLine: 1, endColumn: 37, message: 'countries.code is char(2)' }] },
    { name: 'character(n), bare char and bpchar', up: 'CREATE TABLE t (\n    a character(10),\n    b char,\n    c bpchar\n);', errors: [{ messageId: 'charField', line: 2, column: 7, endLine: 2, endColumn: 20, message: 'char(10)' }, { messageId: 'charField', line: 3, column: 7, endLine: 3, endColumn: 11, message: 'char(1)' }, { messageId: 'charField', line: 4, column: 7, endLine: 4, endColumn: 13 }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [countries], up: 'ALTER TABLE countries ADD COLUMN iso3 CHARACTER(3);', errors: [{ messageId: 'charField', line: 1, column: 39, endLine: 1, endColumn: 51 }] },
    { name: 'ALTER COLUMN TYPE, schema-qualified and mixed case', before: [{ up: 'CREATE SCHEMA geo;\nCREATE TABLE geo.countries (id bigint PRIMARY KEY, code text);' }], up: 'ALTER TABLE Geo.Countries ALTER COLUMN code TYPE Char(2);', errors: [{ messageId: 'charField', line: 1, column: 50, endLine: 1, endColumn: 57, message: 'geo.countries.code' }] },
    { name: 'an array of char', up: 'CREATE TABLE t (codes char(2)[]);', errors: [{ messageId: 'charField', line: 1, column: 23, endLine: 1, endColumn: 32, message: 'char(2)[]' }] },
    { name: 'a down file that introduces char(n)', before: [countries], up: 'ALTER TABLE countries ADD COLUMN iso3 text;', down: 'ALTER TABLE countries DROP COLUMN iso3;\nALTER TABLE countries ALTER COLUMN code TYPE char(2);', errors: [{ messageId: 'charField', file: 'down', line: 2, column: 46, endLine: 2, endColumn: 53 }] },
  ],
});
