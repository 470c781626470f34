// migrations.sum: the pure check (checkManifest), the verifier's rules manifest-mismatch and manifest-missing over
// whole folders, `make sum` (dist/scripts/sum.js), and the repo's own sql/ with its generated manifest.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkManifest, manifestTotal, migrationChecksum, normalizeMigrationBytes, parseManifest, renderManifest } from '../core/migrations/manifest.js';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';

const root = join(import.meta.dirname, '..');
const sumJs = join(root, 'dist', 'scripts', 'sum.js');
const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');
const UP = '20260105090100_create_users.up.sql';
const DOWN = '20260105090100_create_users.down.sql';
const UP_OF_APP = '20260201000000_create_brands.up.sql';
const files = [
  { path: UP, bytes: 'CREATE TABLE users (id bigint PRIMARY KEY);\n' },
  { path: DOWN, bytes: 'DROP TABLE users;\n' },
];

t.test('normalizing: BOM, CRLF, trailing blanks and final newlines do not change the checksum; content does', async (t) => {
  const text = 'CREATE TABLE t (\n    id bigint\n);\n';
  const cases = [
    ['CRLF', 'CREATE TABLE t (\r\n    id bigint\r\n);\r\n'],
    ['a UTF-8 BOM', `\uFEFF${text}`],
    ['trailing blanks and tabs', 'CREATE TABLE t (  \n    id bigint\t\n); \n'],
    ['no final newline', text.trimEnd()],
    ['several final newlines', `${text}\n\n\n`],
    ['all of them', '\uFEFFCREATE TABLE t ( \r\n    id bigint\r\n);\r\n\r\n'],
  ] as const;
  for (const [name, variant] of cases) t.equal(migrationChecksum(variant), migrationChecksum(text), name);
  t.equal(normalizeMigrationBytes(Buffer.from('a \r\nb\r\n\r\n')).toString(), 'a\nb\n');
  t.equal(normalizeMigrationBytes(Buffer.from('a\rb\t\n\n')).toString(), 'a\nb\n', 'a lone CR ends a line');
  t.equal(normalizeMigrationBytes(Buffer.from('')).toString(), '\n');
  t.not(migrationChecksum('CREATE TABLE t (\n    id  bigint\n);\n'), migrationChecksum(text), 'whitespace inside a line is content');
  t.not(migrationChecksum(`-- why\n${text}`), migrationChecksum(text), 'a comment is content');
  t.match(migrationChecksum(text), /^[0-9a-f]{64}$/);
});

t.test('checksums are of the bytes: the same as the normalized text for UTF-8, and every other byte counts', async (t) => {
  // What earlier releases recorded: the sha256 of the normalized text.
  const textChecksum = (text: string): string => {
    const lines = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n').map((line) => line.replace(/[ \t\f\v]+$/, ''));
    return createHash('sha256').update(`${lines.join('\n').replace(/\n+$/, '')}\n`, 'utf8').digest('hex');
  };
  for (const text of ['\uFEFFCREATE TABLE é (\r\n  \u00a0x text\t\r\n);\r\n\r\n', 'SELECT 1;', '', '\n\n', 'a\u000b\nb\f\n']) {
    t.equal(migrationChecksum(Buffer.from(text, 'utf8')), textChecksum(text), JSON.stringify(text));
  }
  const bad = (byte: number) => Buffer.concat([Buffer.from("SELECT '"), Buffer.from([byte]), Buffer.from("';\n")]);
  t.not(migrationChecksum(bad(0xff)), migrationChecksum(bad(0xfe)), 'two invalid bytes are two different files');
});

t.test('the manifest: total on line 1, one sorted line per file, the total chains the lines', async (t) => {
  const text = renderManifest(files);
  const lines = text.trimEnd().split('\n');
  t.match(lines[0], /^sha256:[0-9a-f]{64}$/);
  t.same(lines.slice(1), [`${DOWN} sha256:${migrationChecksum(files[1]!.bytes)}`, `${UP} sha256:${migrationChecksum(files[0]!.bytes)}`]);
  const parsed = parseManifest(text);
  t.equal(parsed.total, manifestTotal(parsed.entries));
  t.same(checkManifest(text, files), [], 'a fresh manifest has no problem');
  // Two branches that each add a migration both rewrite line 1, so git cannot merge them silently.
  const a = renderManifest([...files, { path: '20260106000000_a.up.sql', bytes: 'SELECT 1;\n' }]).split('\n')[0];
  const b = renderManifest([...files, { path: '20260106000001_b.up.sql', bytes: 'SELECT 1;\n' }]).split('\n')[0];
  t.not(a, b, 'different additions give different first lines');
  t.not(a, lines[0]);
});

