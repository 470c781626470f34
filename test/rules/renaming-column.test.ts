import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/renaming-column.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);', down: 'DROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'a column of a table created in the same migration', up: 'CREATE TABLE users (id bigint PRIMARY KEY, mail text);\nALTER TABLE users RENAME COLUMN mail TO email;' },
    { name: 'a column added by the same migration', before: [users], up: 'ALTER TABLE users ADD COLUMN nick text;\nALTER TABLE users RENAME COLUMN nick TO nickname;' },
    { name: 'a down that renames back what the up renamed is the rollback', before: [users], up: '-- verify:ignore renaming-column the app reads both names since v42\nALTER TABLE users RENAME COLUMN email TO email_address;', down: 'ALTER TABLE users RENAME COLUMN email_address TO email;' },
    { name: 'a quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Users" ("Mail" text);\nALTER TABLE APP."Users" RENAME "Mail" TO "Email";' },
    { name: 'a view column is not a table column', before: [users, { up: 'CREATE VIEW user_emails AS SELECT id, email FROM users;' }], up: 'ALTER VIEW user_emails RENAME COLUMN email TO address;' },
    { name: 'renaming a constraint is not renaming a column', before: [users], up: 'ALTER TABLE users RENAME CONSTRAINT users_pkey TO users_pk;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE users (id bigint PRIMARY KEY, mail text);\nDO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;" }], up: 'ALTER TABLE users RENAME COLUMN mail TO email;' },
  ],
  invalid: [
    { name: 'a column of a table created earlier', before: [users], up: 'ALTER TABLE users RENAME COLUMN email TO email_address;', errors: [{ messageId: 'renameColumn', line: 1, column: 1, endLine: 1, endColumn: 55, message: 'Renaming column users.email to email_address breaks every running query' }] },
    { name: 'a table the history never created counts as existing', up: '-- Clearer name.\nALTER TABLE orders RENAME total TO total_cents;', errors: [{ messageId: 'renameColumn', line: 2, column: 1, endLine: 2, endColumn: 47, message: 'orders.total' }] },
    { name: 'mixed case, schema-qualified, IF EXISTS', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (Mail text);' }], up: '    ALTER TABLE IF EXISTS APP.USERS RENAME COLUMN MAIL TO Email;', errors: [{ messageId: 'renameColumn', line: 1, column: 5, endLine: 1, endColumn: 64, message: 'app.users.mail to email' }] },
    { name: 'a quoted column of an earlier quoted table', before: [{ up: 'CREATE TABLE "Users" ("Mail" text);' }], up: 'ALTER TABLE "Users" RENAME COLUMN "Mail" TO "Email";', errors: [{ messageId: 'renameColumn', line: 1, column: 1, endLine: 1, endColumn: 52, message: 'Users.Mail to Email' }] },
    { name: 'a down that renames a column the up did not touch', before: [users], up: 'ALTER TABLE users ADD COLUMN nick text;', down: 'ALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE users DROP COLUMN nick;', errors: [{ messageId: 'renameColumn', line: 1, column: 1, endLine: 1, endColumn: 46, file: 'down' }] },
  ],
});
