// A migration path that is not a regular file: a named pipe would block a read forever, a link to /dev/zero would
// never end, a folder named like a file is no SQL. Each is refused with one line naming what it is, never a hang:
// by the verifier (and its code frames), by make sum, by the runner, and for the config and baseline files. A file too
// large for the parser is refused before it is read; a parser that fails anyway says so, with the output kept clean.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync as makeTempDir, rmSync, symlinkSync, truncateSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotRegularFileError, readRegularFile } from '../core/regular-file.js';
import { MAX_MIGRATION_BYTES } from '../core/migrations/folder.js';
import { loadParser, parseSql } from '../core/migrations/parse.js';
import { printable, printableLines, printableSource } from '../core/printable.js';

const ROOT = new URL('..', import.meta.url).pathname;
/** Well past a normal run: a read that blocks is killed here and shows as a null status. */
const TIMEOUT_MS = 20_000;

/** Every folder made here is removed at the end (pipes, links and sparse files included). */
const made: string[] = [];
t.teardown(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

function mkdtempSync(prefix: string): string {
  const dir = makeTempDir(prefix);
  made.push(dir);
  return dir;
}

function run(script: string, args: string[], cwd: string) {
  const result = spawnSync(process.execPath, [join(ROOT, script), ...args], { cwd, encoding: 'utf8', timeout: TIMEOUT_MS, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function mkfifo(path: string): void {
  const made = spawnSync('mkfifo', [path]);
  if (made.status !== 0) throw new Error(`mkfifo ${path} failed: ${made.stderr}`);
}

/** A folder of our layout whose second up is `make(path)`. */
function folderWith(make: (path: string) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'special-'));
  writeFileSync(join(dir, '20260105090000_create_a.up.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '20260105090000_create_a.down.sql'), 'DROP TABLE a;\n');
  make(join(dir, '20260105090100_create_b.up.sql'));
  writeFileSync(join(dir, '20260105090100_create_b.down.sql'), 'SELECT 1;\n');
  return dir;
}

const kinds: Array<[string, (path: string) => void, string]> = [
  ['a named pipe', mkfifo, 'a named pipe (FIFO)'],
  ['a link to /dev/zero', (path) => symlinkSync('/dev/zero', path), 'a device'],
  ['a folder', (path) => mkdirSync(path), 'a folder'],
];

for (const [what, make, kind] of kinds) {
  t.test(`the verifier refuses ${what} as a migration file, and ends`, async (t) => {
    const dir = folderWith(make);
    for (const args of [['--no-cache', '.'], ['.'], ['--format', 'json', '.']]) {
      const { code, stdout, stderr } = run('dist/verify/cli.js', args, dir);
      t.equal(code, 1, `${args.join(' ')}: exit 1, not killed (${stderr})`);
      t.match(stdout, `20260105090100_create_b.up.sql is ${kind}`, 'says what the path is');
      t.match(stdout, 'unreadable');
      if (args[0] !== '--format') t.match(stdout, '3 files checked', 'what was not read is not counted as checked');
    }
  });

  t.test(`make sum refuses a folder holding ${what}, and writes nothing`, async (t) => {
    const dir = folderWith(make);
    const { code, stderr } = run('dist/scripts/sum.js', ['--dir', '.'], dir);
    t.equal(code, 2, stderr);
    t.match(stderr, `is ${kind}`);
    t.match(stderr, 'migrations.sum was not written');
    t.notOk(existsSync(join(dir, 'migrations.sum')));
  });
}

t.test('the runner refuses a named pipe before it connects to anything', async (t) => {
  const dir = folderWith(mkfifo);
  const { code, stderr } = run('dist/scripts/migrate.js', ['--dir', '.', 'up'], dir);
  t.equal(code, 2, stderr);
  t.match(stderr, 'is a named pipe (FIFO), not a migration file');
});

t.test('a named pipe as migrations.sum, the config file or the baseline is refused in one line', async (t) => {
  const sum = folderWith((path) => writeFileSync(path, 'CREATE TABLE b (id bigint PRIMARY KEY);\n'));
  mkfifo(join(sum, 'migrations.sum'));
  const summed = run('dist/scripts/sum.js', ['--dir', '.'], sum);
  t.equal(summed.code, 2);
  t.match(summed.stderr, 'cannot read migrations.sum: it is a named pipe (FIFO)');
  const verified = run('dist/verify/cli.js', ['--no-cache', '.'], sum);
  t.not(verified.code, null, 'the verifier ends');

  const config = folderWith((path) => writeFileSync(path, 'CREATE TABLE b (id bigint PRIMARY KEY);\n'));
  mkfifo(join(config, 'verify-migrations.json'));
  const configured = run('dist/verify/cli.js', ['--no-cache', '.'], config);
  t.equal(configured.code, 2);
  t.match(configured.stderr, 'verify-migrations.json: it is a named pipe (FIFO)');

  const baseline = folderWith((path) => writeFileSync(path, 'CREATE TABLE b (id bigint PRIMARY KEY);\n'));
  mkfifo(join(baseline, 'baseline.sql'));
  writeFileSync(join(baseline, 'verify-migrations.json'), JSON.stringify({ baseline: { '.': 'baseline.sql' } }));
  const based = run('dist/verify/cli.js', ['--no-cache', '.'], baseline);
  t.equal(based.code, 2);
  t.match(based.stderr, 'Cannot read the baseline');
  t.match(based.stderr, 'it is a named pipe (FIFO)');
});

t.test('readRegularFile reads a regular file and names what anything else is', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'regular-'));
  writeFileSync(join(dir, 'a.sql'), 'SELECT 1;\n');
  t.equal(readRegularFile(join(dir, 'a.sql')).toString('utf8'), 'SELECT 1;\n');
  mkfifo(join(dir, 'pipe'));
  t.throws(() => readRegularFile(join(dir, 'pipe')), { code: 'ENOTREG', kind: 'a named pipe (FIFO)' });
  try {
    readRegularFile(join(dir, 'pipe'));
  } catch (error) {
    t.ok(error instanceof NotRegularFileError, 'a NotRegularFileError');
  }
  t.throws(() => readRegularFile(dir), { code: 'EISDIR', kind: 'a folder' });
  t.throws(() => readRegularFile('/dev/null'), { code: 'ENOTREG', kind: 'a device' });
  t.throws(() => readRegularFile(join(dir, 'missing')), { code: 'ENOENT' });
});

t.test('names and text a terminal would act on are shown as escapes, one line each', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'names-'));
  writeFileSync(join(dir, '20260105090000_create_a.up.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '20260105090000_create_a.down.sql'), 'DROP TABLE a;\n');
  // A name with a newline forging a line of its own, one with an ANSI escape, and SQL with an escape and a bidi override.
  writeFileSync(join(dir, '20260105090100_x\nerror: forged.up.sql'), 'SELECT 1;\n');
  writeFileSync(join(dir, '20260105090200_a\u001b[31mred.up.sql'), 'SELECT 1;\n');
  writeFileSync(join(dir, '20260105090300_create_b.up.sql'), 'CREATE TABLE "b\u001b]0;owned\u0007" (id int);\nSELECT \'\u202e\';\n');
  writeFileSync(join(dir, '20260105090300_create_b.down.sql'), 'SELECT 1;\n');
  for (const format of ['text', 'github']) {
    const { stdout } = run('dist/verify/cli.js', ['--no-cache', '--format', format, '.'], dir);
    t.notMatch(stdout, /[\u0000-\u0008\u000b-\u001f\u007f\u202e]/, `${format}: no control character, escape or override reaches the output`);
    t.notOk(stdout.split('\n').some((line) => line.startsWith('error: forged')), `${format}: the newline in the name forges no line`);
    t.match(stdout, format === 'github' ? '20260105090100_x%0Aerror%3A forged.up.sql' : '20260105090100_x\\nerror: forged.up.sql');
    t.match(stdout, '20260105090200_a\\e[31mred.up.sql');
  }
  const json = JSON.parse(run('dist/verify/cli.js', ['--no-cache', '--format', 'json', '.'], dir).stdout) as { violations: Array<{ file: string }> };
  t.ok(json.violations.some((v) => v.file === '20260105090100_x\nerror: forged.up.sql'), 'JSON keeps the name as it is (JSON escapes it)');
});

