import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-repack.js';

const scans = { up: 'CREATE TABLE skin_scans (id bigint PRIMARY KEY, user_id bigint NOT NULL);\nCREATE INDEX idx_skin_scans_user_id ON skin_scans (user_id);', down: 'DROP TABLE skin_scans;' };
const noTx = '-- migrate:no-transaction\n';

ruleTester(rule, {
  valid: [
    { name: 'a plain VACUUM takes no exclusive lock', before: [scans], up: `${noTx}VACUUM skin_scans;` },
    { name: 'VACUUM (ANALYZE)', before: [scans], up: `${noTx}VACUUM (ANALYZE, VERBOSE) skin_scans;` },
    { name: 'VACUUM (FULL false) is a plain VACUUM', before: [scans], up: `${noTx}VACUUM (FULL false, ANALYZE) skin_scans;` },
    { name: 'VACUUM (FULL off) is a plain VACUUM', before: [scans], up: `${noTx}VACUUM (FULL OFF) skin_scans;` },
    { name: 'ANALYZE alone', before: [scans], up: 'ANALYZE skin_scans;' },
    { name: 'ALTER TABLE ... CLUSTER ON only marks the index', before: [scans], up: 'ALTER TABLE skin_scans CLUSTER ON idx_skin_scans_user_id;' },
    { name: 'a table created in the same migration', up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE INDEX idx_tags_label ON tags (label);\nCLUSTER tags USING idx_tags_label;' },
    { name: 'quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Tags" (id bigint PRIMARY KEY);\nCLUSTER APP."Tags" USING "Tags_pkey";' },
    { name: 'a table changed by dynamic SQL is not judged', before: [scans, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE skin_scans ADD COLUMN note text'; END $$;" }], up: 'CLUSTER skin_scans USING idx_skin_scans_user_id;' },
  ],
  invalid: [
    { name: 'CLUSTER on a table created in an earlier migration', before: [scans], up: 'CLUSTER skin_scans USING idx_skin_scans_user_id;', errors: [{ messageId: 'rewrite', line: 1, column: 1, endLine: 1, endColumn: 48, message: 'CLUSTER rewrites skin_scans under an ACCESS EXCLUSIVE lock' }] },
    { name: 'VACUUM FULL', before: [scans], up: `${noTx}VACUUM FULL skin_scans;`, errors: [{ messageId: 'rewrite', line: 2, column: 1, endLine: 2, endColumn: 23, message: 'VACUUM FULL rewrites skin_scans' }] },
    { name: 'VACUUM (FULL, ANALYZE), option-list form', before: [scans], up: `${noTx}VACUUM (ANALYZE, FULL) skin_scans;`, errors: [{ messageId: 'rewrite', line: 2, column: 1, endLine: 2, endColumn: 34 }] },
    { name: 'VACUUM (FULL true)', before: [scans], up: `${noTx}VACUUM (FULL true) skin_scans;`, errors: [{ messageId: 'rewrite', line: 2, column: 1, endLine: 2, endColumn: 30 }] },
    { name: 'only the existing tables of a list are named', before: [scans], up: `${noTx}CREATE TABLE tags (id bigint PRIMARY KEY);\nVACUUM FULL tags, skin_scans;`, errors: [{ messageId: 'rewrite', line: 3, column: 1, endLine: 3, endColumn: 29, message: 'VACUUM FULL rewrites skin_scans under' }] },
    { name: 'VACUUM FULL without a table rewrites the whole database', up: `${noTx}VACUUM FULL;`, errors: [{ messageId: 'rewriteAll', line: 2, column: 1, endLine: 2, endColumn: 12, message: 'every table in the database' }] },
    { name: 'CLUSTER without a table', up: `${noTx}  CLUSTER;`, errors: [{ messageId: 'rewriteAll', line: 2, column: 3, endLine: 2, endColumn: 10, message: 'every table clustered before' }] },
    { name: 'a table the history never created counts as existing', up: 'CLUSTER VERBOSE Orders USING orders_pkey;', errors: [{ messageId: 'rewrite', line: 1, column: 1, endLine: 1, endColumn: 41, message: 'rewrites orders' }] },
    { name: 'in a down file too', before: [scans], up: 'ALTER TABLE skin_scans ADD COLUMN note text;', down: 'ALTER TABLE skin_scans DROP COLUMN note;\nCLUSTER skin_scans USING idx_skin_scans_user_id;', errors: [{ messageId: 'rewrite', line: 2, column: 1, endLine: 2, endColumn: 48, file: 'down' }] },
  ],
});
