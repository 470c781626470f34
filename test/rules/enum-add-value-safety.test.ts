import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/enum-add-value-safety.js';

const orders = {
  up: "CREATE TYPE order_status AS ENUM ('pending', 'paid');\nCREATE TABLE orders (id bigint PRIMARY KEY, status order_status NOT NULL DEFAULT 'pending', note text);\nCREATE TABLE notes (id bigint PRIMARY KEY, body text);",
};

ruleTester(rule, {
  valid: [
    { name: 'the value is used in a later migration', before: [orders, { up: "ALTER TYPE order_status ADD VALUE 'cancelled';" }], up: "UPDATE orders SET status = 'cancelled' WHERE note = 'x';" },
    { name: 'an enum created in the same transaction may use its new values at once', up: "CREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE people (id bigint, mood mood DEFAULT 'happy');" },
    { name: 'no-transaction: each statement commits before the next', before: [orders], up: "-- migrate:no-transaction\nALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled';\nUPDATE orders SET status = 'cancelled' WHERE note = 'x';" },
    { name: 'ADD VALUE ... AFTER the new value and RENAME VALUE are not uses', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nALTER TYPE order_status ADD VALUE 'refunded' AFTER 'cancelled';\nALTER TYPE order_status RENAME VALUE 'refunded' TO 'returned';" },
    { name: 'the same text in a table without the enum', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nINSERT INTO notes (id, body) VALUES (1, 'cancelled');" },
    { name: 'a plpgsql body is not run when the function is created', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nCREATE FUNCTION cancel(o bigint) RETURNS void LANGUAGE plpgsql AS $$ BEGIN UPDATE orders SET status = 'cancelled' WHERE id = o; END $$;" },
    { name: 'the down runs in its own transaction, after the up committed', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';", down: "UPDATE orders SET status = 'pending' WHERE status = 'cancelled';" },
    { name: 'no-transaction ADD VALUE on an enum created in the same file', up: "-- migrate:no-transaction\nCREATE TYPE mood AS ENUM ('sad');\nALTER TYPE mood ADD VALUE 'happy';" },
    { name: 'another enum value with the same text', before: [orders, { up: "CREATE TYPE colour AS ENUM ('red');" }], up: "ALTER TYPE colour ADD VALUE 'paid';\nUPDATE orders SET status = 'paid' WHERE id = 1;" },
  ],
  invalid: [
    { name: 'UPDATE with the new value in the same transaction, reported at the literal', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nUPDATE orders SET status = 'cancelled' WHERE note IS NULL;", errors: [{ messageId: 'usedBeforeCommit', line: 2, column: 28, endLine: 2, endColumn: 39, message: "Value 'cancelled' is added to enum order_status" }] },
    { name: 'a default on a new column of the enum type', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'draft' BEFORE 'pending';\nALTER TABLE notes ADD COLUMN status order_status DEFAULT 'draft';", errors: [{ messageId: 'usedBeforeCommit', line: 2, column: 58, endLine: 2, endColumn: 65 }] },
    { name: 'a cast to the type', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nSELECT 'cancelled'::order_status;", errors: [{ messageId: 'usedBeforeCommit', line: 2, column: 8, endLine: 2, endColumn: 33 }] },
    { name: 'a CHECK constraint on a table with a column of the type', before: [orders], up: "ALTER TYPE order_status ADD VALUE 'cancelled';\nALTER TABLE orders ADD CONSTRAINT orders_not_cancelled CHECK (status <> 'cancelled');", errors: [{ messageId: 'usedBeforeCommit', line: 2, column: 73, endLine: 2, endColumn: 84 }] },
    { name: 'an enum created outside the history counts as existing', up: "ALTER TYPE Shop.Status ADD VALUE 'gone';\nSELECT 'gone'::shop.status;", errors: [{ messageId: 'usedBeforeCommit', line: 2, column: 8, endLine: 2, endColumn: 27, message: 'enum shop.status' }] },
    { name: 'in a down file', before: [orders], up: 'ALTER TABLE orders ADD COLUMN paid_at timestamptz;', down: "ALTER TYPE order_status ADD VALUE 'unknown';\nUPDATE orders SET status = 'unknown' WHERE paid_at IS NULL;\nALTER TABLE orders DROP COLUMN paid_at;", errors: [{ messageId: 'usedBeforeCommit', file: 'down', line: 2, column: 28, endLine: 2, endColumn: 37 }] },
    { name: 'no-transaction ADD VALUE without IF NOT EXISTS', before: [orders], up: "-- migrate:no-transaction\nALTER TYPE order_status ADD VALUE 'cancelled';", errors: [{ messageId: 'notRerunnable', line: 2, column: 1, endLine: 2, endColumn: 46, message: "ADD VALUE 'cancelled' commits on its own" }] },
  ],
});
