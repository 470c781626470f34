import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/adding-serial-primary-key-field.js';

const items = { up: 'CREATE TABLE items (id bigint NOT NULL, sku text);', down: 'DROP TABLE items;' };
const index = { up: '-- migrate:no-transaction\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS items_id_idx ON items (id);' };

ruleTester(rule, {
  valid: [
    { name: 'PRIMARY KEY USING INDEX adopts an index built CONCURRENTLY', before: [items, index], up: 'ALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY USING INDEX items_id_idx;' },
    { name: 'a primary key on a table created in the same migration', up: 'CREATE TABLE items (id bigint NOT NULL);\nALTER TABLE items ADD PRIMARY KEY (id);' },
    { name: 'a serial primary key column on a table created in the same migration', up: 'CREATE TABLE items (sku text);\nALTER TABLE items ADD COLUMN id bigserial PRIMARY KEY;' },
    { name: 'a primary key in CREATE TABLE', up: 'CREATE TABLE items (id bigint PRIMARY KEY);' },
    { name: 'a UNIQUE constraint is another rule', before: [items], up: 'ALTER TABLE items ADD CONSTRAINT items_sku_key UNIQUE (sku);' },
    { name: 'a quoted schema-qualified table created in the same migration', up: 'CREATE SCHEMA app;\nCREATE TABLE app."Items" (id bigint NOT NULL);\nALTER TABLE APP."Items" ADD CONSTRAINT "Items_pkey" PRIMARY KEY (id);' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE items (id bigint NOT NULL);\nDO $$ BEGIN EXECUTE 'TRUNCATE items'; END $$;" }], up: 'ALTER TABLE items ADD PRIMARY KEY (id);' },
  ],
  invalid: [
    { name: 'ADD PRIMARY KEY on a table created earlier', before: [items], up: 'ALTER TABLE items ADD PRIMARY KEY (id);', errors: [{ messageId: 'primaryKey', line: 1, column: 23, endLine: 1, endColumn: 39, message: 'Adding primary key items_pkey builds its unique index under an ACCESS EXCLUSIVE lock on items' }] },
    { name: 'a named primary key constraint', before: [items], up: 'ALTER TABLE items\n    ADD CONSTRAINT items_pk PRIMARY KEY (id);', errors: [{ messageId: 'primaryKey', line: 2, column: 9, endLine: 2, endColumn: 45, message: 'items_pk' }] },
    { name: 'a bigserial PRIMARY KEY column', before: [items], up: 'ALTER TABLE items ADD COLUMN seq bigserial PRIMARY KEY;', errors: [{ messageId: 'primaryKeyColumn', line: 1, column: 44, endLine: 1, endColumn: 55, message: 'Adding column items.seq as PRIMARY KEY' }] },
    { name: 'an identity PRIMARY KEY column', before: [items], up: 'ALTER TABLE items ADD COLUMN seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY;', errors: [{ messageId: 'primaryKeyColumn', line: 1, column: 70, endLine: 1, endColumn: 81 }] },
    { name: 'a table the history never created counts as existing', up: '-- Give orders a key.\nALTER TABLE orders ADD PRIMARY KEY (id);', errors: [{ messageId: 'primaryKey', line: 2, column: 24, endLine: 2, endColumn: 40, message: 'orders_pkey' }] },
    { name: 'mixed case, schema-qualified, IF EXISTS', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Items (id bigint NOT NULL);' }], up: 'ALTER TABLE IF EXISTS APP.ITEMS ADD PRIMARY KEY (id);', errors: [{ messageId: 'primaryKey', line: 1, column: 37, endLine: 1, endColumn: 53, message: 'on app.items' }] },
    { name: 'in a down file', before: [items], up: 'ALTER TABLE items ADD COLUMN note text;', down: 'ALTER TABLE items DROP COLUMN note;\nALTER TABLE items ADD CONSTRAINT items_pkey PRIMARY KEY (id);', errors: [{ messageId: 'primaryKey', line: 2, column: 23, endLine: 2, endColumn: 61, file: 'down' }] },
  ],
});
