import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/constraint-missing-not-valid.js';

const tables = { up: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE products (id bigint PRIMARY KEY, price numeric, discount numeric, owner_id bigint);', down: 'DROP TABLE products;\nDROP TABLE users;' };

ruleTester(rule, {
  valid: [
    { name: 'CHECK ... NOT VALID', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;' },
    { name: 'FOREIGN KEY ... NOT VALID', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_owner_fkey FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;' },
    { name: 'VALIDATE CONSTRAINT in a later migration', before: [tables, { up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;' }], up: 'ALTER TABLE products VALIDATE CONSTRAINT products_price_positive;' },
    { name: 'NOT VALID in the up and VALIDATE in the down run in two transactions', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;', down: 'ALTER TABLE products VALIDATE CONSTRAINT products_price_positive;\nALTER TABLE products DROP CONSTRAINT products_price_positive;' },
    { name: 'NOT VALID and VALIDATE in a no-transaction migration commit separately', before: [tables], up: '-- migrate:no-transaction\nALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;\nALTER TABLE products VALIDATE CONSTRAINT products_price_positive;' },
    { name: 'NOT ENFORCED checks nothing', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT ENFORCED;' },
    { name: 'a table created in the same migration, NOT VALID and VALIDATE included', up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nALTER TABLE tags ADD CONSTRAINT tags_label_check CHECK (label <> \'\');\nALTER TABLE tags ADD CONSTRAINT tags_label_len CHECK (length(label) < 50) NOT VALID;\nALTER TABLE tags VALIDATE CONSTRAINT tags_label_len;' },
    { name: 'UNIQUE cannot be NOT VALID: another rule\'s business', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_owner_key UNIQUE (owner_id);' },
    { name: 'a new column without a check', before: [tables], up: 'ALTER TABLE products ADD COLUMN sku text;' },
    { name: 'quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA shop;\nCREATE TABLE shop."Items" ("Price" numeric);\nALTER TABLE SHOP."Items" ADD CHECK ("Price" > 0);' },
    { name: 'a table changed by dynamic SQL is not judged', before: [tables, { up: "DO $$ BEGIN EXECUTE 'ALTER TABLE products ADD COLUMN sku text'; END $$;" }], up: 'ALTER TABLE products ADD CHECK (price > 0);' },
  ],
  invalid: [
    { name: 'CHECK on a table created in an earlier migration, reported at CONSTRAINT', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0);', errors: [{ messageId: 'check', line: 1, column: 26, endLine: 1, endColumn: 78, message: 'ACCESS EXCLUSIVE lock' }] },
    { name: 'an unnamed CHECK on one column gets Postgres\'s name', before: [tables], up: 'ALTER TABLE products\n    ADD CHECK (price > 0);', errors: [{ messageId: 'check', line: 2, column: 9, endLine: 2, endColumn: 26, message: 'products_price_check' }] },
    { name: 'an unnamed CHECK on two columns gets Postgres\'s name', before: [tables], up: 'ALTER TABLE products ADD CHECK (discount < price);', errors: [{ messageId: 'check', line: 1, column: 26, endLine: 1, endColumn: 50, message: 'constraint products_check scans' }] },
    { name: 'FOREIGN KEY without NOT VALID', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_owner_fkey FOREIGN KEY (owner_id) REFERENCES users (id);', errors: [{ messageId: 'foreignKey', line: 1, column: 26, endLine: 1, endColumn: 101, message: 'SHARE ROW EXCLUSIVE lock, which blocks writes' }] },
    { name: 'a CHECK on a new column is checked on every row', before: [tables], up: 'ALTER TABLE products ADD COLUMN stock int CHECK (stock >= 0);', errors: [{ messageId: 'columnCheck', line: 1, column: 43, endLine: 1, endColumn: 61, message: 'products_stock_check' }] },
    { name: 'NOT VALID then VALIDATE in one transaction, reported at VALIDATE', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;\nALTER TABLE products VALIDATE CONSTRAINT products_price_positive;', errors: [{ messageId: 'validateInTransaction', line: 2, column: 1, endLine: 2, endColumn: 65, message: 'ACCESS EXCLUSIVE lock taken by adding it is still held, which blocks reads and writes' }] },
    { name: 'a foreign key NOT VALID then VALIDATE in one transaction', before: [tables], up: 'ALTER TABLE products ADD CONSTRAINT products_owner_fkey FOREIGN KEY (owner_id) REFERENCES users (id) NOT VALID;\nALTER TABLE products VALIDATE CONSTRAINT products_owner_fkey;', errors: [{ messageId: 'validateInTransaction', line: 2, column: 1, endLine: 2, endColumn: 61, message: 'SHARE ROW EXCLUSIVE lock' }] },
    { name: 'a table the history never created counts as existing', up: 'ALTER TABLE orders ADD CONSTRAINT orders_total_check CHECK (total >= 0);', errors: [{ messageId: 'check', line: 1, column: 24, endLine: 1, endColumn: 72 }] },
    { name: 'mixed-case names resolve to the earlier table', before: [tables], up: 'ALTER TABLE Public.PRODUCTS ADD CONSTRAINT Price_Positive CHECK (Price > 0);', errors: [{ messageId: 'check', line: 1, column: 33, endLine: 1, endColumn: 76, message: 'price_positive scans every row of products' }] },
    { name: 'a check re-added by a down file: its help offers no later migration, which a down does not have', before: [tables, { up: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0) NOT VALID;' }], up: 'ALTER TABLE products DROP CONSTRAINT products_price_positive;', down: 'ALTER TABLE products ADD CONSTRAINT products_price_positive CHECK (price > 0);', errors: [{ messageId: 'checkInDown', line: 1, column: 26, endLine: 1, endColumn: 78, file: 'down' }] },
  ],
});
