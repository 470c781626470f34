import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/drop-has-dependents.js';

const ENUM_AND_TABLE = "CREATE TYPE mood AS ENUM ('happy', 'sad');\nCREATE TABLE diary (id bigint PRIMARY KEY, feeling mood NOT NULL);";

// Each case is a whole migration (`before`: earlier ones, which the schema model replays); its name says what it proves.
ruleTester(rule, {
  valid: [
    { name: 'a down that drops the table before its type', up: ENUM_AND_TABLE, down: 'DROP TABLE diary;\nDROP TYPE mood;' },
    { name: 'the type and its table dropped by one statement order-free with CASCADE', up: ENUM_AND_TABLE, down: 'DROP TYPE mood CASCADE;\nDROP TABLE diary;' },
    { name: 'a type no column uses', before: [{ up: "CREATE TYPE mood AS ENUM ('a');" }], up: 'DROP TYPE mood;', down: "CREATE TYPE mood AS ENUM ('a');" },
    { name: 'a referenced table dropped with the table that references it', before: [{ up: 'CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a);' }], up: 'DROP TABLE b, a;' },
    { name: 'a self-referencing table', before: [{ up: 'CREATE TABLE node (id bigint PRIMARY KEY, parent bigint REFERENCES node);' }], up: 'DROP TABLE node;' },
    { name: 'a plain index', before: [{ up: 'CREATE TABLE t (id bigint PRIMARY KEY, a text);\nCREATE INDEX t_a_idx ON t (a);' }], up: 'DROP INDEX t_a_idx;' },
    { name: 'a table dynamic SQL touched', before: [{ up: "CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a);\nDO $$ BEGIN EXECUTE 'ALTER TABLE b DROP CONSTRAINT b_a_id_fkey'; END $$;" }], up: 'DROP TABLE a;' },
  ],
  invalid: [
    {
      name: 'a down that drops a type before the column that uses it',
      up: ENUM_AND_TABLE,
      down: 'DROP TYPE mood;\nDROP TABLE diary;',
      errors: [{ messageId: 'dependents', file: 'down', line: 1, column: 1, endLine: 1, endColumn: 15, message: 'cannot drop type mood because other objects depend on it (column feeling of table diary depends on type mood)' }],
    },
    {
      name: 'a table another table references',
      before: [{ up: 'CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a);' }],
      up: 'DROP TABLE public.a;',
      errors: [{ messageId: 'dependents', line: 1, column: 1, endLine: 1, endColumn: 20, message: 'constraint b_a_id_fkey on table b depends on table a' }],
    },
    {
      name: 'a table a view reads',
      before: [{ up: 'CREATE TABLE a (id bigint PRIMARY KEY);\nCREATE VIEW v AS SELECT id FROM a;' }],
      up: 'DROP TABLE IF EXISTS a;',
      errors: [{ messageId: 'dependents', line: 1, column: 1, endLine: 1, endColumn: 23, message: 'view v depends on table a' }],
    },
    {
      name: 'the index of a primary key',
      before: [{ up: 'CREATE TABLE t (id bigint PRIMARY KEY);' }],
      up: 'DROP INDEX t_pkey;',
      errors: [{ messageId: 'dependents', line: 1, column: 1, endLine: 1, endColumn: 18, message: 'cannot drop index t_pkey because constraint t_pkey on table t requires it' }],
    },
  ],
});
