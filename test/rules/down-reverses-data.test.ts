import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../../verify/engine.js';
import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/down-reverses-data.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, price numeric DEFAULT 0);' };

ruleTester(rule, {
  valid: [
    { name: 'inserted reference data deleted', before: [products], up: "INSERT INTO products (id, name) VALUES (1, 'a');", down: 'DELETE FROM products WHERE id = 1;' },
    { name: 'updated rows updated back', before: [products], up: 'UPDATE products SET price = 1 WHERE price = 0;', down: 'UPDATE products SET price = 0 WHERE price = 1;' },
    { name: 'rows of a table the same up created go with the table', up: "CREATE TABLE currencies (code text PRIMARY KEY);\nINSERT INTO currencies VALUES ('CHF');", down: 'DROP TABLE currencies;' },
    { name: 'an UPDATE that fills a column the same up added is undone by dropping the column', before: [products], up: "ALTER TABLE products ADD COLUMN sku text;\nUPDATE products SET sku = 'p' || id;", down: 'ALTER TABLE products DROP COLUMN sku;' },
    { name: 'dropping the table undoes what was done to its rows', before: [products], up: 'DELETE FROM products WHERE price < 0;', down: 'DROP TABLE products;' },
    { name: 'a data change the down says it cannot undo', before: [products], up: 'DELETE FROM products WHERE price < 0;', down: '-- verify:irreversible the deleted rows were invalid and are not kept' },
    { name: 'schema changes are not this rule’s business', before: [products], up: 'ALTER TABLE products ADD COLUMN sku text;', down: 'SELECT 1;' },
  ],
  invalid: [
    { name: 'deleted rows never restored: the exact message', before: [products], up: 'DELETE FROM products WHERE price < 0;', down: 'SELECT 1;', errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 37, message: 'Up deletes from products; down never restores those rows.' }] },
    { name: 'updated rows never updated back: the exact message', before: [products], up: 'UPDATE products SET price = 0 WHERE price < 0;', down: 'SELECT 1;', errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 46, message: 'Up updates products; down never updates them back.' }] },
    { name: 'inserted rows never deleted: the exact message', before: [products], up: "INSERT INTO products (id, name) VALUES (1, 'a');", down: 'SELECT 1;', errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 48, message: 'Up inserts into products; down never deletes those rows.' }] },
    { name: 'truncated rows never restored: the exact message', before: [products], up: 'TRUNCATE products;', down: 'SELECT 1;', errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 18, message: 'Up truncates products; down never restores those rows.' }] },
    { name: 'schema and data apart: an up that only updates rows, with an empty down, is a data warning', before: [products], up: 'UPDATE products SET price = 0 WHERE price < 0;', down: '-- nothing\n', errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 46 }] },
    { name: 'schema and data apart: no down file at all', before: [products], up: "INSERT INTO products (id, name) VALUES (1, 'a');\nUPDATE products SET price = 2 WHERE id = 1;", errors: [{ messageId: 'notUndone', line: 1, column: 1, endLine: 1, endColumn: 48 }, { messageId: 'notUndone', line: 2, column: 1, endLine: 2, endColumn: 43 }] },
    { name: 'an UPDATE of an existing column next to a new one still needs undoing', before: [products], up: "ALTER TABLE products ADD COLUMN sku text;\nUPDATE products SET sku = 'x', price = 0;", down: 'ALTER TABLE products DROP COLUMN sku;', errors: [{ messageId: 'notUndone', line: 2, column: 1, endLine: 2, endColumn: 41 }] },
  ],
});

// The help offers the inverse statement, shaped after the up's.

t.test('the help offers the inverse statement or -- verify:irreversible', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'down-reverses-data-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_products.up.sql'), products.up);
  writeFileSync(join(dir, '20260101000000_products.down.sql'), 'DROP TABLE products;');
  writeFileSync(join(dir, '20260102000000_fix.up.sql'), "INSERT INTO products (id, name) VALUES (1, 'a');\nUPDATE products SET price = 0, name = 'b' WHERE id = 2;\nDELETE FROM products WHERE id = 3;");
  writeFileSync(join(dir, '20260102000000_fix.down.sql'), 'SELECT 1;');
  const { violations } = await verify({ paths: [dir], rules: [rule], cache: false });
  t.same(violations.map((v) => `${v.line} ${v.severity} ${v.help}`), [
    '1 warning Add DELETE FROM products WHERE <the rows inserted> to the down, or mark the down -- verify:irreversible <reason>.',
    '2 warning Add UPDATE products SET price = <its previous value>, name = <its previous value> WHERE <the rows updated> to the down, or mark the down -- verify:irreversible <reason>.',
    '3 warning Add INSERT INTO products SELECT * FROM <a copy of the deleted rows the up saved> to the down, or mark the down -- verify:irreversible <reason>.',
  ]);
});
