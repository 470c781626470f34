// The migration folder checks: every bad input is one line that names the file. No database needed.
import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkFileNames, createMigration, loadMigrationFiles } from '../runner/migration-files.js';
import { MigrationFilesError, MigrationError, type FileProblem } from '../runner/errors.js';

const fixtures = join(import.meta.dirname, 'fixtures', 'runner');

async function problemsOf(folder: string): Promise<readonly FileProblem[]> {
  try {
    await loadMigrationFiles(join(fixtures, folder));
  } catch (error) {
    if (error instanceof MigrationFilesError) return error.problems;
    throw error;
  }
  return [];
}

t.test('a good folder loads in version order and ignores README.md', async (t) => {
  const pairs = await loadMigrationFiles(join(fixtures, 'basic'));
  t.same(
    pairs.map((p) => p.name),
    ['20260101000000_create_brands', '20260101000100_create_items', '20260101000200_add_items_label'],
  );
  const label = pairs[2]!;
  t.equal(label.up.statements.length, 2, 'the function body with its own semicolons stays one statement');
  t.match(label.up.statements[1], { line: 4, column: 1, kind: 'CreateFunctionStmt' });
  t.equal(label.down.statements.length, 2);
  t.notOk(label.noTransaction);
});

const badInputs = [
  { name: 'a down file without its up file', folder: 'down-without-up', code: 'DOWN_WITHOUT_UP', file: '20260101000100_create_items.down.sql' },
  { name: 'an up file without its down file', folder: 'up-without-down', code: 'UP_WITHOUT_DOWN', file: '20260101000100_create_items.up.sql' },
  { name: 'an upper-case .SQL extension', folder: 'upper-case-extension', code: 'BAD_EXTENSION_CASE', file: '20260101000100_create_items.up.SQL' },
  { name: 'a .sql file that is not named like a migration', folder: 'bad-name', code: 'BAD_FILE_NAME', file: 'seed_brands.sql' },
  { name: 'two migrations with one version', folder: 'duplicate-version', code: 'DUPLICATE_VERSION', file: '20260101000000_create_items.up.sql' },
  { name: 'an unknown -- migrate: directive', folder: 'unknown-directive', code: 'UNKNOWN_DIRECTIVE', file: '20260101000100_create_items.up.sql:1:1' },
  { name: 'an up file with only comments', folder: 'empty-up', code: 'EMPTY_MIGRATION', file: '20260101000100_create_items.up.sql' },
  { name: 'BEGIN and COMMIT inside a file', folder: 'transaction-control', code: 'TRANSACTION_CONTROL', file: '20260101000100_create_items.up.sql:2:1' },
] as const;

for (const bad of badInputs) {
  t.test(`${bad.name}: one problem, one line naming the file`, async (t) => {
    const problems = await problemsOf(bad.folder);
    const relevant = bad.code === 'TRANSACTION_CONTROL' ? problems.slice(0, 1) : problems;
    t.equal(relevant.length, 1, problems.map((p) => p.message).join(' | '));
    const [problem] = relevant;
    t.equal(problem?.code, bad.code);
    t.match(problem?.message, `${bad.folder}/${bad.file}`, 'the message starts with the file');
    t.notMatch(problem?.message, /\n/, 'one line');
  });
}

t.test('BEGIN and COMMIT are both reported, each with its line', async (t) => {
  const problems = await problemsOf('transaction-control');
  t.same(
    problems.map((p) => p.message.split(': ')[0]!.split('/').pop()),
    ['20260101000100_create_items.up.sql:2:1', '20260101000100_create_items.up.sql:4:1'],
  );
});

t.test('a missing folder is a file problem too', async (t) => {
  const problems = await problemsOf('no-such-folder');
  t.equal(problems[0]?.code, 'NO_MIGRATIONS_DIR');
});

