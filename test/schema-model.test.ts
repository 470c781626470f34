// The schema model's dependency bookkeeping: owned sequences, views' reads, remembered drops; journaled and kept by snapshots.
import t from 'tap';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { SchemaModel } from '../verify/schema-model.js';

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
