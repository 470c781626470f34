// Where a reported span ends when the rule gives only its start: the list element, or the literal with its cast.
import t from 'tap';
import { LineIndex } from '../core/migrations/source-position.js';
import { elementEnd, literalEnd } from '../verify/spans.js';

/** The text from `from` (a substring's first occurrence) to where elementEnd stops, within the whole text. */
function element(sql: string, from: string): string {
  const lines = new LineIndex(sql);
  const at = Buffer.byteLength(sql.slice(0, sql.indexOf(from)), 'utf8');
  return lines.textBetween(at, elementEnd(lines, at, Buffer.byteLength(sql, 'utf8')));
}

t.test('elementEnd stops at the element’s comma or closing parenthesis, never inside quotes, bodies or comments', async (t) => {
  t.equal(element('ALTER TABLE t ADD COLUMN a text DEFAULT \'x, y\', ADD COLUMN b int', 'a text'), "a text DEFAULT 'x, y'");
  t.equal(element('CREATE TABLE t (id int, p_id int REFERENCES p (id))', 'REFERENCES'), 'REFERENCES p (id)');
  t.equal(element('CREATE TABLE t (a int CHECK (a > 0 AND a < 10), b int)', 'a int'), 'a int CHECK (a > 0 AND a < 10)');
  t.equal(element('CREATE TABLE t (a int, "b,c" int /* x, y ) */ -- z, )\n, d int)', '"b,c"'), '"b,c" int', 'comments are skipped, trailing blanks dropped');
  t.equal(element('ALTER TABLE t ADD COLUMN a text DEFAULT $$a, b)$$, ADD COLUMN b int', 'a text'), 'a text DEFAULT $$a, b)$$');
  t.equal(element('ALTER TABLE t ADD COLUMN naïve text, ADD COLUMN b int', 'naïve'), 'naïve text', 'byte offsets, not characters');
  t.equal(element('ALTER TABLE t ALTER COLUMN c TYPE bigint', 'c TYPE'), 'c TYPE bigint', 'the last element ends with the statement');
});

t.test('literalEnd covers the literal and its cast', async (t) => {
  const sql = "SELECT 'it''s'::shop.status, 'plain' FROM t";
  const lines = new LineIndex(sql);
  const first = sql.indexOf("'it");
  t.equal(lines.textBetween(first, literalEnd(lines, first, sql.length)!), "'it''s'::shop.status");
  const second = sql.indexOf("'plain'");
  t.equal(lines.textBetween(second, literalEnd(lines, second, sql.length)!), "'plain'");
  t.equal(literalEnd(lines, 0, sql.length), undefined, 'no literal starts there');
});
