// `baseline` in verify-migrations.json: the SQL of what existed before a folder's first migration, replayed by the
// schema model (so a history that starts from it can still say what does not exist), refused in one line when unusable.
import t from 'tap';
import type { Test } from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = join(import.meta.dirname, '..', 'dist', 'verify', 'cli.js');

function project(t: Test, config: unknown, baseline?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'm'));
  writeFileSync(join(dir, 'm', '20260101000100_add_sku.up.sql'), 'ALTER TABLE legacy ADD COLUMN sku text;\n');
  writeFileSync(join(dir, 'm', '20260101000100_add_sku.down.sql'), 'ALTER TABLE legacy DROP COLUMN sku;\n');
  writeFileSync(join(dir, 'verify-migrations.json'), JSON.stringify(config));
  if (baseline !== undefined) writeFileSync(join(dir, 'base.sql'), baseline);
  return dir;
}

function verify(cwd: string): { status: number | null; out: string } {
  const result = spawnSync(process.execPath, [CLI, '--no-cache', '--rule', 'require-timeout-settings=off', 'm'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

t.test('a history that starts from a baseline', async (t) => {
  const without = verify(project(t, { startsEmpty: ['m'] }));
  t.equal(without.status, 1);
  t.match(without.out, /object-missing .*relation "legacy" does not exist/, 'starting empty, legacy does not exist');

  const withBaseline = verify(project(t, { startsEmpty: ['m'], baseline: { m: 'base.sql' } }, 'CREATE TABLE legacy (id bigint PRIMARY KEY);\n'));
  t.equal(withBaseline.status, 0, withBaseline.out);
  t.notMatch(withBaseline.out, /object-missing/);

  const typo = verify(project(t, { startsEmpty: ['m'], baseline: { m: 'base.sql' } }, 'CREATE TABLE legacyy (id bigint PRIMARY KEY);\n'));
  t.match(typo.out, /relation "legacy" does not exist/, 'what the baseline does not make still does not exist');
});

t.test('an unusable baseline is one line, exit 2', async (t) => {
  const missing = verify(project(t, { baseline: { m: 'nowhere.sql' } }));
  t.equal(missing.status, 2);
  t.match(missing.out, /^verify-migrations: Cannot read the baseline .*nowhere\.sql: no such file\.\n$/);
  const broken = verify(project(t, { baseline: { m: 'base.sql' } }, 'CREATE TABLE legacy (id bigint PRIMARY KEY);\nCREATE TABLE oops (;\n'));
  t.equal(broken.status, 2);
  t.match(broken.out, /^verify-migrations: base\.sql:2:\d+: the baseline does not parse: /);
  t.equal(broken.out.trim().split('\n').length, 1);
  const wrongShape = verify(project(t, { baseline: ['base.sql'] }));
  t.equal(wrongShape.status, 2);
  t.match(wrongShape.out, /"baseline" must map a migration folder to the SQL file/);
});
