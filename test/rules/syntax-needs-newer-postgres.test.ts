import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/syntax-needs-newer-postgres.js';
import { verify } from '../../verify/engine.js';

// The default target is PostgreSQL 15.
ruleTester(rule, {
  valid: [
    { name: 'a constraint named *_not_null that the history made is not PostgreSQL 18\'s', up: 'CREATE TABLE t (a int NOT NULL);\nALTER TABLE t ADD CONSTRAINT t_a_not_null CHECK (a IS NOT NULL);\nALTER TABLE t DROP CONSTRAINT t_a_not_null;' },
    { name: 'a stored generated column', up: 'CREATE TABLE p (cents bigint, euros numeric GENERATED ALWAYS AS (cents / 100.0) STORED);' },
    { name: 'MERGE and NULLS NOT DISTINCT came in 15', up: 'CREATE TABLE t (a int);\nCREATE UNIQUE INDEX t_a ON t (a) NULLS NOT DISTINCT;\nMERGE INTO t USING t AS s ON t.a = s.a WHEN MATCHED THEN DELETE;' },
    { name: 'NOT VALID on a CHECK is old', up: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a CHECK (a > 0) NOT VALID;' },
  ],
  invalid: [
    { name: 'a NOT NULL table constraint came in 18', up: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a;', errors: [{ messageId: 'newer', line: 2, column: 19, endLine: 2, endColumn: 47, message: 'A NOT NULL table constraint' }] },
    { name: 'a NOT NULL constraint reached by name (PostgreSQL 18 names them), even after the column was renamed', up: 'CREATE TABLE person (id int PRIMARY KEY, inbox text NOT NULL);\nALTER TABLE person RENAME COLUMN inbox TO inbox_url;\nALTER TABLE person RENAME CONSTRAINT person_inbox_not_null TO person_inbox_url_not_null;\nALTER TABLE person DROP CONSTRAINT person_inbox_url_not_null;', errors: [{ messageId: 'newer', line: 3, column: 1, endLine: 3, endColumn: 88, message: 'The NOT NULL constraint person_inbox_not_null' }, { messageId: 'newer', line: 4, column: 1, endLine: 4, endColumn: 61, message: 'The NOT NULL constraint person_inbox_url_not_null' }] },
    { name: 'GENERATED ALWAYS AS without STORED is virtual since 18', up: 'CREATE TABLE p (cents bigint, euros numeric GENERATED ALWAYS AS (cents / 100.0));', errors: [{ messageId: 'newer', line: 1, column: 45, endLine: 1, endColumn: 80, message: 'needs PostgreSQL 18 or newer, but these migrations target PostgreSQL 15' }] },
    { name: 'NOT NULL ... NOT VALID', up: 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT t_a_nn NOT NULL a NOT VALID;', errors: [{ messageId: 'newer', line: 2, column: 19, endLine: 2, endColumn: 57 }] },
    { name: 'JSON_TABLE in a view', up: "CREATE VIEW v AS SELECT * FROM JSON_TABLE('[1]', '$[*]' COLUMNS (a int PATH '$')) AS jt;", errors: [{ messageId: 'newer', line: 1, column: 32, endLine: 1, endColumn: 88, message: 'JSON_TABLE needs PostgreSQL 17' }] },
    { name: 'IS JSON in a CHECK', up: 'CREATE TABLE t (doc text CHECK (doc IS JSON));', errors: [{ messageId: 'newer', line: 1, column: 33, endLine: 1, endColumn: 44, message: 'IS JSON needs PostgreSQL 16' }] },
    { name: 'uuidv7() as a default', up: 'CREATE TABLE t (id uuid DEFAULT uuidv7());', errors: [{ messageId: 'newer', line: 1, column: 33, endLine: 1, endColumn: 41 }] },
  ],
});

t.test('the target version decides: 18 accepts what 15 refuses, 14 refuses MERGE', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-version-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE p (cents bigint, euros numeric GENERATED ALWAYS AS (cents / 100.0));\nMERGE INTO p USING p AS s ON p.cents = s.cents WHEN MATCHED THEN DELETE;\n');
  writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE p;\n');
  const found = async (postgresVersion?: number) =>
    (await verify({ paths: [dir], rules: [rule], cache: false, ...(postgresVersion ? { postgresVersion } : {}) })).violations.map((v) => `${v.line} ${v.message.split(' needs')[0]}`);
  t.same(await found(), ['1 A virtual generated column (GENERATED ALWAYS AS (...) without STORED)']);
  t.same(await found(18), []);
  t.same(await found(14), ['1 A virtual generated column (GENERATED ALWAYS AS (...) without STORED)', '2 MERGE']);
});
