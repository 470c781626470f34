import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/foreign-key-needs-index.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY);', down: 'DROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'inline REFERENCES with a CREATE INDEX in the same file', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s_user ON s (user_id);' },
    { name: 'composite primary key leads with the key', before: [users], up: 'CREATE TABLE m (user_id bigint REFERENCES users (id), tag text, PRIMARY KEY (user_id, tag));' },
    { name: 'a unique column covers it', before: [users], up: 'CREATE TABLE p (id bigint PRIMARY KEY, user_id bigint UNIQUE REFERENCES users (id));' },
    { name: 'a wider index leading with the key', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), at timestamptz);\nCREATE INDEX idx_s ON s (user_id, at DESC);' },
    { name: 'composite key covered by an index with its columns in another order', before: [{ up: 'CREATE TABLE a (x int, y int, PRIMARY KEY (x, y));' }], up: 'CREATE TABLE b (id bigint PRIMARY KEY, x int, y int, FOREIGN KEY (x, y) REFERENCES a (x, y));\nCREATE INDEX idx_b_yx ON b (y, x, id);' },
    { name: 'ALTER TABLE ADD FOREIGN KEY on an index from an earlier migration', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);\nCREATE INDEX idx_s_user ON s (user_id);' }], up: 'ALTER TABLE s ADD CONSTRAINT s_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);' },
    { name: 'dropping one of two covering indexes', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_a ON s (user_id);\nCREATE INDEX idx_b ON s (user_id, id);' }], up: 'DROP INDEX idx_a;' },
    { name: 'schema-qualified and mixed-case names resolve alike', before: [users], up: 'CREATE TABLE public.S (id bigint PRIMARY KEY, User_Id bigint REFERENCES Users (id));\nCREATE INDEX idx_s ON s (user_id);' },
    { name: 'a table changed by dynamic SQL is not judged', before: [users, { up: "CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);\nDO $$ BEGIN EXECUTE 'CREATE INDEX idx_s ON s (user_id)'; END $$;" }], up: 'ALTER TABLE s ADD FOREIGN KEY (user_id) REFERENCES users (id);' },
  ],
  invalid: [
    { name: 'inline REFERENCES without an index, reported at REFERENCES', before: [users], up: 'CREATE TABLE s (\n    id bigint PRIMARY KEY,\n    user_id bigint REFERENCES users (id)\n);', errors: [{ messageId: 'missingIndex', line: 3, column: 20 }] },
    { name: 'table constraint, reported at CONSTRAINT', before: [users], up: 'CREATE TABLE s (\n    id bigint PRIMARY KEY,\n    user_id bigint,\n    CONSTRAINT s_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)\n);', errors: [{ messageId: 'missingIndex', line: 4, column: 5, message: 's_user_fkey' }] },
    { name: 'ALTER TABLE ADD FOREIGN KEY without an index', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);' }], up: '-- Link scans to users.\nALTER TABLE s ADD CONSTRAINT s_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'missingIndex', line: 2, column: 19 }] },
    { name: 'an index that does not lead with the key', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, at timestamptz, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s ON s (at, user_id);', errors: [{ messageId: 'missingIndex', line: 1, column: 71 }] },
    { name: 'a partial index does not count', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s ON s (user_id) WHERE user_id IS NOT NULL;', errors: [{ messageId: 'missingIndex', line: 1, column: 55 }] },
    { name: 'a later migration drops the only covering index', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s_user ON s (user_id);' }], up: '-- Drop an index.\nDROP INDEX idx_s_user;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1 }] },
    { name: 'the key of non-ASCII text is placed by characters, not bytes', before: [users], up: "-- Crème de la crème\nCREATE TABLE s (id bigint PRIMARY KEY, note text DEFAULT 'é', user_id bigint REFERENCES users (id));", errors: [{ messageId: 'missingIndex', line: 2, column: 78 }] },
    { name: 'a foreign key re-added by a down file', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);' }], up: '-- verify:allow-destructive test\nALTER TABLE s DROP COLUMN user_id;', down: 'ALTER TABLE s ADD COLUMN user_id bigint REFERENCES users (id);', errors: [{ messageId: 'missingIndex', line: 1, column: 41, file: 'down' }] },
  ],
});