t.test('a file name that is not UTF-8 is named as such, not as a missing file', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'latin1-'));
  writeFileSync(join(dir, '20260105090000_create_a.up.sql'), 'CREATE TABLE a (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '20260105090000_create_a.down.sql'), 'DROP TABLE a;\n');
  // Bytes, not a string: 0xe9 alone is é in Latin-1 and invalid in UTF-8.
  writeFileSync(Buffer.concat([Buffer.from(join(dir, '20260105090100_caf')), Buffer.from([0xe9]), Buffer.from('.up.sql')]), 'SELECT 1;\n');
  const { code, stdout } = run('dist/verify/cli.js', ['--no-cache', '.'], dir);
  t.equal(code, 1);
  t.match(stdout, 'The file name is not valid UTF-8');
  t.notMatch(stdout, 'symbolic link to nothing');
});

t.test('a migration file past 16 MiB is refused before it is read, with what to do instead', async (t) => {
  const dir = folderWith((path) => {
    writeFileSync(path, '');
    truncateSync(path, MAX_MIGRATION_BYTES + 1024 * 1024);
  });
  const { code, stdout } = run('dist/verify/cli.js', ['--no-cache', '.'], dir);
  t.equal(code, 1);
  t.ok(stdout.length < 10_000, `a short report (${stdout.length} characters): the file is not read for a code frame either`);
  t.match(stdout, '20260105090100_create_b.up.sql is 17 MiB, more than the 16 MiB a migration file may be');
  t.match(stdout, 'load bulk data with COPY from a data file, or split the migration');
  const ran = run('dist/scripts/migrate.js', ['--dir', '.', 'up'], dir);
  t.equal(ran.code, 2, 'the runner refuses it too, before connecting');
});