t.test('file names: a table of cases', async (t) => {
  const cases: { name: string; files: string[]; codes: string[] }[] = [
    { name: 'a pair', files: ['20260101000000_a.up.sql', '20260101000000_a.down.sql'], codes: [] },
    { name: 'stray non-SQL files are ignored', files: ['README.md', '.gitkeep', 'notes.txt', '20260101000000_a.up.sql', '20260101000000_a.down.sql'], codes: [] },
    { name: 'mixed-case extension', files: ['20260101000000_a.up.Sql', '20260101000000_a.down.sql'], codes: ['BAD_EXTENSION_CASE'] },
    { name: 'upper-case direction', files: ['20260101000000_a.UP.sql', '20260101000000_a.down.sql'], codes: ['BAD_FILE_NAME', 'DOWN_WITHOUT_UP'] },
    { name: 'upper-case slug', files: ['20260101000000_Add.up.sql'], codes: ['BAD_FILE_NAME'] },
    { name: 'a dash in the slug', files: ['20260101000000_add-x.up.sql'], codes: ['BAD_FILE_NAME'] },
    { name: 'a 12-digit version', files: ['202601010000_a.up.sql'], codes: ['BAD_FILE_NAME'] },
    { name: 'a single-file migration', files: ['20260101000000_a.sql'], codes: ['BAD_FILE_NAME'] },
    { name: 'month 13', files: ['20261301000000_a.up.sql', '20261301000000_a.down.sql'], codes: ['INVALID_VERSION', 'INVALID_VERSION'] },
    { name: 'February 30', files: ['20260230000000_a.up.sql', '20260230000000_a.down.sql'], codes: ['INVALID_VERSION', 'INVALID_VERSION'] },
  ];
  for (const c of cases) {
    const { problems } = checkFileNames('sql', c.files);
    t.same(problems.map((p) => p.code).sort(), [...c.codes].sort(), c.name);
    for (const p of problems) t.match(p.message, /^sql\/\S+: /, `${c.name}: starts with the file`);
  }
});

t.test('statements: split by the parser, located by line and character column, sent as written', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-statements-'));
  writeFileSync(join(dir, '20260101000000_a.up.sql'), "-- héader\nSELECT 'é';\n\n  /* c */ SELECT 2;\nSELECT 3 -- last\n");
  writeFileSync(join(dir, '20260101000000_a.down.sql'), 'SELECT 1;\n');
  const [pair] = await loadMigrationFiles(dir);
  t.same(
    pair!.up.statements.map((s) => [s.line, s.column, s.text]),
    [
      [2, 1, "SELECT 'é'"],
      [4, 11, 'SELECT 2'],
      [5, 1, 'SELECT 3 -- last'],
    ],
  );
});

t.test('files the runner cannot run as the parser read them are refused before anything runs', async (t) => {
  const cases: { name: string; up: string | Buffer; code: string; at: string }[] = [
    { name: 'a syntax error', up: 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x text NOT NUL;\n', code: 'SYNTAX_ERROR', at: ':2:37:' },
    { name: 'a NUL byte', up: Buffer.from('CREATE TABLE t (id int);\0DROP TABLE victim;\n'), code: 'SYNTAX_ERROR', at: ':1:25:' },
    { name: 'bytes that are not UTF-8', up: Buffer.concat([Buffer.from("SELECT '"), Buffer.from([0xff]), Buffer.from("';\n")]), code: 'SYNTAX_ERROR', at: ':1:9:' },
    { name: 'standard_conforming_strings turned off', up: "SET standard_conforming_strings = off;\nSELECT 'a\\' AS p, '; COMMIT; DROP TABLE victim; --';\n", code: 'LEXER_SETTING', at: ':1:1:' },
    { name: 'backslash_quote by set_config', up: "SELECT set_config('backslash_quote', 'on', false);\n", code: 'LEXER_SETTING', at: ':1:1:' },
    { name: 'a no-transaction file that opens a transaction and never commits it', up: '-- migrate:no-transaction\nBEGIN;\nCREATE TABLE t (id int);\n', code: 'TRANSACTION_CONTROL', at: ':2:1:' },
  ];
  for (const c of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'runner-refused-'));
    writeFileSync(join(dir, '20260101000000_a.up.sql'), c.up);
    writeFileSync(join(dir, '20260101000000_a.down.sql'), 'SELECT 1;\n');
    const error = await loadMigrationFiles(dir).catch((e: unknown) => e);
    t.type(error, MigrationFilesError, c.name);
    const problems = (error as MigrationFilesError).problems;
    t.same(problems.map((p) => p.code), [c.code], c.name);
    t.match(problems[0]?.message, `20260101000000_a.up.sql${c.at}`, `${c.name}: file, line and column`);
    t.notMatch(problems[0]?.message, /\n/, `${c.name}: one line`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'runner-closed-'));
  writeFileSync(join(dir, '20260101000000_a.up.sql'), '-- migrate:no-transaction\nBEGIN;\nCREATE TABLE t (id int);\nCOMMIT;\n');
  writeFileSync(join(dir, '20260101000000_a.down.sql'), 'DROP TABLE t;\n');
  t.equal((await loadMigrationFiles(dir)).length, 1, 'a no-transaction file may commit its own transaction');
});

