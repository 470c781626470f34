// The result cache: a re-run parses only what changed, and says exactly what an uncached run says.
import t from 'tap';
import { cpSync, mkdtempSync, rmSync, writeFileSync, readFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';

function copyOf(set: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'cache-'));
  cpSync(new URL(`./fixtures/sets/${set}`, import.meta.url).pathname, dir, { recursive: true });
  return dir;
}

const run = (dir: string, cache = true) => verify({ paths: [dir], rules, cache });

t.test('a warm run parses nothing and reports the same', async (t) => {
  const dir = copyOf('broken');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cold = await run(dir, false);
  const first = await run(dir);
  const warm = await run(dir);
  t.ok(first.migrations.length > 0, 'the first run parsed');
  t.equal(warm.migrations.length, 0, 'the warm run parsed nothing');
  t.same(warm.violations, cold.violations);
  t.same(first.violations, cold.violations);
});

t.test('changing the newest migration re-checks only it', async (t) => {
  const dir = copyOf('clean');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await run(dir);
  appendFileSync(join(dir, '20260102000000_create_lines.up.sql'), 'CREATE TABLE other (id int);\n');
  const warm = await run(dir);
  const cold = await run(dir, false);
  t.same(warm.migrations.map((m) => m.name), ['20260102000000_create_lines']);
  t.same(warm.violations, cold.violations);
  t.ok(warm.violations.some((v) => v.rule === 'one-change-per-migration'), 'the new problem is found');
});

t.test('changing an earlier migration re-checks it and everything after it', async (t) => {
  const dir = copyOf('clean');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await run(dir);
  const path = join(dir, '20260101000000_create_brands.up.sql');
  writeFileSync(path, readFileSync(path, 'utf8').replace('PRIMARY KEY', 'UNIQUE'));
  const warm = await run(dir);
  const cold = await run(dir, false);
  t.same(warm.migrations.map((m) => m.name), ['20260101000000_create_brands', '20260102000000_create_lines']);
  t.same(warm.violations, cold.violations);
});

t.test('a new setting does not reuse results made under another', async (t) => {
  const dir = copyOf('broken');
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  await run(dir);
  const off = await verify({ paths: [dir], rules, settings: { 'down-reverses-up': 'off' } });
  t.notOk(off.violations.some((v) => v.rule === 'down-reverses-up'));
  t.ok(off.migrations.length > 0, 'recomputed');
});