t.test('checkManifest', async (t) => {
  const manifest = renderManifest(files);
  const table: readonly { name: string; files: { path: string; bytes?: string }[]; manifest?: string; problems: { path: string; line: number; rule: string; message: RegExp }[] }[] = [
    {
      name: 'a recorded file edited: manifest-mismatch at the file, line 1',
      files: [{ path: UP, bytes: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);\n' }, files[1]!],
      problems: [
        {
          path: UP,
          line: 1,
          rule: 'manifest-mismatch',
          message: /^20260105090100_create_users\.up\.sql changed after it was recorded in migrations\.sum: migrations are immutable once merged; put the change in a new migration, or run make sum if this edit is deliberate \(never after it was deployed\)\.$/,
        },
      ],
    },
    {
      name: 'a recorded file deleted: manifest-mismatch at its line of migrations.sum',
      files: [files[0]!],
      problems: [{ path: 'migrations.sum', line: 2, rule: 'manifest-mismatch', message: /^20260105090100_create_users\.down\.sql was deleted after it was recorded in migrations\.sum: migrations are immutable once merged; restore it, or run make sum/ }],
    },
    {
      name: 'a file not in the manifest: manifest-missing',
      files: [...files, { path: '20260106000000_add_email.up.sql', bytes: 'ALTER TABLE users ADD COLUMN email text;\n' }],
      problems: [{ path: '20260106000000_add_email.up.sql', line: 1, rule: 'manifest-missing', message: /^20260106000000_add_email\.up\.sql is not in migrations\.sum: run make sum\.$/ }],
    },
    {
      name: 'a merge that kept the lines of both sides: the total no longer adds up',
      files: [...files, { path: '20260106000000_a.up.sql', bytes: 'SELECT 1;\n' }],
      manifest: `${manifest}20260106000000_a.up.sql sha256:${migrationChecksum('SELECT 1;\n')}\n`,
      problems: [{ path: 'migrations.sum', line: 1, rule: 'manifest-mismatch', message: /^The total on the first line of migrations\.sum does not match its entries/ }],
    },
    {
      name: 'a line that is not an entry',
      files,
      manifest: `${manifest}<<<<<<< HEAD\n`,
      problems: [{ path: 'migrations.sum', line: 4, rule: 'manifest-mismatch', message: /^migrations\.sum line 4 is not "<file> sha256:<64 hex digits>": regenerate it with make sum\.$/ }],
    },
    {
      name: 'CRLF checkout of the files and of the manifest: no problem',
      files: files.map((f) => ({ path: f.path, bytes: f.bytes.replace(/\n/g, '\r\n') })),
      manifest: manifest.replace(/\n/g, '\r\n'),
      problems: [],
    },
    { name: 'an unreadable file is left to the engine', files: [{ path: UP }, files[1]!], problems: [] },
  ];
  for (const c of table) {
    const problems = checkManifest(c.manifest ?? manifest, c.files);
    t.equal(problems.length, c.problems.length, `${c.name}: ${problems.map((p) => p.message).join(' | ')}`);
    c.problems.forEach((expected, i) => t.match(problems[i], expected, c.name));
  }
});

async function verifyFolder(dir: string) {
  return verify({ paths: [dir], rules, cache: false });
}

t.test('the verifier: manifest-mismatch and manifest-missing over a folder, and no check without a manifest', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'manifest-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  cpSync(app, work, { recursive: true });
  t.same((await verifyFolder(work)).violations, [], 'the fixture with its manifest passes');

  appendFileSync(join(work, '20260201000100_create_items.up.sql'), '\nCOMMENT ON TABLE items IS $$Items.$$;\n');
  writeFileSync(join(work, '20260201000300_add_brands_note.up.sql'), '-- A note per brand.\nALTER TABLE brands ADD COLUMN note text;\n');
  writeFileSync(join(work, '20260201000300_add_brands_note.down.sql'), '-- Undoes 20260201000300_add_brands_note.\nALTER TABLE brands DROP COLUMN note;\n');
  const { violations } = await verifyFolder(work);
  const manifestViolations = violations.filter((v) => v.rule.startsWith('manifest-'));
  t.match(manifestViolations, [
    { file: join(work, '20260201000100_create_items.up.sql'), line: 1, column: 1, rule: 'manifest-mismatch', severity: 'error', message: /^20260201000100_create_items\.up\.sql changed after it was recorded in migrations\.sum/ },
    { file: join(work, '20260201000300_add_brands_note.down.sql'), line: 1, rule: 'manifest-missing', severity: 'warning', message: '20260201000300_add_brands_note.down.sql is not in migrations.sum: run make sum.' },
    { file: join(work, '20260201000300_add_brands_note.up.sql'), line: 1, rule: 'manifest-missing', severity: 'warning' },
  ]);
  t.equal(manifestViolations.length, 3);

  rmSync(join(work, '20260201000000_create_brands.down.sql'));
  const deleted = (await verifyFolder(work)).violations.filter((v) => v.rule === 'manifest-mismatch' && v.file.endsWith('migrations.sum'));
  t.match(deleted, [{ line: 2, message: /^20260201000000_create_brands\.down\.sql was deleted after it was recorded/ }]);

  rmSync(join(work, 'migrations.sum'));
  t.same((await verifyFolder(work)).violations.filter((v) => v.rule.startsWith('manifest-')), [], 'no manifest, no check');
});