t.test('-- migrate:no-transaction in the header of either file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'runner-files-'));
  writeFileSync(join(dir, '20260101000000_a.up.sql'), '-- Why.\n-- migrate:no-transaction CIC cannot run in a transaction\nCREATE INDEX CONCURRENTLY i ON t (c);\n');
  writeFileSync(join(dir, '20260101000000_a.down.sql'), '-- Undo.\nDROP INDEX CONCURRENTLY i;\n');
  writeFileSync(join(dir, '20260101000100_b.up.sql'), '-- Why.\nSELECT 1;\n-- migrate:no-transaction\nSELECT 2;\n');
  writeFileSync(join(dir, '20260101000100_b.down.sql'), 'SELECT 1;\n');
  const error = await loadMigrationFiles(dir).catch((e: unknown) => e);
  t.type(error, MigrationFilesError);
  t.same((error as MigrationFilesError).problems.map((p) => [p.code, p.message.split(': ')[0]!.split('/').pop()]), [
    ['MISPLACED_DIRECTIVE', '20260101000100_b.up.sql:3:1'],
  ]);
  writeFileSync(join(dir, '20260101000100_b.up.sql'), 'SELECT 1;\n');
  const pairs = await loadMigrationFiles(dir);
  t.equal(pairs[0]?.noTransaction, true, 'the up header switches the whole migration');
  t.equal(pairs[1]?.noTransaction, false);
});

t.test('make new: creates a pair with header comments, refuses bad names and clashes', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'new-migration-'));
  const now = new Date(Date.UTC(2026, 10, 26, 8, 5, 9));
  const created = createMigration(dir, 'add_products_barcode', now);
  t.equal(created.version, '20261126080509');
  t.same(readdirSync(dir).sort(), ['20261126080509_add_products_barcode.down.sql', '20261126080509_add_products_barcode.up.sql']);
  t.match(readFileSync(created.upFile, 'utf8'), /^-- add_products_barcode: .*\n/);
  t.match(readFileSync(created.downFile, 'utf8'), /^-- Undoes 20261126080509_add_products_barcode: /);
  const later = new Date(now.getTime() + 1000);
  const refusals: [string, Date, RegExp][] = [
    ['Add_Barcode', later, /must match/],
    ['1st_change', later, /must match/],
    ['add-barcode', later, /must match/],
    ['a'.repeat(46), later, /keep it to 45/],
    ['add_products_barcode', later, /already uses the name add_products_barcode/],
    ['other_change', now, /already has version 20261126080509/],
    ['older_change', new Date(now.getTime() - 60_000), /newer version/],
  ];
  for (const [name, when, message] of refusals) {
    t.throws(() => createMigration(dir, name, when), { code: 'USAGE', message }, name.slice(0, 20));
  }
  t.ok(createMigration(dir, 'a'.repeat(45), later), 'a 60-character stem is fine');
  t.type(new MigrationError('USAGE', 'x'), Error);
});
