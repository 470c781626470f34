import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-bigint-over-int.js';

const orders = { up: 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity bigint NOT NULL);', down: 'DROP TABLE orders;' };

ruleTester(rule, {
  valid: [
    { name: 'bigint, int8, bigserial, numeric', up: 'CREATE TABLE t (a bigint, b int8, c bigserial, d numeric(10,2), e smallint);' },
    { name: 'a cast to int in a query', before: [orders], up: 'UPDATE orders SET quantity = quantity::int WHERE id = 1;' },
    { name: 'a function argument is not a column', up: 'CREATE FUNCTION add_one(x integer) RETURNS integer LANGUAGE sql RETURN x + 1;' },
    { name: 'a user type named int4 in another schema', up: 'CREATE TABLE t (id bigint, n legacy.int4);' },
    { name: 'a down that reverts the widening its up did', before: [{ up: 'CREATE TABLE orders (id bigint PRIMARY KEY, quantity integer NOT NULL);' }], up: 'ALTER TABLE orders ALTER COLUMN quantity TYPE bigint;', down: 'ALTER TABLE orders ALTER COLUMN quantity TYPE integer;' },
  ],
  invalid: [
    { name: 'int in CREATE TABLE, reported at the type', up: 'CREATE TABLE orders (id bigint, quantity int NOT NULL);', errors: [{ messageId: 'int', line: 1, column: 42, message: 'orders.quantity is integer, a 32-bit integer' }] },
    { name: 'integer, INT4, serial and an int array', up: 'CREATE TABLE t (\n    a integer,\n    b INT4,\n    c serial,\n    d int[]\n);', errors: [{ messageId: 'int', line: 2, column: 7 }, { messageId: 'int', line: 3, column: 7 }, { messageId: 'int', line: 4, column: 7, message: 'is serial' }, { messageId: 'int', line: 5, column: 7, message: 'integer[]' }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [orders], up: 'ALTER TABLE orders ADD COLUMN position integer;', errors: [{ messageId: 'int', line: 1, column: 40 }] },
    { name: 'ALTER COLUMN TYPE int on a quoted mixed-case table', before: [{ up: 'CREATE TABLE "Orders" ("Qty" bigint);' }], up: 'ALTER TABLE "Orders" ALTER COLUMN "Qty" TYPE int;', errors: [{ messageId: 'int', line: 1, column: 46, message: 'Orders.Qty' }] },
  ],
});
