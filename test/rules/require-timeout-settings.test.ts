import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-timeout-settings.js';
import { verify } from '../../verify/engine.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);', down: 'DROP TABLE products;' };

// This repository's runner sets both timeouts on every migration session: quiet in its layout.
ruleTester(rule, {
  valid: [{ name: 'ours sets the timeouts itself', before: [products], up: 'ALTER TABLE products ADD COLUMN note text;' }],
  invalid: [],
});

/** The findings over a golang-migrate history: products, then the case. */
async function findings(up: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'timeouts-'));
  try {
    writeFileSync(join(dir, '000001_products.up.sql'), products.up);
    writeFileSync(join(dir, '000001_products.down.sql'), products.down);
    writeFileSync(join(dir, '000002_case.up.sql'), up);
    writeFileSync(join(dir, '000002_case.down.sql'), 'SELECT 1;\n');
    const result = await verify({ paths: [dir], rules: [rule], cache: false });
    return result.violations.filter((v) => v.rule === rule.meta.name && v.file.includes('000002')).map((v) => `${v.line}:${v.column} ${v.messageId}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('require-timeout-settings under golang-migrate, which sets no timeout', async (t) => {
  const cases: [string, string, string[]][] = [
    ['an ALTER TABLE without either', 'ALTER TABLE products ADD COLUMN note text;', ['1:1 lockTimeout', '1:1 statementTimeout']],
    ['both set first', "SET lock_timeout = '2s';\nSET statement_timeout = '1min';\nALTER TABLE products ADD COLUMN note text;", []],
    ['only the lock timeout', "SET LOCAL lock_timeout = '2s';\nALTER TABLE products ADD COLUMN note text;", ['2:1 statementTimeout']],
    ['set by set_config', "SELECT set_config('lock_timeout', '2s', false);\nSELECT set_config('statement_timeout', '1min', false);\nCREATE INDEX products_name_idx ON products (name);", []],
    ['a backfill needs the statement timeout only', 'UPDATE products SET name = lower(name);', ['1:1 statementTimeout']],
    ['once per file, at the first statement that needs it', 'ALTER TABLE products ADD COLUMN a text;\nALTER TABLE products ADD COLUMN b text;', ['1:1 lockTimeout', '1:1 statementTimeout']],
    ['a table the migration creates locks nobody', 'CREATE TABLE t (id bigint PRIMARY KEY);\nALTER TABLE t ADD COLUMN a text;', []],
  ];
  for (const [name, up, expected] of cases) t.same(await findings(up), expected, name);
});

t.test("squawk's require-lock-timeout and require-statement-timeout names work in a directive", async (t) => {
  t.same(await findings('-- verify:ignore require-lock-timeout,require-statement-timeout x-statement-timeout is in the URL\nALTER TABLE products ADD COLUMN note text;'), []);
});
