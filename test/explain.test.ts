// verify-migrations --explain: a rule's doc, or what each statement of a file locks, rewrites, scans, and trips.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explainFile, explainRule, explainTarget } from '../verify/explain.js';
import { rules } from '../verify/rules/index.js';

t.test('--explain <rule> prints the doc beside the rule; an unknown name is a usage error with a near miss', async (t) => {
  t.match(explainRule('require-concurrent-index-creation', rules), /^# require-concurrent-index-creation\n/);
  t.match(explainRule('down-restores-schema', rules), /^# down-restores-schema/, 'an executed rule');
  t.match(explainRule('syntax-error', rules), /An engine check/);
  t.throws(() => explainRule('concurrent', rules), { code: 'usage', message: /no rule or file named concurrent \(did you mean / });
});

t.test('--explain <file>[:line]: locks on which tables, rewrite or scan, the rules that apply', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'explain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE products (id bigint PRIMARY KEY, price int);\n');
  writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE products;\n');
  const file = join(dir, '20260102000000_x.up.sql');
  writeFileSync(file, 'ALTER TABLE products ALTER COLUMN price TYPE bigint;\nCREATE INDEX products_price_idx ON products (price);\n');
  writeFileSync(join(dir, '20260102000000_x.down.sql'), 'DROP INDEX products_price_idx;\nALTER TABLE products ALTER COLUMN price TYPE int;\n');
  t.same(explainTarget(`${file}:2`), { file, line: 2 });
  t.same(explainTarget(file), { file });
  t.same(explainTarget('prefer-identity'), { rule: 'prefer-identity' });
  const all = await explainFile(file, undefined, rules);
  t.match(all, `${file}:1:1  ALTER TABLE products ALTER COLUMN price TYPE bigint;\n  locks: AccessExclusiveLock on products, which blocks reads and writes\n  rewrites the table: yes; scans it: no\n  error changing-column-type:`);
  const second = await explainFile(file, 2, rules);
  t.match(second, `${file}:2:1  CREATE INDEX products_price_idx ON products (price);\n  locks: ShareLock on products, which blocks writes (INSERT, UPDATE, DELETE); reads go on\n`);
  t.notMatch(second, 'ALTER TABLE', 'only the statement on that line');
  await t.rejects(explainFile(file, 9, rules), { code: 'usage', message: /no statement of .* is on line 9/ });
});
