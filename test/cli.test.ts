// The CLI as a user runs it: whole fixture folders, every format, every exit code.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../verify/rules/index.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/verify/cli.js');
const SETS = 'test/fixtures/sets';

function cli(args: string[], cwd = ROOT) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('a clean set passes with exit 0', async (t) => {
  const { code, stdout, stderr } = cli([`${SETS}/clean`]);
  t.equal(code, 0);
  t.equal(stdout, 'paired layout: 2 migrations in test/fixtures/sets/clean\n4 files checked: 0 errors, 0 warnings.\n', 'the detected layout, then the summary');
  t.equal(stderr, '');
});

t.test('the repo chain in sql/ passes', async (t) => {
  const { code, stdout } = cli(['sql']);
  t.equal(code, 0, stdout);
});

t.test('a broken set: text output with code frames, exit 1', async (t) => {
  const { code, stdout, stderr } = cli([`${SETS}/broken`]);
  t.equal(code, 1);
  t.equal(stderr, '');
  t.matchSnapshot(stdout, 'text report');
  t.match(stdout, `${SETS}/broken/20260102000000_typo.up.sql:3:36  error  syntax-error  Syntax error at or near "text".`);
});

t.test('directives: missing reason, unknown directive, unknown rule, unused', async (t) => {
  const { code, stdout } = cli([`${SETS}/directives`, '--format', 'json']);
  t.equal(code, 1);
  const report = JSON.parse(stdout) as { files: number; violations: Array<{ rule: string; line: number; severity: string }> };
  t.same(report.violations.map((v) => `${v.line} ${v.rule} ${v.severity}`), ['1 invalid-directive error', '3 invalid-directive error', '4 invalid-directive error', '5 unused-directive warning']);
});

t.test('JSON has the documented shape', async (t) => {
  const { code, stdout } = cli([`${SETS}/broken`, '--format=json']);
  t.equal(code, 1);
  const report = JSON.parse(stdout) as { files: number; layouts: unknown[]; violations: Array<Record<string, unknown>>; executed: unknown; drift: unknown };
  t.same(Object.keys(report), ['files', 'layouts', 'violations', 'executed', 'drift']);
  t.equal(report.files, 4);
  t.same(report.layouts, [{ folder: `${SETS}/broken`, layout: 'paired', migrations: 2 }], 'the detected layout of the folder');
  t.same([report.executed, report.drift], [null, null], 'no --execute, no --drift');
  for (const v of report.violations) t.same(Object.keys(v), ['file', 'line', 'column', 'endLine', 'endColumn', 'rule', 'severity', 'message', 'help']);
  const fk = report.violations.find((v) => v.rule === 'foreign-key-needs-index');
  t.match(fk, { file: `${SETS}/broken/20260101000000_create_brands.up.sql`, line: 3, column: 60, endLine: 3, severity: 'error' });
});

t.test('SARIF 2.1.0 with rules and regions', async (t) => {
  const { stdout } = cli([`${SETS}/broken`, '--format', 'sarif']);
  const sarif = JSON.parse(stdout);
  t.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  t.equal(run.tool.driver.name, 'verify-migrations');
  t.ok(run.tool.driver.rules.length >= rules.length);
  const result = run.results.find((r: { ruleId: string }) => r.ruleId === 'syntax-error');
  t.same(result.locations[0].physicalLocation.region, { startLine: 3, startColumn: 36, endLine: 3, endColumn: 36, snippet: { text: 'ALTER TABLE brands ADD COLUM other text;' } });
});

t.test('GitHub annotations, one per violation, and a notice with the layout', async (t) => {
  const { stdout } = cli([`${SETS}/broken`, '--format', 'github']);
  const lines = stdout.trim().split('\n');
  const annotations = lines.filter((l) => /^::(error|warning) /.test(l));
  t.equal(annotations.length, 7);
  t.ok(annotations.every((l) => /^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[a-z-]+::/.test(l)), stdout);
  t.same(lines.filter((l) => !annotations.includes(l)), [`::notice title=verify-migrations::paired layout: 2 migrations in ${SETS}/broken`]);
});

t.test('--rule changes severity or turns a rule off', async (t) => {
  const off = cli([`${SETS}/broken`, '--format', 'json', '--rule', 'one-change-per-migration=off', '--rule', 'foreign-key-needs-index=warn']);
  const report = JSON.parse(off.stdout) as { violations: Array<{ rule: string; severity: string }> };
  t.notOk(report.violations.some((v) => v.rule === 'one-change-per-migration'));
  t.equal(report.violations.find((v) => v.rule === 'foreign-key-needs-index')?.severity, 'warning');
});

