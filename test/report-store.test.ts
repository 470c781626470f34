// The warm path: a run with nothing changed prints the stored report of the last identical run (verify/report-store.ts,
// entered by verify/bin.ts and the bundle), and any change to what the run reads gives the report a cold run gives.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundle } from '../scripts/bundle.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/verify/cli.js');
const BIN = join(ROOT, 'dist/verify/bin.js');

// A project folder of its own: node_modules/ marks where the cache lives (node_modules/.cache/verify-migrations).
const project = mkdtempSync(join(tmpdir(), 'report-store-'));
t.teardown(() => rmSync(project, { recursive: true, force: true }));
mkdirSync(join(project, 'node_modules'));
const store = join(project, 'node_modules/.cache/verify-migrations');
cpSync(join(ROOT, 'test/fixtures/sets/broken'), join(project, 'sql'), { recursive: true });

function run(entry: string, args: string[]) {
  const result = spawnSync(process.execPath, [entry, ...args], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const cold = (args: string[] = []) => run(CLI, ['--no-cache', ...args]);
const storedFiles = (): string[] => readdirSync(store).filter((name) => name.startsWith('report.'));

t.test('a warm run prints what a cold run prints, and the second one comes from the store', async (t) => {
  const expected = cold();
  t.equal(expected.code, 1, 'the broken set has errors');
  t.match(expected.stdout, 'syntax-error');
  const first = run(BIN, []);
  t.same(first, expected, 'the run that stores the report');
  t.equal(storedFiles().length, 1, 'one stored report');
  // Prove the next run reads the store: mark the stored text, and it is what gets printed.
  const path = join(store, storedFiles()[0]!);
  const stored = JSON.parse(readFileSync(path, 'utf8')) as { stdout: string };
  writeFileSync(path, JSON.stringify({ ...stored, stdout: `${stored.stdout}(stored)\n` }));
  const second = run(BIN, []);
  t.equal(second.stdout, `${expected.stdout}(stored)\n`, 'printed from the store');
  t.equal(second.code, 1, 'with the stored exit code');
  writeFileSync(path, JSON.stringify(stored));
});

t.test('another server behind DATABASE_URL (whose version is the default target) is another stored report, and no password is stored', async (t) => {
  const before = storedFiles().length;
  const withServer = spawnSync(process.execPath, [BIN], { cwd: project, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/none', PGCONNECT_TIMEOUT: '1' } });
  t.equal(withServer.status, 1);
  t.equal(storedFiles().length, before + 1, 'stored apart from the run without DATABASE_URL');
  for (const name of storedFiles()) t.notMatch(readFileSync(join(store, name), 'utf8'), 's3cret-pw', `${name} holds no password`);
});

t.test('each kind of change to the inputs gives the cold report again', async (t) => {
  const changes: Array<[string, () => void]> = [
    ['an edited migration', () => appendFileSync(join(project, 'sql/20260101000000_create_brands.up.sql'), '\ncreate index brands_name on brands (name);\n')],
    ['a new migration', () => writeFileSync(join(project, 'sql/20260105000000_more.up.sql'), 'create table more (id bigint primary key);\n')],
    ['a removed migration', () => rmSync(join(project, 'sql/20260105000000_more.up.sql'))],
    ['a new config file', () => writeFileSync(join(project, 'verify-migrations.json'), JSON.stringify({ rules: { 'syntax-error': 'warn' } }))],
    ['a baseline the config names', () => {
      writeFileSync(join(project, 'baseline.sql'), '-- nothing yet\n');
      writeFileSync(join(project, 'verify-migrations.json'), JSON.stringify({ baseline: { sql: 'baseline.sql' } }));
    }],
    // The down of create_brands now drops a table that existed before: a finding the old report lacks.
    ['the baseline edited', () => writeFileSync(join(project, 'baseline.sql'), 'create table brands (id bigint primary key);\n')],
    ['the same bytes written again', () => writeFileSync(join(project, 'sql/20260102000000_typo.up.sql'), readFileSync(join(project, 'sql/20260102000000_typo.up.sql')))],
  ];
  run(BIN, []);
  for (const [what, change] of changes) {
    change();
    const expected = cold();
    if (what === 'the baseline edited') t.match(expected.stdout, 'table brands existed before the up', 'the baseline changes the report');
    t.same(run(BIN, []), expected, `${what}: the warm run reports what a cold run does`);
    t.same(run(BIN, []), expected, `${what}: and so does the next one, from the store`);
  }
});

t.test('other formats and arguments are stored apart; flags that change the work skip the store', async (t) => {
  for (const args of [['--format=json', 'sql'], ['--rule', 'syntax-error=off', 'sql/20260102000000_typo.up.sql']]) {
    const expected = cold(args);
    t.same(run(BIN, args), expected, `${args.join(' ')}: first run`);
    t.same(run(BIN, args), expected, `${args.join(' ')}: from the store`);
  }
  const before = storedFiles().length;
  t.equal(run(BIN, ['--no-cache']).stdout, cold().stdout, '--no-cache');
  t.equal(run(BIN, ['--version']).stdout, `${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version}\n`, '--version');
  t.equal(storedFiles().length, before, 'neither stored a report');
  const missing = run(BIN, ['nowhere']);
  t.equal(missing.code, 2, 'a missing folder is still a usage error');
  t.match(missing.stderr, 'Cannot read nowhere');
});

t.test('the bundled command (package.json bin) behaves as the compiled CLI', async (t) => {
  const bin = await bundle();
  t.equal(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).bin['verify-migrations'], 'dist/verify/verify-migrations.mjs', 'the bin is the bundle');
  for (const args of [['--no-cache'], [], [], ['--explain', 'require-concurrent-index-creation'], ['--bogus']]) {
    const expected = run(CLI, args);
    t.same(run(bin, args), expected, `verify-migrations ${args.join(' ')}`);
  }
});
