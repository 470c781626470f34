// The parser wrapper: byte offsets, non-ASCII text, comments (checked against libpg-query's own scanner), errors.
import t from 'tap';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { LineIndex } from '../core/migrations/source-position.js';

const ROOT = new URL('..', import.meta.url).pathname;

function sqlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sqlFiles(join(dir, e.name)) : e.name.endsWith('.sql') ? [join(dir, e.name)] : []));
}

const TRICKY = [
  "SELECT '-- not a comment', $$ /* nor this */ $$, \"--x\" FROM t; -- real",
  "SELECT E'it\\'s -- still a string' /* real */;",
  "SELECT $tag$ $$ -- in body $$ $tag$; /* nested /* inner */ outer */ SELECT 1;",
  "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $fn$\nBEGIN\n  -- body comment\n  RETURN 1;\nEND $fn$;\n-- after",
  "SELECT 'é' -- crème\n, \"ü--\" /* 日本 */;",
  "SELECT a$b$c FROM t; -- identifier with dollars",
  "SELECT 1--dash\n;",
  "SELECT U&'d\\0061t\\+000061' -- unicode escape string\n;",
];

t.before(async () => {
  await loadParser();
});

t.test('statements start at their first keyword, past comments and blanks', async (t) => {
  const text = '-- héllo wörld\n/* c */ CREATE TABLE é (id int);\n\n  -- verify:ignore x y\n  ALTER TABLE t ADD COLUMN b int;';
  const parsed = parseSql(text);
  const lines = new LineIndex(text);
  t.same(parsed.statements.map((s) => lines.position(s.start)), [{ line: 2, column: 9 }, { line: 5, column: 3 }]);
  t.same(parsed.statements.map((s) => s.kind), ['CreateStmt', 'AlterTableStmt']);
  t.equal(Buffer.from(text).toString('utf8', parsed.statements[0]!.start, parsed.statements[0]!.end), 'CREATE TABLE é (id int)');
});

t.test('columns count characters on non-ASCII lines', async (t) => {
  const lines = new LineIndex("SELECT 'ééé', x;\r\nSELECT 日本;");
  const second = Buffer.from("SELECT 'ééé', x;\r\n").length;
  t.same(lines.position(Buffer.from("SELECT 'ééé', ").length), { line: 1, column: 15 });
  t.same(lines.position(second + Buffer.from('SELECT 日本').length), { line: 2, column: 10 });
  t.equal(lines.lineText(1), "SELECT 'ééé', x;", 'CR stripped');
});

t.test('a syntax error points at the token Postgres names, in bytes', async (t) => {
  const text = "SELECT 'ééé';\nCREATE TABLE (;";
  const parsed = parseSql(text);
  t.equal(parsed.statements.length, 0);
  t.match(parsed.error, { message: 'syntax error at or near "("' });
  t.same(new LineIndex(text).position(parsed.error!.offset), { line: 2, column: 14 });
});

t.test('an error at the end of input points past the last byte', async (t) => {
  const text = 'SELECT (';
  const parsed = parseSql(text);
  t.equal(parsed.error?.offset, Buffer.byteLength(text));
});

t.test('an empty or comment-only file holds no statement and no error', async (t) => {
  for (const text of ['', '   \n', '-- only a comment\n', '/* block */']) {
    const parsed = parseSql(text);
    t.same([parsed.statements.length, parsed.error], [0, undefined], JSON.stringify(text));
  }
});

t.test('only PostgreSQL\'s blanks make a file empty: a no-break space or a BOM alone is a syntax error', async (t) => {
  const cases: Array<[string, boolean]> = [['\u00a0\n', true], ['\ufeff\ufeff', true], [' \t\f\v\r\n', false]];
  for (const [text, rejected] of cases) t.equal(parseSql(text).error !== undefined, rejected, JSON.stringify(text));
});

t.test('a syntax message is one line of at most ~200 characters, the cut token\'s quote closed', async (t) => {
  const unterminated = parseSql("SELECT 'abc;\nSELECT 2;\n");
  t.equal(unterminated.error?.message, 'unterminated quoted string at or near "\'abc;…"');
  const huge = parseSql(`SELECT '${'x\n'.repeat(100_000)}`);
  t.notMatch(huge.error!.message, /\n/);
  t.ok(huge.error!.message.length <= 203, `length ${huge.error!.message.length}`);
  t.match(huge.error!.message, /…"$/);
});

t.test('comments found by the lexer are exactly those of libpg-query\'s scanner', async (t) => {
  const { scanSync } = await import('libpg-query');
  const texts = [...TRICKY, ...sqlFiles(join(ROOT, 'sql')).map((f) => readFileSync(f, 'utf8')), ...sqlFiles(join(ROOT, 'test/fixtures')).map((f) => readFileSync(f, 'utf8'))];
  let checked = 0;
  for (const text of texts) {
    let expected: Array<[number, number]>;
    try {
      expected = scanSync(text).tokens.filter((k) => k.tokenName === 'SQL_COMMENT' || k.tokenName === 'C_COMMENT').map((k) => [k.start, k.end]);
    } catch {
      continue;
    }
    const actual = parseSql(text).comments.map((c) => [c.start, c.end]);
    t.same(actual, expected, text.slice(0, 60));
    checked++;
  }
  t.ok(checked >= 30, `checked ${checked} texts`);
});

t.test('syntax errors name the usual cause: a missing semicolon, MySQL backticks, psql meta-commands, templates', async (t) => {
  const cases: [string, string, RegExp][] = [
    ['missing semicolon', 'CREATE TABLE t (id int)\nALTER TABLE t ADD COLUMN x int;', /^syntax error at or near "ALTER": a semicolon is probably missing at the end of the statement before it$/],
    ['backticks', 'CREATE TABLE `t` (id int);', /: MySQL quotes names with backticks, PostgreSQL with double quotes \("name"\)$/],
    ['psql meta-command', 'SELECT 1;\n\\connect other\nSELECT 2;', /: \\connect is a psql meta-command, not SQL/],
    ['template', 'CREATE INDEX {{ .Name }} ON t (x);', /: a template placeholder: render the template before checking the SQL$/],
    ['no guess when nothing is obvious', 'CREATE TABLE t (id int) ENGINE=InnoDB;', /^syntax error at or near "ENGINE"$/],
    ['a keyword after a semicolon is no missing semicolon', 'SELECT 1;\nALTER TABLE;', /^syntax error at or near ";"$/],
  ];
  for (const [name, text, message] of cases) t.match(parseSql(text).error?.message, message, name);
});
