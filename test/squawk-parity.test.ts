// The same files through this verifier and through squawk's native binary: where they agree, where we are
// stricter (across files, security) and where we are quieter (new tables, widening). docs/squawk-parity.md
// is this table in prose.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';
import { EXCLUDED, PARITY_CASES } from './helpers/parity-cases.js';

const require = createRequire(import.meta.url);
const SQUAWK = join(require.resolve('@squawk-cli/linux-x64/package.json'), '..', 'bin', 'squawk');

function squawk(file: string): string[] {
  const result = spawnSync(SQUAWK, ['--reporter=json', `--exclude=${EXCLUDED.join(',')}`, file], { encoding: 'utf8' });
  const found = JSON.parse(result.stdout || '[]') as Array<{ rule_name: string }>;
  return [...new Set(found.map((f) => f.rule_name))].sort();
}

for (const parity of PARITY_CASES) {
  t.test(`${parity.verdict}: ${parity.name}`, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'parity-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    if (parity.given) writeFileSync(join(dir, '20260101000000_given.up.sql'), parity.given);
    const file = join(dir, '20260102000000_case.up.sql');
    writeFileSync(file, parity.sql);
    const result = await verify({ paths: [dir], rules, cache: false });
    const ours = [...new Set(result.violations.filter((v) => v.file.endsWith('_case.up.sql') && !['down-reverses-up', 'one-change-per-migration', 'destructive-needs-flag', 'prefer-bigint-over-int', 'prefer-text-field', 'prefer-robust-stmts'].includes(v.rule)).map((v) => v.rule))].sort();
    t.same(ours, [...parity.ours].sort(), 'this verifier');
    t.same(squawk(file), [...parity.squawk].sort(), 'squawk');
  });
}