t.test('when the parser itself fails (its 1 GiB heap runs out) the file says so, the output stays clean and the parser goes on', async (t) => {
  await loadParser();
  // 50 MiB of INSERTs: PostgreSQL's parser in the WebAssembly hits FATAL out of memory.
  const rows: string[] = ['CREATE TABLE b (id bigint PRIMARY KEY, v text);\n'];
  for (let i = 0; i < 820_000; i++) rows.push(`INSERT INTO b VALUES (${i}, 'some reference value text here');\n`);
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
  let parsed;
  try {
    parsed = parseSql(rows.join(''));
  } finally {
    process.stdout.write = write;
  }
  t.match(parsed.error?.message, /^the parser could not finish this file \(.+\): it is too large or too deeply nested to check, so split it$/);
  t.equal(parsed.error?.offset, 0, 'at the start of the file, not as a syntax error somewhere in it');
  t.same(written, [], "nothing of PostgreSQL's memory dump reaches stdout");
  t.equal(process.exitCode, undefined, 'the exit code is untouched');
  t.equal(parseSql('SELECT 1;').statements.length, 1, 'the next file parses');
});

t.test('a code frame of a megabyte-long line shows a window around the column', async (t) => {
  // One line: a 1 MB string literal, then a syntax error at its end (a minified dump).
  const dir = folderWith((path) => writeFileSync(path, `SELECT '${'x'.repeat(1_000_000)}' FROM FROM;\n`));
  const { code, stdout } = run('dist/verify/cli.js', ['--no-cache', '.'], dir);
  t.equal(code, 1);
  t.ok(stdout.length < 10_000, `a short report (${stdout.length} characters)`);
  const frame = stdout.split('\n').findIndex((line) => /^ {2}1 \| …/.test(line));
  t.ok(frame >= 0, 'the line is shown cut, starting with an ellipsis');
  const [source, carets] = [stdout.split('\n')[frame]!, stdout.split('\n')[frame + 1]!];
  t.equal(source.slice(carets.indexOf('^'), carets.indexOf('^') + 4), 'FROM', 'the caret stands under the token PostgreSQL names');
  const sarif = run('dist/verify/cli.js', ['--no-cache', '--format', 'sarif', '.'], dir);
  const snippets = (JSON.parse(sarif.stdout) as { runs: Array<{ results: Array<{ locations: Array<{ physicalLocation?: { region?: { snippet?: { text: string } } } }> }> }> }).runs
    .flatMap((r) => r.results.flatMap((result) => result.locations.map((l) => l.physicalLocation?.region?.snippet?.text ?? '')));
  t.ok(snippets.length > 0 && snippets.every((text) => text.length <= 1000), `SARIF's snippets are cut too (${snippets.map((text) => text.length).join(', ')} characters)`);
});

t.test('a reader that closes the pipe early (| head) ends the verifier quietly, with its exit code', async (t) => {
  // Enough findings that the report outgrows the pipe's buffer: the writes after `head` leaves fail with EPIPE.
  const dir = mkdtempSync(join(tmpdir(), 'pipe-'));
  for (let i = 0; i < 400; i++) {
    const version = String(20260105090000 + i);
    writeFileSync(join(dir, `${version}_t${i}.up.sql`), `CREATE TABLE t${i} (id int, name varchar(10), at timestamp);\n`);
    writeFileSync(join(dir, `${version}_t${i}.down.sql`), 'SELECT 1;\n');
  }
  for (const [entry, args] of [['dist/verify/verify-migrations.mjs', ['--no-cache', '.']], ['dist/verify/cli.js', ['--no-cache', '.']]] as const) {
    const result = spawnSync('sh', ['-c', `"${process.execPath}" "${join(ROOT, entry)}" ${args.join(' ')} | head -n 1; exit "\${PIPESTATUS:-0}"`], { cwd: dir, encoding: 'utf8', timeout: TIMEOUT_MS, env: { ...process.env, NO_COLOR: '1', DATABASE_URL: '' } });
    t.equal(result.stdout.split('\n').filter(Boolean).length, 1, `${entry}: head printed its one line`);
    t.notMatch(result.stderr, /EPIPE|Error|at /, `${entry}: no stack trace (${result.stderr.slice(0, 200)})`);
  }
});

t.test('printable: one line escaped, meant line breaks kept line by line', async (t) => {
  t.equal(printable('a\nb\u001b[31mc\u202ed\te'), 'a\\nb\\e[31mc\\u202ed\te', 'newline, ESC and override escaped; a tab kept');
  t.equal(printableLines('DROP VIEW v;\nCREATE VIEW v AS\nSELECT 1;'), 'DROP VIEW v;\nCREATE VIEW v AS\nSELECT 1;', 'a reconciling statement over several lines stays readable');
  t.equal(printableLines('x\u0007\ny'), 'x\\x07\ny');
  t.equal(printableSource('ab\u001bc'), 'ab\ufffdc', 'a code frame keeps one character per character');
});
