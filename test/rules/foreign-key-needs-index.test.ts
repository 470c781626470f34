import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/foreign-key-needs-index.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY);', down: 'DROP TABLE users;' };
/** s.user_id references users and has no index from the start; s has a CHECK and a unique code. */
const uncovered = { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), n int, code text, CONSTRAINT n_pos CHECK (n > 0), CONSTRAINT s_code_key UNIQUE (code));' };
/** c references p and q, each key covered by one index. */
const twoKeys = [
  { up: 'CREATE TABLE p (id bigint PRIMARY KEY);\nCREATE TABLE q (id bigint PRIMARY KEY);' },
  { up: 'CREATE TABLE c (id bigint PRIMARY KEY, p_id bigint REFERENCES p, q_id bigint REFERENCES q, note text);\nCREATE INDEX idx_c_p ON c (p_id);\nCREATE INDEX idx_c_q ON c (q_id);' },
];

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
    { name: 'dropping a CHECK on a table whose key was uncovered before', before: [users, uncovered], up: 'ALTER TABLE s DROP CONSTRAINT n_pos;' },
    { name: 'dropping a unique constraint that never covered the key', before: [users, uncovered], up: 'ALTER TABLE s DROP CONSTRAINT s_code_key;' },
    { name: 'dropping a column that no covering index uses', before: twoKeys, up: '-- verify:allow-destructive test\nALTER TABLE c DROP COLUMN note;' },
    { name: 'dropping the covering index and creating its replacement in the same file', before: twoKeys, up: 'DROP INDEX idx_c_p;\nCREATE INDEX idx_c_p_id ON c (p_id, id);' },
  ],
  invalid: [
    { name: 'inline REFERENCES without an index, reported at REFERENCES', before: [users], up: 'CREATE TABLE s (\n    id bigint PRIMARY KEY,\n    user_id bigint REFERENCES users (id)\n);', errors: [{ messageId: 'missingIndex', line: 3, column: 20, endLine: 3, endColumn: 41 }] },
    { name: 'table constraint, reported at CONSTRAINT', before: [users], up: 'CREATE TABLE s (\n    id bigint PRIMARY KEY,\n    user_id bigint,\n    CONSTRAINT s_user_fkey FOREIGN KEY (user_id) REFERENCES users (id)\n);', errors: [{ messageId: 'missingIndex', line: 4, column: 5, endLine: 4, endColumn: 71, message: 's_user_fkey' }] },
    { name: 'ALTER TABLE ADD FOREIGN KEY without an index', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);' }], up: '-- Link scans to users.\nALTER TABLE s ADD CONSTRAINT s_user_fkey FOREIGN KEY (user_id) REFERENCES users (id);', errors: [{ messageId: 'missingIndex', line: 2, column: 19, endLine: 2, endColumn: 85 }] },
    { name: 'an index that does not lead with the key', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, at timestamptz, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s ON s (at, user_id);', errors: [{ messageId: 'missingIndex', line: 1, column: 71, endLine: 1, endColumn: 92 }] },
    { name: 'a partial index does not count', before: [users], up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s ON s (user_id) WHERE user_id IS NOT NULL;', errors: [{ messageId: 'missingIndex', line: 1, column: 55, endLine: 1, endColumn: 76 }] },
    { name: 'a later migration drops the only covering index', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_s_user ON s (user_id);' }], up: '-- Drop an index.\nDROP INDEX idx_s_user;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 22 }] },
    { name: 'two drops in one file, each reported at its own statement', before: twoKeys, up: '-- verify:ignore require-concurrent-index-deletion test\nDROP INDEX idx_c_p;\n\nALTER TABLE c ADD COLUMN at timestamptz;\nDROP INDEX idx_c_q;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 19, message: 'c_p_id_fkey' }, { messageId: 'droppedCoveringIndex', line: 5, column: 1, endLine: 5, endColumn: 19, message: 'c_q_id_fkey' }] },
    { name: 'one statement dropping both covering indexes reports each key once there', before: twoKeys, up: 'ALTER TABLE c ADD COLUMN at timestamptz;\nDROP INDEX idx_c_p, idx_c_q;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 28, message: 'c_p_id_fkey' }, { messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 28, message: 'c_q_id_fkey' }] },
    { name: 'a second index covers the key until the later drop: reported at the later one', before: [...twoKeys, { up: 'CREATE INDEX idx_c_p2 ON c (p_id, id);' }], up: 'DROP INDEX idx_c_p;\nALTER TABLE c ADD COLUMN at timestamptz;\nDROP INDEX idx_c_p2;', errors: [{ messageId: 'droppedCoveringIndex', line: 3, column: 1, endLine: 3, endColumn: 20, message: 'c_p_id_fkey' }] },
    { name: 'dropping the unique constraint whose index covered the key', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id), CONSTRAINT s_user_key UNIQUE (user_id));' }], up: 'ALTER TABLE s ADD COLUMN n int;\nALTER TABLE s DROP CONSTRAINT s_user_key;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 41, message: 's_user_id_fkey' }] },
    { name: 'dropping a column drops the composite index that covered the key', before: twoKeys.map((m, i) => (i === 1 ? { up: m.up.replace('(p_id);', '(p_id, note);') } : m)), up: '-- verify:allow-destructive test\nALTER TABLE c DROP COLUMN note;', errors: [{ messageId: 'droppedCoveringIndex', line: 2, column: 1, endLine: 2, endColumn: 31, message: 'c_p_id_fkey' }] },
    { name: 'adding a key and dropping a constraint in one ALTER reports the key once', before: [users, uncovered], up: 'ALTER TABLE s\n    ADD COLUMN owner_id bigint,\n    ADD CONSTRAINT s_owner_fkey FOREIGN KEY (owner_id) REFERENCES users (id),\n    DROP CONSTRAINT n_pos;', errors: [{ messageId: 'missingIndex', line: 3, column: 9, endLine: 3, endColumn: 77, message: 's_owner_fkey' }] },
    { name: 'the key of non-ASCII text is placed by characters, not bytes', before: [users], up: "-- Crème de la crème\nCREATE TABLE s (id bigint PRIMARY KEY, note text DEFAULT 'é', user_id bigint REFERENCES users (id));", errors: [{ messageId: 'missingIndex', line: 2, column: 78, endLine: 2, endColumn: 99 }] },
    { name: 'a foreign key re-added by a down file', before: [users, { up: 'CREATE TABLE s (id bigint PRIMARY KEY, user_id bigint);' }], up: '-- verify:allow-destructive test\nALTER TABLE s DROP COLUMN user_id;', down: 'ALTER TABLE s ADD COLUMN user_id bigint REFERENCES users (id);', errors: [{ messageId: 'missingIndex', line: 1, column: 41, endLine: 1, endColumn: 62, file: 'down' }] },
  ],
});
