import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/adding-foreign-key-constraint.js';

const tables = { up: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE routines (id bigint PRIMARY KEY, user_id bigint NOT NULL);', down: 'DROP TABLE routines;\nDROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'NOT VALID, to be validated in a later migration', before: [tables], up: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' },
    { name: 'NOT ENFORCED checks nothing', before: [tables], up: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT ENFORCED;' },
    { name: 'VALIDATE CONSTRAINT in a later migration', before: [tables, { up: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;' }], up: 'ALTER TABLE routines VALIDATE CONSTRAINT routines_user_id_fkey;' },
    { name: 'a table created in the same migration', before: [{ up: 'CREATE TABLE users (id bigint PRIMARY KEY);' }], up: 'CREATE TABLE routines (id bigint PRIMARY KEY, user_id bigint NOT NULL);\nALTER TABLE routines ADD FOREIGN KEY (user_id) REFERENCES users (id);' },
    { name: 'inline REFERENCES in CREATE TABLE', before: [{ up: 'CREATE TABLE users (id bigint PRIMARY KEY);' }], up: 'CREATE TABLE routines (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));' },
    { name: 'a new column without a value is all NULL: Postgres checks no row', before: [tables], up: 'ALTER TABLE routines ADD COLUMN coach_id bigint REFERENCES users (id);' },
    { name: 'quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Users" (id bigint PRIMARY KEY);\nCREATE TABLE app."Routines" (id bigint PRIMARY KEY, "UserId" bigint);\nALTER TABLE app."Routines" ADD CONSTRAINT "Routines_User" FOREIGN KEY ("UserId") REFERENCES app."Users" (id);' },
    { name: 'a table changed by dynamic SQL is not judged', before: [tables, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE routines ADD COLUMN note text'; END $$;" }], up: 'ALTER TABLE routines ADD FOREIGN KEY (user_id) REFERENCES users (id);' },
  ],
  invalid: [
    { name: 'a table created in an earlier migration, reported at CONSTRAINT', before: [tables], up: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'addForeignKey', line: 1, column: 26, endLine: 1, endColumn: 102, message: 'SHARE ROW EXCLUSIVE locks on routines and users' }] },
    { name: 'an unnamed key gets Postgres\'s name', before: [tables], up: '-- Link routines to users.\nALTER TABLE routines\n    ADD FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'addForeignKey', line: 3, column: 9, endLine: 3, endColumn: 52, message: 'routines_user_id_fkey' }] },
    { name: 'a table the history never created counts as existing', up: 'ALTER TABLE orders ADD CONSTRAINT orders_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'addForeignKey', line: 1, column: 24, endLine: 1, endColumn: 95 }] },
    { name: 'the referenced table being new does not make the referencing one new', before: [{ up: 'CREATE TABLE routines (id bigint PRIMARY KEY, coach_id bigint);' }], up: 'CREATE TABLE coaches (id bigint PRIMARY KEY);\nALTER TABLE routines ADD CONSTRAINT routines_coach_fkey FOREIGN KEY (coach_id) REFERENCES coaches (id);', errors: [{ messageId: 'addForeignKey', line: 2, column: 26, endLine: 2, endColumn: 103, message: 'on routines and coaches' }] },
    { name: 'schema-qualified, mixed-case names resolve to the earlier table', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (id bigint PRIMARY KEY);\nCREATE TABLE App.Routines (id bigint PRIMARY KEY, user_id bigint);' }], up: 'ALTER TABLE IF EXISTS APP.ROUTINES ADD CONSTRAINT Routines_User FOREIGN KEY (user_id) REFERENCES app.users (id);', errors: [{ messageId: 'addForeignKey', line: 1, column: 40, endLine: 1, endColumn: 112, message: 'locks on app.routines and app.users' }] },
    { name: 'a new column with a default is checked row by row', before: [tables], up: 'ALTER TABLE routines ADD COLUMN coach_id bigint DEFAULT 1 REFERENCES users (id);', errors: [{ messageId: 'addColumnForeignKey', line: 1, column: 59, endLine: 1, endColumn: 80 }] },
    { name: 'a foreign key re-added by a down file', before: [tables, { up: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n' }], up: 'ALTER TABLE routines DROP CONSTRAINT routines_user_id_fkey;', down: 'ALTER TABLE routines ADD CONSTRAINT routines_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'addForeignKey', line: 1, column: 26, endLine: 1, endColumn: 102, file: 'down' }] },
  ],
});
