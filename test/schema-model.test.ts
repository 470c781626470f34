// The schema model's dependency bookkeeping: owned sequences, views' reads, remembered drops; journaled and kept by snapshots.
import t from 'tap';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { SchemaModel } from '../verify/schema-model.js';
import { startTestServer } from './helpers/server.js';
import { schemaDifferences } from '../verify/schema-diff.js';

await loadParser();

function replay(model: SchemaModel, sql: string, migration = 'm1'): void {
  for (const statement of parseSql(sql).statements) model.apply(statement, { migration, file: `${migration}.up.sql` });
}

const HISTORY = `CREATE TABLE t (id bigint NOT NULL, a text, b text);
CREATE SEQUENCE t_id_seq OWNED BY t.id;
CREATE VIEW v AS SELECT id, a FROM t;
CREATE MATERIALIZED VIEW mv AS WITH x AS (SELECT id FROM v) SELECT id FROM x;
CREATE UNIQUE INDEX idx_mv_id ON mv (id);
CREATE INDEX idx_t_b ON t (a) INCLUDE (b);
CREATE INDEX idx_t_lower_b ON t (lower(b));
CREATE INDEX idx_t_a ON t (a);`;

t.test('what depends on what', async (t) => {
  const model = new SchemaModel();
  replay(model, HISTORY);
  t.same(model.dependentViews('public.t'), ['public.v', 'public.mv'], 'views read through views; a CTE is not a relation');
  t.same(model.sequencesOwnedBy('public.t').map((s) => s.name), ['public.t_id_seq']);
  t.same(model.indexesUsing('public.t', 'b').map((i) => i.name).sort(), ['public.idx_t_b', 'public.idx_t_lower_b'], 'INCLUDE and expression columns count');
  t.equal(model.relationKind('public.mv'), 'view');
  t.ok(model.isNew('public.mv', 'm1'), 'a materialized view created in the migration is new');
  t.notOk(model.isNew('public.mv', 'm2'));
});

t.test('implied drops', async (t) => {
  const model = new SchemaModel();
  replay(model, HISTORY);
  const mark = model.mark();
  replay(model, 'ALTER TABLE t DROP COLUMN b;', 'm2');
  t.same(model.indexesOf('public.t').map((i) => i.name), ['public.idx_t_a'], 'DROP COLUMN drops the indexes that use the column');
  t.ok(model.wasDropped('index', 'public.idx_t_b'));
  t.equal(model.droppedIndexTable('public.idx_t_lower_b'), 'public.t');
  replay(model, 'DROP INDEX idx_mv_id;\nCREATE UNIQUE INDEX idx_mv_id ON mv (id);', 'm2');
  t.equal(model.index('public.idx_mv_id')?.table, 'public.mv', 'an index recreated under a dropped name is there again');
  t.notOk(model.wasDropped('index', 'public.idx_mv_id'));
  replay(model, 'DROP TABLE t CASCADE;', 'm2');
  t.notOk(model.object('view', 'public.mv'), 'CASCADE drops the views that read it');
  t.notOk(model.index('public.idx_mv_id'), '... and their indexes');
  t.notOk(model.object('sequence', 'public.t_id_seq'), 'the owned sequence goes with the table');
  t.ok(model.wasDropped('table', 'public.t'));
  model.rollback(mark);
  t.same(model.dependentViews('public.t'), ['public.v', 'public.mv'], 'rollback restores the reads');
  t.same(model.sequencesOwnedBy('public.t').map((s) => s.name), ['public.t_id_seq'], 'rollback restores ownership');
  t.notOk(model.wasDropped('index', 'public.idx_t_b'), 'rollback forgets the drops');
  t.equal(model.indexesOf('public.t').length, 3);
});

t.test('renames carry ownership and readers', async (t) => {
  const model = new SchemaModel();
  replay(model, HISTORY);
  replay(model, 'ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 RENAME COLUMN id TO key;\nALTER MATERIALIZED VIEW mv RENAME TO mv2;', 'm2');
  t.same(model.sequencesOwnedBy('public.t2', 'key').map((s) => s.name), ['public.t_id_seq']);
  t.same(model.dependentViews('public.t2'), ['public.v', 'public.mv2']);
  t.equal(model.index('public.idx_mv_id')?.table, 'public.mv2');
  t.ok(model.wasDropped('table', 'public.t'), 'the old name is gone');
  replay(model, 'ALTER SEQUENCE t_id_seq OWNED BY NONE;', 'm2');
  t.same(model.sequencesOwnedBy('public.t2'), []);
});

