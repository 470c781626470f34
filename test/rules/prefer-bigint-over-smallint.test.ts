import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-bigint-over-smallint.js';

const ratings = { up: 'CREATE TABLE ratings (id bigint PRIMARY KEY, stars bigint NOT NULL);', down: 'DROP TABLE ratings;' };

ruleTester(rule, {
  valid: [
    { name: 'bigint and integer are not smallint', up: 'CREATE TABLE t (a bigint, b integer, c serial, d bigserial);' },
    { name: 'a cast to smallint in a query', before: [ratings], up: 'UPDATE ratings SET stars = stars::smallint WHERE id = 1;' },
    { name: 'a CHECK with BETWEEN caps it (fitzpatrick_type)', up: 'CREATE TABLE t (id bigint, fitzpatrick_type smallint CHECK (fitzpatrick_type BETWEEN 1 AND 6));' },
    { name: 'a table CHECK with both sides ANDed caps it', up: 'CREATE TABLE t (id bigint, stars smallint, CHECK (stars >= 0 AND stars <= 100));' },
    { name: 'a cap with the constant on the left, and IN', up: 'CREATE TABLE t (a smallint CHECK (100 > a), b int2 CHECK (b IN (1, 2, 3)));' },
    { name: 'a down that restores the smallint column its up dropped', before: [{ up: 'CREATE TABLE ratings (id bigint PRIMARY KEY, stars smallint);' }], up: '-- verify:allow-destructive test\nALTER TABLE ratings DROP COLUMN stars;', down: 'ALTER TABLE ratings ADD COLUMN stars smallint;' },
  ],
  invalid: [
    { name: 'smallint in CREATE TABLE, reported at the type', up: 'CREATE TABLE ratings (id bigint, stars smallint NOT NULL);', errors: [{ messageId: 'smallint', line: 1, column: 40, endLine: 1, endColumn: 48, message: 'ratings.stars is smallint, a 16-bit integer' }] },
    { name: 'a one-sided CHECK (n >= 0) caps nothing', up: 'CREATE TABLE t (id bigint, n smallint NOT NULL DEFAULT 0 CHECK (n >= 0));', errors: [{ messageId: 'smallint', line: 1, column: 30, endLine: 1, endColumn: 38 }] },
    { name: 'a cap beyond 32,767 caps nothing for smallint', up: 'CREATE TABLE t (a smallint CHECK (a <= 1000000), b smallint CHECK (b < 32768));', errors: [{ messageId: 'smallint', line: 1, column: 19, endLine: 1, endColumn: 27 }, { messageId: 'smallint', line: 1, column: 52, endLine: 1, endColumn: 60 }] },
    { name: 'int2, smallserial and serial2', up: 'CREATE TABLE t (\n    a int2,\n    b smallserial,\n    c serial2\n);', errors: [{ messageId: 'smallint', line: 2, column: 7, endLine: 2, endColumn: 11 }, { messageId: 'smallint', line: 3, column: 7, endLine: 3, endColumn: 18, message: 'smallserial' }, { messageId: 'smallint', line: 4, column: 7, endLine: 4, endColumn: 14 }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [ratings], up: 'ALTER TABLE ratings ADD COLUMN votes SMALLINT DEFAULT 0;', errors: [{ messageId: 'smallint', line: 1, column: 38, endLine: 1, endColumn: 46 }] },
    { name: 'ALTER COLUMN TYPE in a down file', before: [ratings], up: 'ALTER TABLE ratings ADD COLUMN note text;', down: 'ALTER TABLE ratings DROP COLUMN note;\nALTER TABLE ratings ALTER COLUMN stars TYPE smallint;', errors: [{ messageId: 'smallint', file: 'down', line: 2, column: 45, endLine: 2, endColumn: 53 }] },
  ],
});
