// changesOf(): what one statement changes, read from the AST and the schema model just before it.
import t from 'tap';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { SchemaModel } from '../verify/schema-model.js';
import { changesOf, describeSubject } from '../verify/changes.js';

await loadParser();

function model(sql: string): SchemaModel {
  const m = new SchemaModel();
  for (const statement of parseSql(sql).statements) m.apply(statement, { migration: 'm0', file: 'm0.up.sql' });
  return m;
}

function keys(sql: string, schema: SchemaModel): string[] {
  return parseSql(sql).statements.flatMap((statement) => {
    const out = changesOf(statement, schema).actions.map((a) => a.key);
    schema.apply(statement, { migration: 'm1', file: 'm1.up.sql' });
    return out;
  });
}

const PRODUCTS = 'CREATE TABLE products (id bigint PRIMARY KEY, name text, price numeric);';

t.test('generated names: an unnamed index is the index Postgres would name', async (t) => {
  const schema = model(`${PRODUCTS}\nCREATE INDEX products_name_idx ON products (name);`);
  t.same(keys('CREATE INDEX ON products (name, price);\nCREATE INDEX ON products (name);\nCREATE INDEX ON products (lower(name));', schema), [
    'create index public.products_name_price_idx',
    'create index public.products_name_idx1',
    'create index public.products_lower_idx',
  ]);
  t.same(keys('ALTER TABLE products ADD CHECK (price > 0);\nALTER TABLE products ADD CHECK (price < 1000);', schema), ['add constraint public.products.products_price_check', 'add constraint public.products.products_price_check1'], 'a clashing constraint name gets 1');
});

t.test('no-ops are not changes: IF EXISTS / IF NOT EXISTS resolved against the model', async (t) => {
  const schema = model(PRODUCTS);
  t.same(keys('ALTER TABLE products DROP CONSTRAINT IF EXISTS nope, DROP COLUMN IF EXISTS nope, ADD COLUMN IF NOT EXISTS name text;', schema), [], 'nothing to drop, nothing to add');
  t.same(keys('CREATE TABLE t (id int);\nDROP POLICY IF EXISTS p ON t;\nDROP TRIGGER IF EXISTS tg ON t;', schema), ['create table public.t'], 'a table created a line earlier has no policy or trigger');
  t.same(keys('CREATE INDEX IF NOT EXISTS products_pkey ON products (id);', schema), [], 'the primary key index exists');
  t.same(keys('ALTER TABLE products DROP CONSTRAINT IF EXISTS products_pkey;', schema), ['drop constraint public.products.products_pkey'], 'an existing constraint is dropped');
  t.same(keys('ALTER TABLE elsewhere DROP CONSTRAINT IF EXISTS c;', schema), ['drop constraint public.elsewhere.c'], 'a table the model does not know may have it');
});

t.test('schema and data apart: data actions say so', async (t) => {
  const schema = model(PRODUCTS);
  for (const sql of ["INSERT INTO products VALUES (1, 'a', 1);", 'UPDATE products SET price = 0;', 'DELETE FROM products;', 'TRUNCATE products;']) {
    const [statement] = parseSql(sql).statements;
    const actions = changesOf(statement!, schema).actions;
    t.ok(actions.length === 1 && actions[0]!.data === true, `${sql} is a data action`);
  }
  const [ddl] = parseSql('ALTER TABLE products ADD COLUMN sku text;').statements;
  t.notOk(changesOf(ddl!, schema).actions[0]!.data, 'ADD COLUMN is not');
});

t.test('renames name both ends; the inverse is the rename back', async (t) => {
  const schema = model(PRODUCTS);
  const [rename] = parseSql('ALTER TABLE products RENAME COLUMN name TO title;').statements;
  const action = changesOf(rename!, schema).actions[0]!;
  t.equal(action.key, 'rename column public.products.name->title');
  t.same(action.undoneBy.slice(0, 1), ['rename column public.products.title->name']);
  const [index] = parseSql('ALTER INDEX products_pkey RENAME TO products_id_pkey;').statements;
  t.equal(changesOf(index!, schema).subject, 'table public.products', 'an index belongs to its table');
});

t.test('implied drops: what Postgres drops with a table or a column', async (t) => {
  const schema = model(`${PRODUCTS}\nCREATE TABLE orders (id int, product_id bigint REFERENCES products, qty int, CHECK (qty > product_id));\nCREATE INDEX ON orders (product_id, qty);\nCREATE VIEW v AS SELECT id FROM products;`);
  const [dropTable] = parseSql('DROP TABLE products CASCADE;').statements;
  t.same(changesOf(dropTable!, schema).actions[0]!.implies, ['drop index public.products_pkey', 'drop constraint public.products.products_pkey', 'drop view public.v', 'drop constraint public.orders.orders_product_id_fkey']);
  const [dropColumn] = parseSql('ALTER TABLE orders DROP COLUMN qty;').statements;
  t.same(changesOf(dropColumn!, schema).actions[0]!.implies, ['drop index public.orders_product_id_qty_idx', 'drop constraint public.orders.orders_check'], 'the multi-column index and CHECK go with the column');
  t.equal(describeSubject('table public.orders'), 'table orders');
});

t.test('actions are data: verb, kind and name, read once from the key', async (t) => {
  const schema = model(PRODUCTS);
  const sql = [
    'CREATE INDEX products_name_idx ON products (name);',
    'ALTER TABLE products ADD COLUMN sku text, ALTER COLUMN name SET NOT NULL, ALTER COLUMN price SET DEFAULT 0, DROP COLUMN price;',
    "ALTER TABLE products ADD CONSTRAINT products_sku_key UNIQUE (sku);",
    "INSERT INTO products (id, name) VALUES (1, 'x');",
    'TRUNCATE products;',
    'DROP TABLE products;',
  ].join('\n');
  const typed = parseSql(sql).statements.flatMap((statement) => {
    const out = changesOf(statement, schema).actions.map((a) => `${a.verb} | ${a.kind} | ${a.name}`);
    schema.apply(statement, { migration: 'm1', file: 'm1.up.sql' });
    return out;
  });
  t.same(typed, [
    'create | index | public.products_name_idx',
    'add | column | public.products.sku',
    'set not null | column | public.products.name',
    'set default | column | public.products.price',
    'drop | column | public.products.price',
    'add | constraint | public.products.products_sku_key',
    'insert | rows | public.products',
    'truncate | rows | public.products',
    'drop | table | public.products',
  ]);
});