t.test('a snapshot keeps the bookkeeping', async (t) => {
  const model = new SchemaModel();
  replay(model, `${HISTORY}\nDROP INDEX idx_t_a;`);
  const copy = SchemaModel.fromSnapshot(JSON.parse(JSON.stringify(model.toSnapshot())));
  t.same(copy.dependentViews('public.t'), ['public.v', 'public.mv']);
  t.same(copy.sequencesOwnedBy('public.t').map((s) => s.name), ['public.t_id_seq']);
  t.ok(copy.wasDropped('index', 'public.idx_t_a'));
  t.equal(copy.droppedIndexTable('public.idx_t_a'), 'public.t');
});

// Postgres's names for what a migration leaves unnamed: the model and a real server must agree, name for name.

const UNNAMED = `CREATE TABLE products (id bigint PRIMARY KEY, name text, price numeric);
CREATE INDEX ON products (name, price);
CREATE INDEX ON products (name, price);
CREATE UNIQUE INDEX ON products (name, price);
CREATE INDEX ON products (lower(name));
CREATE INDEX ON products ((price * 2));
CREATE INDEX ON products (name) INCLUDE (price);
CREATE INDEX ON products (name, name);
ALTER TABLE products ADD CHECK (price > 0);
ALTER TABLE products ADD CHECK (price < 1000), ADD CHECK (price <> 5);
ALTER TABLE products ADD CHECK (price > id);
CREATE TABLE a_table_with_a_rather_long_name_for_the_catalogue_of_things (
    a_column_with_an_even_longer_name_than_its_table_has_got int UNIQUE,
    b int CHECK (b > 0),
    c serial,
    d int GENERATED ALWAYS AS IDENTITY,
    CHECK (b > a_column_with_an_even_longer_name_than_its_table_has_got),
    UNIQUE (b, c)
);
CREATE INDEX ON a_table_with_a_rather_long_name_for_the_catalogue_of_things (a_column_with_an_even_longer_name_than_its_table_has_got, b);
CREATE INDEX ON a_table_with_a_rather_long_name_for_the_catalogue_of_things (a_column_with_an_even_longer_name_than_its_table_has_got, b);
CREATE TABLE "ünïcödé_täblé_wïth_multibyte_characters_äöüäöüäöüäöü" ("cöl_ü" int);
CREATE INDEX ON "ünïcödé_täblé_wïth_multibyte_characters_äöüäöüäöüäöü" ("cöl_ü");
CREATE TABLE orders_id_product_id_key (x int);
CREATE TABLE orders (id int, product_id bigint REFERENCES products, UNIQUE (id, product_id), EXCLUDE USING btree (id WITH =));
CREATE TABLE order_lines_id_key (x int);
CREATE TABLE order_lines (id int CONSTRAINT order_lines_id_key1 CHECK (id > 0), UNIQUE (id));
CREATE TABLE order_lines2 (id int, UNIQUE (id));`;

