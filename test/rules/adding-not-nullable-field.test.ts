import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/adding-not-nullable-field.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text, handle text NOT NULL);', down: 'DROP TABLE users;' };
const checkNotValid = { up: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;' };
const validate = { up: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;' };

ruleTester(rule, {
  valid: [
    { name: 'a CHECK added NOT VALID, then validated, in earlier migrations', before: [users, checkNotValid, validate], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
    { name: 'a CHECK added valid in an earlier migration', before: [users, { up: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL);' }], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
    { name: 'VALIDATE earlier in the same file', before: [users, checkNotValid], up: 'ALTER TABLE users VALIDATE CONSTRAINT users_email_not_null;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
    { name: 'the column is already NOT NULL', before: [users], up: 'ALTER TABLE users ALTER COLUMN handle SET NOT NULL;' },
    { name: 'a table created in the same migration', up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nALTER TABLE tags ALTER COLUMN label SET NOT NULL;' },
    { name: 'the check follows a renamed column', before: [users, { up: 'ALTER TABLE users ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL);' }, { up: 'ALTER TABLE users RENAME COLUMN email TO contact_email;' }], up: 'ALTER TABLE users ALTER COLUMN contact_email SET NOT NULL;' },
    { name: 'mixed-case, schema-qualified names resolve to the checked column', before: [users, { up: 'ALTER TABLE Public.Users ADD CONSTRAINT users_email_not_null CHECK (EMAIL IS NOT NULL);' }], up: 'ALTER TABLE IF EXISTS PUBLIC.USERS ALTER Email SET NOT NULL;' },
    { name: 'quoted table created in the same migration', up: 'CREATE TABLE "Tags" ("Label" text);\nALTER TABLE "Tags" ALTER COLUMN "Label" SET NOT NULL;' },
    { name: 'Postgres 18 NOT NULL constraint added NOT VALID', before: [users], up: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [users, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL)'; END $$;" }], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;' },
  ],
  invalid: [
    { name: 'SET NOT NULL on a table created in an earlier migration', before: [users], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 1, column: 1, endLine: 1, endColumn: 50, message: 'Setting users.email NOT NULL scans every row of users under an ACCESS EXCLUSIVE lock' }] },
    { name: 'a CHECK still NOT VALID proves nothing', before: [users, checkNotValid], up: '-- Emails are required now.\nALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 2, column: 1, endLine: 2, endColumn: 50 }] },
    { name: 'a CHECK on another column proves nothing', before: [users, { up: 'ALTER TABLE users ADD CONSTRAINT users_handle_not_null CHECK (handle IS NOT NULL);' }], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 1, column: 1, endLine: 1, endColumn: 50 }] },
    { name: 'a CHECK that is not exactly IS NOT NULL proves nothing here', before: [users, { up: "ALTER TABLE users ADD CONSTRAINT users_email_format CHECK (email LIKE '%@%');" }], up: 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 1, column: 1, endLine: 1, endColumn: 50 }] },
    { name: 'a table the history never created counts as existing', up: 'ALTER TABLE orders ALTER COLUMN total SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 1, column: 1, endLine: 1, endColumn: 51, message: 'orders.total' }] },
    { name: 'a column added earlier in the same migration with a default', before: [users], up: "ALTER TABLE users ADD COLUMN locale text DEFAULT 'en';\nALTER TABLE users ALTER COLUMN locale SET NOT NULL;", errors: [{ messageId: 'setNotNull', line: 2, column: 1, endLine: 2, endColumn: 51 }] },
    { name: 'Postgres 18 ADD CONSTRAINT ... NOT NULL', before: [users], up: 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;', errors: [{ messageId: 'addNotNull', line: 1, column: 23, endLine: 1, endColumn: 63, message: 'users_email_nn on users.email' }] },
    { name: 'a down that restores NOT NULL the up dropped', before: [users], up: 'ALTER TABLE users ALTER COLUMN handle DROP NOT NULL;', down: 'ALTER TABLE users ALTER COLUMN handle SET NOT NULL;', errors: [{ messageId: 'setNotNull', line: 1, column: 1, endLine: 1, endColumn: 51, file: 'down' }] },
  ],
});
