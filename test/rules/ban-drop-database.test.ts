import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-drop-database.js';

ruleTester(rule, {
  valid: [
    { name: 'dropping a table is another rule', up: 'DROP TABLE IF EXISTS legacy_users;' },
    { name: 'dropping a schema is another rule', up: 'DROP SCHEMA IF EXISTS legacy;' },
    { name: 'the words in a comment or a string are not a statement', up: "-- DROP DATABASE app;\nCOMMENT ON TABLE users IS 'never DROP DATABASE app';" },
  ],
  invalid: [
    { name: 'DROP DATABASE in a transactional migration fails, and would delete everything', up: 'DROP DATABASE analytics;', errors: [{ messageId: 'dropDatabaseInTransaction', line: 1, column: 1, endLine: 1, endColumn: 24, message: 'cannot run inside a transaction block' }] },
    { name: 'DROP DATABASE IF EXISTS in a no-transaction migration', up: '-- migrate:no-transaction\nDROP DATABASE IF EXISTS "Analytics" WITH (FORCE);', errors: [{ messageId: 'dropDatabase', line: 2, column: 1, endLine: 2, endColumn: 49, message: 'Dropping database Analytics deletes every schema, table and row in it for good.' }] },
    { name: 'in a down file', up: 'CREATE TABLE users (id bigint PRIMARY KEY);', down: '  drop database app;\nDROP TABLE users;', errors: [{ messageId: 'dropDatabaseInTransaction', line: 1, column: 3, endLine: 1, endColumn: 20, file: 'down' }] },
  ],
});
