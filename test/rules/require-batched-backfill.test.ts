import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-batched-backfill.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, name_lower text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'a table the migration created is empty', up: "CREATE TABLE t (id bigint PRIMARY KEY, a text);\nUPDATE t SET a = 'x';" },
    { name: 'INSERT of known rows is no backfill', before: [products], up: "INSERT INTO products (id, name) VALUES (1, 'cleanser');", down: 'DELETE FROM products WHERE id = 1;' },
    { name: 'the down is not checked', before: [products], up: 'ALTER TABLE products ADD COLUMN note text;', down: 'UPDATE products SET name = name;\nALTER TABLE products DROP COLUMN note;' },
  ],
  invalid: [
    { name: 'an UPDATE in the migration transaction', before: [products], up: 'UPDATE products SET name_lower = lower(name);', errors: [{ messageId: 'backfill', line: 1, column: 1, endLine: 1, endColumn: 45, message: "UPDATE on products changes every matching row inside the migration's one transaction" }] },
    { name: 'a DELETE with a WHERE is a backfill too', before: [products], up: "DELETE FROM products WHERE name LIKE 'test%';", errors: [{ messageId: 'backfill', line: 1, column: 1, endLine: 1, endColumn: 45 }] },
    { name: 'INSERT ... SELECT copies a table', before: [products, { up: 'CREATE TABLE archive (id bigint PRIMARY KEY, name text);', down: 'DROP TABLE archive;' }], up: 'INSERT INTO archive (id, name) SELECT id, name FROM products;', errors: [{ messageId: 'backfill', line: 1, column: 1, endLine: 1, endColumn: 61 }] },
    { name: 'without a transaction it is one long statement', before: [products], up: '-- migrate:no-transaction\nUPDATE products SET name_lower = lower(name);', errors: [{ messageId: 'backfill', line: 2, column: 1, endLine: 2, endColumn: 45, message: 'in one statement, until it ends' }] },
  ],
});
