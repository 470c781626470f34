import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-drop-not-null.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, nick text);', down: 'DROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'a table created in the same migration', up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;' },
    { name: 'a down that drops the NOT NULL its up set is the rollback', before: [users], up: 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL;', down: 'ALTER TABLE users ALTER COLUMN nick DROP NOT NULL;' },
    { name: 'a column that is already nullable', before: [users], up: 'ALTER TABLE users ALTER COLUMN nick DROP NOT NULL;' },
    { name: 'a quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Users" ("Email" text NOT NULL);\nALTER TABLE APP."Users" ALTER "Email" DROP NOT NULL;' },
    { name: 'SET NOT NULL is another rule', before: [users], up: 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\nDO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;" }], up: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;' },
  ],
  invalid: [
    { name: 'a NOT NULL column of a table created earlier', before: [users], up: 'ALTER TABLE users ALTER COLUMN email DROP NOT NULL;', errors: [{ messageId: 'dropNotNull', line: 1, column: 1, endLine: 1, endColumn: 51, message: 'Dropping NOT NULL on users.email lets NULLs in' }] },
    { name: 'a table the history never created counts as existing', up: '-- Guests have no email.\nALTER TABLE accounts ALTER email DROP NOT NULL;', errors: [{ messageId: 'dropNotNull', line: 2, column: 1, endLine: 2, endColumn: 47, message: 'accounts.email' }] },
    { name: 'mixed case, schema-qualified, IF EXISTS', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (Email text NOT NULL);' }], up: '  ALTER TABLE IF EXISTS APP.USERS ALTER COLUMN EMAIL DROP NOT NULL;', errors: [{ messageId: 'dropNotNull', line: 1, column: 3, endLine: 1, endColumn: 67, message: 'app.users.email' }] },
    { name: 'a column made NOT NULL by an earlier migration', before: [users, { up: 'ALTER TABLE users ALTER COLUMN nick SET NOT NULL;' }], up: 'ALTER TABLE users ALTER COLUMN nick DROP NOT NULL;', errors: [{ messageId: 'dropNotNull', line: 1, column: 1, endLine: 1, endColumn: 50 }] },
    { name: 'a down that drops a NOT NULL the up did not set', before: [users], up: 'ALTER TABLE users ADD COLUMN bio text;', down: 'ALTER TABLE users DROP COLUMN bio;\nALTER TABLE users ALTER COLUMN email DROP NOT NULL;', errors: [{ messageId: 'dropNotNull', line: 2, column: 1, endLine: 2, endColumn: 51, file: 'down' }] },
  ],
});
