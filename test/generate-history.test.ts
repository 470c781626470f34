// The benchmark corpus generator: deterministic, well-formed, and correct under our rules.
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateHistory } from '../bench/generate-history.js';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';

function tempDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'generate-history-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('200 pairs verify with zero errors', async (t) => {
  const dir = tempDir(t);
  const history = generateHistory(dir, 200, 42);
  t.equal(history.files, 400, 'two files per pair');
  for (const [kind, count] of Object.entries(history.kinds)) t.ok(count > 0, `some ${kind} migrations`);
  const result = await verify({ paths: [dir], rules, cache: false });
  t.equal(result.files, 400, 'the verifier read every file');
  const errors = result.violations.filter((v) => v.severity === 'error');
  t.same(errors.map((v) => `${v.file}:${v.line}:${v.column} ${v.rule} ${v.message}`), [], 'no error-severity violation');
});

t.test('file names, headers and one statement per no-transaction file', async (t) => {
  const dir = tempDir(t);
  generateHistory(dir, 120, 7);
  const names = readdirSync(dir).sort();
  t.equal(names.length, 240);
  for (const name of names) {
    if (!/^\d{14}_[a-z0-9_]+\.(up|down)\.sql$/.test(name)) t.fail(`bad file name ${name}`);
    const text = readFileSync(join(dir, name), 'utf8');
    if (!text.startsWith('-- ')) t.fail(`${name} does not start with a -- comment`);
    if (text.startsWith('-- migrate:no-transaction\n')) {
      const statements = text.split('\n').filter((line) => line && !line.startsWith('--'));
      if (statements.length !== 1 || !/CONCURRENTLY IF (NOT )?EXISTS/.test(statements[0]!)) t.fail(`${name} is not a single concurrent index statement`);
    }
  }
  const ups = names.filter((n) => n.endsWith('.up.sql')).map((n) => n.replace('.up.sql', ''));
  const downs = names.filter((n) => n.endsWith('.down.sql')).map((n) => n.replace('.down.sql', ''));
  t.same(ups, downs, 'every up has its down');
  t.equal(new Set(ups.map((n) => n.slice(0, 14))).size, ups.length, 'versions are unique');
});

t.test('deterministic from the seed', async (t) => {
  const a = tempDir(t);
  const b = tempDir(t);
  const c = tempDir(t);
  generateHistory(a, 60, 1234);
  generateHistory(b, 60, 1234);
  generateHistory(c, 60, 99);
  const read = (dir: string): string[] => readdirSync(dir).sort().map((n) => `${n}\n${readFileSync(join(dir, n), 'utf8')}`);
  t.same(read(a), read(b), 'same seed, same files');
  t.not(read(a).join(''), read(c).join(''), 'another seed, another history');
});

t.test('refuses a directory that already holds migrations', async (t) => {
  const dir = tempDir(t);
  generateHistory(dir, 2, 1);
  t.throws(() => generateHistory(dir, 2, 1), /already holds \.sql files/);
});
