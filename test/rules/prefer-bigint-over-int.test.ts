import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-bigint-over-int.js';

const orders = { up: 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity bigint NOT NULL);', down: 'DROP TABLE orders;' };

ruleTester(rule, {
  valid: [
    { name: 'bigint, int8, bigserial, numeric', up: 'CREATE TABLE t (a bigint, b int8, c bigserial, d numeric(10,2), e smallint);' },
    { name: 'a cast to int in a query', before: [orders], up: 'UPDATE orders SET quantity = quantity::int WHERE id = 1;' },
    { name: 'a function argument is not a column', up: 'CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql RETURN x + 1;' },
    { name: 'a user type named int4 in another schema', up: 'CREATE TABLE t (id bigint, n legacy.int4);' },
    { name: 'a column CHECK with BETWEEN caps it', up: 'CREATE TABLE t (id bigint, n integer CHECK (n BETWEEN 0 AND 100));' },
    { name: 'a column CHECK with both sides ANDed caps it', up: 'CREATE TABLE t (id bigint, n integer CHECK (n >= 0 AND n <= 100));' },
    { name: 'a table CHECK with the constant on the left caps it', up: 'CREATE TABLE t (id bigint, n integer, CONSTRAINT n_small CHECK (1000 >= n));' },
    { name: 'n < 10, n IN (...), = ANY(ARRAY[...]) and BETWEEN SYMMETRIC cap it', up: 'CREATE TABLE t (a int CHECK (a < 10), b int CHECK (b IN (1, 2, 3)), c int CHECK (c = ANY (ARRAY[1, 2])), d int CHECK (d BETWEEN SYMMETRIC 9 AND 1));' },
    { name: 'OR of capped arms, and IS NULL, caps it', up: 'CREATE TABLE t (a int CHECK (a IS NULL OR a <= 5 OR a = 7::int));' },
    { name: 'ADD COLUMN with a capping CHECK', before: [orders], up: 'ALTER TABLE orders ADD COLUMN rank integer CHECK (rank <= 10);' },
    { name: 'a down that reverts the widening its up did', before: [{ up: 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer NOT NULL);' }], up: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;', down: 'ALTER TABLE orders ALTER COLUMN quantity TYPE integer;' },
  ],
  invalid: [
    { name: 'int in CREATE TABLE, reported at the type', up: 'CREATE TABLE orders (id bigint, quantity int NOT NULL);', errors: [{ messageId: 'int', line: 1, column: 42, endLine: 1, endColumn: 45, message: 'orders.quantity is integer, a 32-bit integer' }] },
    { name: 'integer, INT4, serial and an int array', up: 'CREATE TABLE t (\n    a integer,\n    b INT4,\n    c serial,\n    d int[]\n);', errors: [{ messageId: 'int', line: 2, column: 7, endLine: 2, endColumn: 14 }, { messageId: 'int', line: 3, column: 7, endLine: 3, endColumn: 11 }, { messageId: 'int', line: 4, column: 7, endLine: 4, endColumn: 13, message: 'is serial' }, { messageId: 'int', line: 5, column: 7, endLine: 5, endColumn: 12, message: 'integer[]' }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [orders], up: 'ALTER TABLE orders ADD COLUMN position integer;', errors: [{ messageId: 'int', line: 1, column: 40, endLine: 1, endColumn: 47 }] },
    { name: 'a one-sided CHECK (n >= 0) caps nothing', up: 'CREATE TABLE t (id bigint, n integer NOT NULL DEFAULT 0 CHECK (n >= 0), m integer CHECK (m > 0));', errors: [{ messageId: 'int', line: 1, column: 30, endLine: 1, endColumn: 37 }, { messageId: 'int', line: 1, column: 75, endLine: 1, endColumn: 82 }] },
    { name: 'a one-sided table CHECK with the constant on the left caps nothing', up: 'CREATE TABLE t (\n    id bigint,\n    n integer,\n    CHECK (0 <= n)\n);', errors: [{ messageId: 'int', line: 3, column: 7, endLine: 3, endColumn: 14 }] },
    { name: 'a cap at or beyond the type largest value caps nothing', up: 'CREATE TABLE t (a int CHECK (a <= 2147483647), b int CHECK (b BETWEEN 0 AND 3000000000));', errors: [{ messageId: 'int', line: 1, column: 19, endLine: 1, endColumn: 22 }, { messageId: 'int', line: 1, column: 50, endLine: 1, endColumn: 53 }] },
    { name: 'OR with an uncapped arm, NOT BETWEEN, NOT IN and a CHECK on another expression cap nothing', up: 'CREATE TABLE t (a int CHECK (a <= 5 OR a > 100), b int CHECK (b NOT BETWEEN 1 AND 5), c int CHECK (c NOT IN (1, 2)), d int CHECK (d % 2 = 0));', errors: [{ messageId: 'int', line: 1, column: 19, endLine: 1, endColumn: 22 }, { messageId: 'int', line: 1, column: 52, endLine: 1, endColumn: 55 }, { messageId: 'int', line: 1, column: 89, endLine: 1, endColumn: 92 }, { messageId: 'int', line: 1, column: 120, endLine: 1, endColumn: 123 }] },
    { name: 'a CHECK that reads another column too caps nothing', up: 'CREATE TABLE t (lo int8, n int, CHECK (n <= lo AND n <= 10));', errors: [{ messageId: 'int', line: 1, column: 28, endLine: 1, endColumn: 31 }] },
    { name: 'ADD COLUMN with a one-sided CHECK', before: [orders], up: 'ALTER TABLE orders ADD COLUMN rank integer CHECK (rank >= 0);', errors: [{ messageId: 'int', line: 1, column: 36, endLine: 1, endColumn: 43 }] },
    { name: 'ALTER COLUMN TYPE int on a quoted mixed-case table', before: [{ up: 'CREATE TABLE "Orders" ("Qty" bigint);' }], up: 'ALTER TABLE "Orders" ALTER COLUMN "Qty" TYPE int;', errors: [{ messageId: 'int', line: 1, column: 46, endLine: 1, endColumn: 49, message: 'Orders.Qty' }] },
  ],
});