t.test('make sum (dist/scripts/sum.js) writes, reports up to date, and --check fails when stale', async (t) => {
  if (!existsSync(sumJs)) throw new Error('dist/scripts/sum.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
  const work = mkdtempSync(join(tmpdir(), 'manifest-sum-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  cpSync(app, work, { recursive: true });
  rmSync(join(work, 'migrations.sum'));
  const sum = (...args: string[]) => spawnSync(process.execPath, [sumJs, '--dir', work, ...args], { encoding: 'utf8' });
  const check = sum('--check');
  t.equal(check.status, 1);
  t.match(check.stderr, /migrations\.sum is missing: run make sum/);
  const wrote = sum();
  t.equal(wrote.status, 0, wrote.stderr);
  t.match(wrote.stdout, /^wrote .*migrations\.sum: 6 files, total sha256:[0-9a-f]{12}…\n$/);
  t.equal(readFileSync(join(work, 'migrations.sum'), 'utf8'), readFileSync(join(app, 'migrations.sum'), 'utf8'), 'the same manifest as the fixture');
  t.match(sum().stdout, /is up to date/);
  appendFileSync(join(work, '20260201000000_create_brands.up.sql'), '-- edited\n');
  t.match(sum('--check').stderr, /out of date \(0 added, 1 changed, 0 removed\): run make sum/);
  t.match(sum().stdout, /^updated .*\(0 added, 1 changed, 0 removed\)/);
  t.same((await verifyFolder(work)).violations, []);
  const usage = spawnSync(process.execPath, [sumJs, '--dir', join(work, 'nope')], { encoding: 'utf8' });
  t.equal(usage.status, 2);
});

t.test("the repo's sql/ has a manifest and passes the verifier with it", async (t) => {
  t.ok(existsSync(join(root, 'sql', 'migrations.sum')), 'sql/migrations.sum exists');
  const { violations } = await verify({ paths: [join(root, 'sql')], rules, cache: false });
  t.same(violations.filter((v) => v.rule.startsWith('manifest-')), [], 'no manifest problem');
  t.same(violations.filter((v) => v.severity === 'error'), [], 'no error at all');
});

t.test('manifest-mismatch on a file git has not committed yet is a warning that says make sum', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'manifest-git-'));
  t.teardown(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => spawnSync('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { encoding: 'utf8' });
  git('init', '-q');
  const dir = join(repo, 'sql');
  cpSync(app, dir, { recursive: true });
  const sum = () => spawnSync(process.execPath, [sumJs, '--dir', dir], { encoding: 'utf8' });
  sum();
  git('add', '.');
  git('commit', '-q', '-m', 'history');
  // A new migration, recorded by make sum, then edited again before it is committed.
  const draft = '20260301000000_add_items_note.up.sql';
  writeFileSync(join(dir, draft), 'ALTER TABLE items ADD COLUMN note text;\n');
  writeFileSync(join(dir, draft.replace('.up.', '.down.')), 'ALTER TABLE items DROP COLUMN note;\n');
  sum();
  appendFileSync(join(dir, draft), '-- still writing\n');
  // And a committed one edited: still an error.
  appendFileSync(join(dir, UP_OF_APP), '-- edited after merge\n');
  const result = await verify({ paths: [dir], rules, cache: false });
  const manifest = result.violations.filter((v) => v.rule === 'manifest-mismatch').map((v) => [v.file.slice(dir.length + 1), v.severity, v.message]);
  t.same(manifest, [
    [draft, 'warning', `${draft} changed since make sum recorded it, and git has not committed it yet: run make sum when it is ready.`],
    [UP_OF_APP, 'error', `${UP_OF_APP} changed after it was recorded in migrations.sum: migrations are immutable once merged; put the change in a new migration, or run make sum if this edit is deliberate (never after it was deployed).`],
  ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)));
});
