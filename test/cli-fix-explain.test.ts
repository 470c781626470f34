// The CLI's --fix, --fix-dry-run, --explain and --pg-version, as a user runs them.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from './helpers/child-env.js';

const CLI = join(import.meta.dirname, '..', 'dist', 'verify', 'cli.js');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: childEnv({ NO_COLOR: '1' }) });

function folder(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-fix-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_a.up.sql'), 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\n');
  writeFileSync(join(dir, '20260101000000_a.down.sql'), 'DROP TABLE products;\n');
  // No header comment: the directive goes in at byte 0, where the statement's own rewrite starts too.
  writeFileSync(join(dir, '20260102000000_i.up.sql'), 'CREATE INDEX products_name_idx ON products (name);\n');
  writeFileSync(join(dir, '20260102000000_i.down.sql'), 'DROP INDEX products_name_idx;\n');
  return dir;
}

t.test('--fix-dry-run prints the diff and changes nothing; --fix writes it and the folder passes', async (t) => {
  const dir = folder(t);
  const dry = run(['--fix-dry-run', dir]);
  t.equal(dry.status, 1, 'errors remain as the files stand');
  t.match(dry.stdout, '-CREATE INDEX products_name_idx ON products (name);\n+-- migrate:no-transaction\n+CREATE INDEX CONCURRENTLY IF NOT EXISTS products_name_idx ON products (name);\n');
  t.equal(readFileSync(join(dir, '20260102000000_i.up.sql'), 'utf8'), 'CREATE INDEX products_name_idx ON products (name);\n');
  const fixed = run(['--fix', dir]);
  t.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
  t.match(fixed.stdout, /1 finding fixed; 0 errors left\./);
  t.equal(readFileSync(join(dir, '20260102000000_i.up.sql'), 'utf8'), '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS products_name_idx ON products (name);\n');
  t.equal(run([dir]).status, 0, 'make verify passes');
});

t.test('--explain takes a rule or a file[:line]; --pg-version is checked', async (t) => {
  const dir = folder(t);
  t.match(run(['--explain', 'require-concurrent-index-creation']).stdout, /^# require-concurrent-index-creation\n/);
  const file = run(['--explain', `${join(dir, '20260102000000_i.up.sql')}:1`]);
  t.equal(file.status, 0);
  t.match(file.stdout, 'locks: ShareLock on products, which blocks writes');
  const unknown = run(['--explain', 'no-such-thing']);
  t.equal(unknown.status, 2);
  t.match(unknown.stderr, /--explain: no rule or file named no-such-thing/);
  const bad = run(['--pg-version', 'fifteen', dir]);
  t.equal(bad.status, 2);
  t.match(bad.stderr, /--pg-version: the PostgreSQL version must be a major version such as 15 or 17/);
  writeFileSync(join(dir, '20260103000000_g.up.sql'), 'ALTER TABLE products ADD COLUMN cents bigint, ADD COLUMN euros numeric GENERATED ALWAYS AS (cents / 100.0);\n');
  writeFileSync(join(dir, '20260103000000_g.down.sql'), 'ALTER TABLE products DROP COLUMN euros, DROP COLUMN cents;\n');
  t.match(run([dir]).stdout, 'syntax-needs-newer-postgres', 'the default target is 15');
  t.notMatch(run(['--pg-version', '18', dir]).stdout, 'syntax-needs-newer-postgres', '18 has virtual generated columns');
});
