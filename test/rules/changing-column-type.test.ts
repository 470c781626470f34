import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/changing-column-type.js';

const products = {
  up: 'CREATE TABLE products (id integer PRIMARY KEY, name varchar(100), code text, price numeric(10,2), amount numeric, seen timestamp(3), net cidr, tags varchar(20)[]);\nCREATE INDEX idx_products_code ON products (code);',
  down: 'DROP TABLE products;',
};
const alter = (change: string): string => `ALTER TABLE products ALTER COLUMN ${change};`;

ruleTester(rule, {
  valid: [
    { name: 'varchar(n) to a longer varchar', before: [products], up: alter('name TYPE varchar(200)') },
    { name: 'varchar(n) to text', before: [products], up: alter('name TYPE text') },
    { name: 'varchar(n) to unbounded varchar', before: [products], up: alter('name TYPE varchar') },
    { name: 'SET DATA TYPE with a USING that only casts the column', before: [products], up: alter('name SET DATA TYPE text USING name::text') },
    { name: 'text to unbounded varchar', before: [products], up: alter('code TYPE character varying') },
    { name: 'numeric(p,s) to a wider precision, same scale', before: [products], up: alter('price TYPE numeric(12,2)') },
    { name: 'numeric(p,s) to unconstrained numeric', before: [products], up: alter('price TYPE decimal') },
    { name: 'timestamp(3) to a finer precision', before: [products], up: alter('seen TYPE timestamp(6)') },
    { name: 'cidr to inet', before: [products], up: alter('net TYPE inet') },
    { name: 'the same type again', before: [products], up: alter('id TYPE int4') },
    { name: 'a collation change on a column without index', before: [products], up: alter('name TYPE text COLLATE "C"') },
    { name: 'int to bigint on a table created in the same migration', up: 'CREATE TABLE products (id integer PRIMARY KEY);\nALTER TABLE products ALTER COLUMN id TYPE bigint;' },
    { name: 'a type change in the down of a migration that creates the table', up: 'CREATE TABLE products (id integer PRIMARY KEY);', down: 'ALTER TABLE products ALTER COLUMN id TYPE bigint;\nDROP TABLE products;' },
    { name: 'a quoted, schema-qualified table created in the same migration', up: 'CREATE SCHEMA shop;\nCREATE TABLE shop."Products" ("Id" integer);\nALTER TABLE SHOP."Products" ALTER COLUMN "Id" TYPE bigint;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE products (id integer);\nDO $$ BEGIN EXECUTE 'TRUNCATE products'; END $$;" }], up: alter('id TYPE bigint') },
    { name: 'a foreign table stores nothing to rewrite', up: 'ALTER FOREIGN TABLE remote_products ALTER COLUMN id TYPE bigint;' },
  ],
  invalid: [
    { name: 'int to bigint rewrites every row though no value changes', before: [products], up: alter('id TYPE bigint'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 49, message: 'Changing products.id from int4 to int8 rewrites products and its indexes under an ACCESS EXCLUSIVE lock' }] },
    { name: 'a shorter varchar', before: [products], up: alter('name TYPE varchar(50)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 56 }] },
    { name: 'text to a bounded varchar checks every row', before: [products], up: alter('code TYPE varchar(20)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 56 }] },
    { name: 'numeric with a new scale', before: [products], up: alter('price TYPE numeric(12,3)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 59 }] },
    { name: 'unconstrained numeric to a bounded one', before: [products], up: alter('amount TYPE numeric(10,2)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 60 }] },
    { name: 'timestamp to timestamptz depends on the session time zone', before: [products], up: alter('seen TYPE timestamptz'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 56 }] },
    { name: 'a coarser timestamp precision', before: [products], up: alter('seen TYPE timestamp(0)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 57 }] },
    { name: 'an array element type change', before: [products], up: alter('tags TYPE varchar(40)[]'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 58 }] },
    { name: 'a USING expression that computes', before: [products], up: alter('name TYPE text USING upper(name)'), errors: [{ messageId: 'usingRewrite', line: 1, column: 35, endLine: 1, endColumn: 67 }] },
    { name: 'a USING cast to another type than the target', before: [products], up: alter('name TYPE text USING name::varchar(10)'), errors: [{ messageId: 'usingRewrite', line: 1, column: 35, endLine: 1, endColumn: 73 }] },
    { name: 'a collation change rebuilds the indexes on the column', before: [products], up: alter('code TYPE text COLLATE "C"'), errors: [{ messageId: 'collation', line: 1, column: 35, endLine: 1, endColumn: 61, message: 'rebuilds its indexes (idx_products_code)' }] },
    { name: 'a table the history never created counts as existing', up: '-- Widen the counter.\nALTER TABLE counters ALTER hits TYPE bigint;', errors: [{ messageId: 'typeChangeUnknown', line: 2, column: 28, endLine: 2, endColumn: 44, message: 'the current type is not known here' }] },
    { name: 'a column added by an earlier migration', before: [products, { up: 'ALTER TABLE products ADD COLUMN stock integer;' }], up: alter('stock TYPE bigint'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 52, message: 'from int4 to int8' }] },
    { name: 'mixed case, schema-qualified, IF EXISTS', before: [{ up: 'CREATE SCHEMA shop;\nCREATE TABLE Shop.Items (Qty integer);' }], up: 'ALTER TABLE IF EXISTS SHOP.ITEMS\n    ALTER COLUMN QTY SET DATA TYPE bigint;', errors: [{ messageId: 'typeChange', line: 2, column: 18, endLine: 2, endColumn: 42, message: 'shop.items.qty' }] },
    { name: 'each rewriting change of one statement', before: [products], up: 'ALTER TABLE products ALTER COLUMN id TYPE bigint, ALTER COLUMN name TYPE text, ALTER COLUMN price TYPE numeric(8,2);', errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 49 }, { messageId: 'typeChange', line: 1, column: 93, endLine: 1, endColumn: 116 }] },
    { name: 'a down that narrows back what the up widened', before: [products], up: alter('name TYPE varchar(200)'), down: alter('name TYPE varchar(100)'), errors: [{ messageId: 'typeChange', line: 1, column: 35, endLine: 1, endColumn: 57, file: 'down' }] },
  ],
});
