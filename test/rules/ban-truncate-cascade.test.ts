import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-truncate-cascade.js';

const tables = {
  up: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE routines (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE TABLE routine_steps (id bigint PRIMARY KEY, routine_id bigint REFERENCES routines (id));',
  down: 'DROP TABLE routine_steps;\nDROP TABLE routines;\nDROP TABLE users;',
};

ruleTester(rule, {
  valid: [
    { name: 'every table named, no CASCADE', before: [tables], up: 'TRUNCATE routine_steps, routines, users;' },
    { name: 'RESTRICT, spelled out', before: [tables], up: 'TRUNCATE TABLE ONLY routine_steps RESTRICT;' },
    { name: 'tables created in the same migration, nothing else reaching them', up: 'CREATE TABLE staging (id bigint PRIMARY KEY);\nCREATE TABLE staging_rows (staging_id bigint REFERENCES staging (id));\nTRUNCATE staging CASCADE;' },
    { name: 'quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA etl;\nCREATE TABLE etl."Batch" (id bigint PRIMARY KEY);\nTRUNCATE ETL."Batch" CASCADE;' },
  ],
  invalid: [
    { name: 'CASCADE on a table created earlier lists what it reaches, recursively', before: [tables], up: 'TRUNCATE users CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 23, message: 'on users also empties every table with a foreign key to users, recursively (here: routines, routine_steps).' }] },
    { name: 'a table the history never created', up: '-- Reset the demo data.\nTRUNCATE TABLE demo_accounts CASCADE;', errors: [{ messageId: 'cascade', line: 2, column: 1, endLine: 2, endColumn: 37, message: 'recursively.' }] },
    { name: 'a new table that an existing table now references', before: [{ up: 'CREATE TABLE routines (id bigint PRIMARY KEY, coach_id bigint);' }], up: 'CREATE TABLE coaches (id bigint PRIMARY KEY);\nALTER TABLE routines ADD FOREIGN KEY (coach_id) REFERENCES coaches (id);\nTRUNCATE coaches CASCADE;', errors: [{ messageId: 'cascade', line: 3, column: 1, endLine: 3, endColumn: 25, message: '(here: routines)' }] },
    { name: 'mixed-case, schema-qualified names resolve to the earlier tables', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (id bigint PRIMARY KEY);\nCREATE TABLE App.Sessions (user_id bigint REFERENCES App.Users (id));' }], up: 'TRUNCATE APP.USERS CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 27, message: '(here: app.sessions)' }] },
    { name: 'in a down file too', before: [tables], up: 'INSERT INTO users (id) VALUES (1);', down: 'TRUNCATE users CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 23, file: 'down' }] },
  ],
});
