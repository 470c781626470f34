import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/renaming-table.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);', down: 'DROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'a view keeps the old name working', before: [users], up: 'ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;' },
    { name: 'a table created in the same migration', up: 'CREATE TABLE user_tmp (id bigint PRIMARY KEY);\nALTER TABLE user_tmp RENAME TO users;' },
    { name: 'a down that renames back what the up renamed is the rollback', before: [users], up: 'ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;', down: 'DROP VIEW users;\nALTER TABLE accounts RENAME TO users;' },
    { name: 'a quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Users" (id bigint);\nALTER TABLE APP."Users" RENAME TO "Accounts";' },
    { name: 'renaming a view is not renaming a table', before: [users, { up: 'CREATE VIEW user_emails AS SELECT id, email FROM users;' }], up: 'ALTER VIEW user_emails RENAME TO emails;' },
    { name: 'renaming an index is not renaming a table', before: [users], up: 'ALTER INDEX users_pkey RENAME TO users_pk;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE users (id bigint PRIMARY KEY);\nDO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;" }], up: 'ALTER TABLE users RENAME TO accounts;' },
  ],
  invalid: [
    { name: 'a table created earlier', before: [users], up: 'ALTER TABLE users RENAME TO accounts;', errors: [{ messageId: 'renameTable', line: 1, column: 1, endLine: 1, endColumn: 37, message: 'Renaming table users to accounts breaks every running query' }] },
    { name: 'a table the history never created counts as existing', up: '-- Plural.\nALTER TABLE IF EXISTS order_item RENAME TO order_items;', errors: [{ messageId: 'renameTable', line: 2, column: 1, endLine: 2, endColumn: 55 }] },
    { name: 'a view of the old name in another schema does not bridge', before: [users], up: 'ALTER TABLE users RENAME TO accounts;\nCREATE SCHEMA legacy;\nCREATE VIEW legacy.users AS SELECT * FROM accounts;', errors: [{ messageId: 'renameTable', line: 1, column: 1, endLine: 1, endColumn: 37 }] },
    { name: 'a view created before the rename does not bridge it', before: [users], up: 'CREATE VIEW v_users AS SELECT * FROM users;\nALTER TABLE users RENAME TO accounts;', errors: [{ messageId: 'renameTable', line: 2, column: 1, endLine: 2, endColumn: 37 }] },
    { name: 'mixed case, schema-qualified', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (id bigint);' }], up: '  ALTER TABLE APP.USERS RENAME TO Accounts;', errors: [{ messageId: 'renameTable', line: 1, column: 3, endLine: 1, endColumn: 43, message: 'app.users to app.accounts' }] },
    { name: 'a down that renames a table the up did not touch', before: [users], up: 'CREATE INDEX idx_users_email ON users (email);', down: 'DROP INDEX idx_users_email;\nALTER TABLE users RENAME TO people;', errors: [{ messageId: 'renameTable', line: 2, column: 1, endLine: 2, endColumn: 35, file: 'down' }] },
  ],
});