t.test('generated names: the model names unnamed indexes, constraints and sequences as PostgreSQL does', async (t) => {
  const db = await startTestServer(t);
  const { sql } = await db.freshDatabase();
  await sql.unsafe(UNNAMED);
  const relations = await sql<{ name: string }[]>`SELECT relname AS name FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relkind IN ('i', 'S') ORDER BY 1`;
  const constraints = await sql<{ name: string }[]>`SELECT conname AS name FROM pg_constraint WHERE connamespace = 'public'::regnamespace AND contype IN ('p', 'u', 'f', 'c', 'x') ORDER BY 1`;
  const model = new SchemaModel();
  replay(model, UNNAMED);
  const bare = (name: string): string => name.slice(name.indexOf('.') + 1);
  // The parser cuts identifiers to 63 bytes as Postgres does: the multibyte table's name is cut, and its index named after the cut name.
  const tables = model.toSnapshot().tables.map((table) => table.name);
  t.equal(tables.length, 8);
  const modelRelations = [...tables.flatMap((table) => model.indexesOf(table).map((i) => bare(i.name))), ...model.objectsOf('sequence').map((s) => bare(s.name))];
  const modelConstraints = tables.flatMap((table) => (model.table(table)?.constraints ?? []).map((c) => c.name));
  const sort = (names: string[]): string[] => [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  t.same(sort(modelRelations), sort(relations.map((r) => r.name)), 'indexes and sequences: t_a_b_idx, truncated at 63 bytes, 1, 2 on clashes');
  t.same(sort(modelConstraints), sort(constraints.map((c) => c.name)), 'constraints: pkey, key, fkey, check, excl, with the same rules');
});

t.test('states compared: the schema after the down against the schema before the up, object by object', async (t) => {
  const model = new SchemaModel();
  replay(model, "CREATE TABLE t (id int PRIMARY KEY, a text DEFAULT 'x', b int);\nCOMMENT ON COLUMN t.a IS 'A';\nCREATE TYPE mood AS ENUM ('a');", 'm0');
  const before = model.mark();
  replay(model, "ALTER TABLE t RENAME TO t2;\nALTER TABLE t2 DROP COLUMN a;\nALTER TYPE mood ADD VALUE 'b';\nCREATE INDEX ON t2 (b);", 'm1');
  const afterUp = model.mark();
  replay(model, 'ALTER TABLE t2 RENAME TO t;\nALTER TABLE t ADD COLUMN a text;', 'm1');
  const differences = schemaDifferences(model.stateChangesSince(before), afterUp).map((d) => `${d.change} ${d.kind} ${d.name} ${d.aspects.join(',')} up@${d.up?.at ?? '-'} down@${d.down?.at ?? '-'}`);
  t.same(differences.sort(), [
    'changed column public.t.a default,comment up@28 down@28',
    'changed enum public.mood labels up@58 down@-',
    'left index public.t2_b_idx  up@89 down@0',
  ], 'the index follows the table through its renames; the column came back without its default and comment; the enum keeps its new label');
  model.rollback(before);
  t.same(model.stateChangesSince(before), [], 'rolled back, nothing changed');
});

t.test('which tables reference a table: kept in step with every change, rolled back and restored from a snapshot', async (t) => {
  const model = new SchemaModel();
  replay(model, `CREATE TABLE a (id bigint PRIMARY KEY);
CREATE TABLE b (id bigint PRIMARY KEY, a_id bigint REFERENCES a);
CREATE TABLE c (id bigint PRIMARY KEY, a_id bigint, a2_id bigint);
ALTER TABLE c ADD CONSTRAINT c_a FOREIGN KEY (a_id) REFERENCES a, ADD CONSTRAINT c_a2 FOREIGN KEY (a2_id) REFERENCES a;`);
  const names = (table: string): string[] => model.referencing(table).map((x) => x.name);
  t.same(names('public.a'), ['public.b', 'public.c'], 'in the order the tables were made; two keys count once');
  const mark = model.mark();
  replay(model, 'ALTER TABLE c DROP CONSTRAINT c_a;', 'm2');
  t.same(names('public.a'), ['public.b', 'public.c'], 'c still has c_a2');
  replay(model, 'ALTER TABLE c DROP CONSTRAINT c_a2;\nDROP TABLE b;', 'm2');
  t.same(names('public.a'), [], 'no key left');
  replay(model, 'ALTER TABLE a RENAME TO a_old;', 'm2');
  replay(model, 'CREATE TABLE d (id bigint PRIMARY KEY, x bigint REFERENCES a_old);', 'm2');
  t.same(names('public.a_old'), ['public.d'], 'a key to the renamed table');
  model.rollback(mark);
  // (A rollback puts a dropped table back at the end of the model's order: compared as a set.)
  t.same(names('public.a').sort(), ['public.b', 'public.c'], 'rollback restores what referenced it');
  t.same(names('public.a_old'), []);
  t.same(SchemaModel.fromSnapshot(model.toSnapshot()).referencing('public.a').map((x) => x.name).sort(), ['public.b', 'public.c'], 'a model restored from a snapshot knows it too');
});