t.test('a config file at the repo root sets rules', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'verify-migrations.json'), JSON.stringify({ rules: { 'down-reverses-up': 'off', 'one-change-per-migration': 'off', 'foreign-key-needs-index': 'off' } }));
  const { stdout } = cli([join(ROOT, SETS, 'broken'), '--format', 'json'], dir);
  const report = JSON.parse(stdout) as { violations: Array<{ rule: string }> };
  t.same(report.violations.map((v) => v.rule).sort(), ['bad-file-name', 'drop-has-dependents', 'syntax-error', 'unpaired-down']);
});

t.test('naming a file reports that file only, with its set as context', async (t) => {
  const { code, stdout } = cli([`${SETS}/broken/20260102000000_typo.up.sql`, '--format', 'json']);
  t.equal(code, 1);
  const report = JSON.parse(stdout) as { violations: Array<{ file: string; rule: string }> };
  t.same(report.violations.map((v) => v.rule), ['syntax-error']);
});

t.test('usage errors exit 2 with one line and no stack trace', async (t) => {
  for (const args of [['no/such/dir'], ['--frobnicate'], ['--format', 'xml'], ['--rule', 'nope=off'], ['--rule', 'down-reverses-up=loud'], ['--config', 'missing.json'], ['--format']]) {
    const { code, stdout, stderr } = cli(args);
    t.equal(code, 2, args.join(' '));
    t.equal(stdout, '');
    t.match(stderr, /^verify-migrations: [^\n]+\n$/, `one line: ${stderr}`);
    t.notMatch(stderr, /\bat .*\.js:\d+/, 'no stack trace');
  }
});

t.test('--list-rules and --help', async (t) => {
  const list = cli(['--list-rules']);
  t.equal(list.code, 0);
  for (const rule of rules) t.match(list.stdout, rule.meta.name);
  t.match(list.stdout, /^down-restores-schema +error +executed +After up then down/m, 'the executed rules too');
  const help = cli(['--help']);
  t.match(help.stdout, /Exit codes: 0 no errors, 1 errors found, 2 usage error/);
});

t.test('--staged checks the staged text of staged migration files only', async (t) => {
  const repo = mkdtempSync(join(tmpdir(), 'staged-'));
  t.teardown(() => rmSync(repo, { recursive: true, force: true }));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: repo, encoding: 'utf8' });
  git('init', '-q');
  git('config', 'user.email', 'dba@example.com');
  git('config', 'user.name', 'DBA');
  const sql = join(repo, 'sql');
  spawnSync('mkdir', [sql]);
  writeFileSync(join(sql, '20260101000000_create_t.up.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
  writeFileSync(join(sql, '20260101000000_create_t.down.sql'), 'DROP TABLE t;\n');
  git('add', '.');
  git('commit', '-qm', 'first');
  t.equal(cli(['--staged'], repo).stdout, 'No staged migration files.\n', 'nothing staged');
  // Staged: a broken index migration. The working tree has a fixed version that is not staged.
  writeFileSync(join(sql, '20260102000000_add_index.up.sql'), 'CREATE INDEX idx_t ON t (id);\n');
  writeFileSync(join(sql, '20260102000000_add_index.down.sql'), 'DROP INDEX idx_t;\n');
  git('add', '.');
  writeFileSync(join(sql, '20260102000000_add_index.up.sql'), 'SELECT 1;\n');
  const { code, stdout } = cli(['--staged', '--format', 'json'], repo);
  t.equal(code, 1);
  const report = JSON.parse(stdout) as { violations: Array<{ file: string; rule: string }> };
  t.ok(report.violations.some((v) => v.rule === 'require-concurrent-index-creation' && v.file === 'sql/20260102000000_add_index.up.sql'), 'the staged text is checked, with the earlier migration as context');
  t.notOk(report.violations.some((v) => v.file.includes('20260101000000')), 'unstaged files are not reported');
  const text = cli(['--staged'], repo).stdout;
  t.match(text, 'sql/20260102000000_add_index.up.sql:1:1  error  require-concurrent-index-creation', 'text names the staged file');
  t.match(text, '  1 | CREATE INDEX idx_t ON t (id);\n', 'the code frame shows the staged text, not the working tree');
  t.notMatch(text, 'SELECT 1', 'the unstaged working-tree text is not shown');
});
