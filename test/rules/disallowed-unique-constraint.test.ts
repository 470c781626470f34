import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/disallowed-unique-constraint.js';

const users = { up: 'CREATE TABLE users (id bigint NOT NULL, email text NOT NULL, handle text);', down: 'DROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'UNIQUE USING INDEX on an index built CONCURRENTLY earlier', before: [users, { up: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);' }], up: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE USING INDEX users_email_key;' },
    { name: 'PRIMARY KEY USING INDEX', before: [users, { up: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY users_pkey ON users (id);' }], up: 'ALTER TABLE users ADD CONSTRAINT users_pkey PRIMARY KEY USING INDEX users_pkey;' },
    { name: 'a table created in the same migration', up: 'CREATE TABLE tags (id bigint NOT NULL, label text);\nALTER TABLE tags ADD PRIMARY KEY (id);\nALTER TABLE tags ADD CONSTRAINT tags_label_key UNIQUE (label);' },
    { name: 'quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Tags" ("Label" text);\nALTER TABLE APP."Tags" ADD UNIQUE ("Label");' },
    { name: 'CHECK and FOREIGN KEY are other rules\' business', before: [users], up: 'ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> \'\') NOT VALID;' },
    { name: 'a new column without a constraint', before: [users], up: 'ALTER TABLE users ADD COLUMN nickname text;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [users, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE users ADD COLUMN sku text'; END $$;" }], up: 'ALTER TABLE users ADD UNIQUE (handle);' },
  ],
  invalid: [
    { name: 'ADD CONSTRAINT ... UNIQUE on a table created in an earlier migration', before: [users], up: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', errors: [{ messageId: 'constraint', line: 1, column: 23, endLine: 1, endColumn: 64, message: 'Adding UNIQUE constraint users_email_key builds its index under an ACCESS EXCLUSIVE lock on users' }] },
    { name: 'an unnamed UNIQUE gets Postgres\'s name', before: [users], up: '-- One handle per user.\nALTER TABLE users\n    ADD UNIQUE (handle);', errors: [{ messageId: 'constraint', line: 3, column: 9, endLine: 3, endColumn: 24, message: 'users_handle_key' }] },
    { name: 'ADD PRIMARY KEY', before: [users], up: 'ALTER TABLE users ADD PRIMARY KEY (id);', errors: [{ messageId: 'constraint', line: 1, column: 23, endLine: 1, endColumn: 39, message: 'PRIMARY KEY constraint users_pkey' }] },
    { name: 'ADD COLUMN ... UNIQUE builds an index over every row', before: [users], up: 'ALTER TABLE users ADD COLUMN referral_code text UNIQUE;', errors: [{ messageId: 'column', line: 1, column: 49, endLine: 1, endColumn: 55, message: 'column referral_code with a UNIQUE constraint' }] },
    { name: 'a table the history never created counts as existing', up: 'ALTER TABLE orders ADD CONSTRAINT orders_number_key UNIQUE (number);', errors: [{ messageId: 'constraint', line: 1, column: 24, endLine: 1, endColumn: 68 }] },
    { name: 'mixed-case, schema-qualified names resolve to the earlier table', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (email text);' }], up: 'ALTER TABLE IF EXISTS APP.USERS ADD CONSTRAINT Users_Email_Key UNIQUE (Email);', errors: [{ messageId: 'constraint', line: 1, column: 37, endLine: 1, endColumn: 78, message: 'users_email_key builds its index under an ACCESS EXCLUSIVE lock on app.users' }] },
    { name: 'a unique constraint re-added by a down file', before: [users, { up: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);' }], up: 'ALTER TABLE users DROP CONSTRAINT users_email_key;', down: 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);', errors: [{ messageId: 'constraint', line: 1, column: 23, endLine: 1, endColumn: 64, file: 'down' }] },
  ],
});
