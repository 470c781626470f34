// make new-rule: the rule, its doc and its test from the templates, registered in alphabetical order; the files it
// writes type-check as they are, in a copy of the repository.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { camelCase, checkName, registerRule } from '../verify/new-rule.js';

const ROOT = new URL('..', import.meta.url).pathname;
const SCRIPT = join(ROOT, 'dist/scripts/new-rule.js');

function newRule(args: string[]) {
  const result = spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('names: kebab-case, camelCase for the registry', async (t) => {
  t.equal(camelCase('ban-vacuum-full'), 'banVacuumFull');
  t.equal(camelCase('prefer-bigint-over-int2'), 'preferBigintOverInt2');
  for (const bad of ['Ban-x', 'ban_x', '-ban', 'ban--x', 'ban-', '1ban', 'support', 'index', 'x'.repeat(61)]) t.throws(() => checkName(bad), { code: 'new-rule' }, bad);
  t.doesNotThrow(() => checkName('ban-alter-system'));
});

t.test('the registry gains the import and the entry, both in alphabetical order', async (t) => {
  const index = "// The registry.\nimport type { Rule } from '../rule.js';\nimport alpha from './alpha.js';\nimport gamma from './gamma.js';\n\nexport const rules: readonly Rule[] = [\n  alpha,\n  gamma,\n];\n";
  t.equal(registerRule(index, 'beta-two'), "// The registry.\nimport type { Rule } from '../rule.js';\nimport alpha from './alpha.js';\nimport betaTwo from './beta-two.js';\nimport gamma from './gamma.js';\n\nexport const rules: readonly Rule[] = [\n  alpha,\n  betaTwo,\n  gamma,\n];\n");
  t.match(registerRule(index, 'zeta'), /import gamma from '\.\/gamma\.js';\nimport zeta from '\.\/zeta\.js';\n[\s\S]*  gamma,\n  zeta,\n\];/);
  t.throws(() => registerRule(index, 'alpha'), { message: 'Rule alpha is already registered in verify/rules/index.ts.' });
  t.throws(() => registerRule('export const x = 1;\n', 'beta'), { code: 'new-rule' });
});

t.test('make new-rule writes three files that type-check, and registers the rule', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'new-rule-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const folder of ['core', 'verify', 'test/helpers']) cpSync(join(ROOT, folder), join(root, folder), { recursive: true });
  for (const file of ['tsconfig.json', 'tsconfig.test.json', 'package.json']) cpSync(join(ROOT, file), join(root, file));
  mkdirSync(join(root, 'test/rules'));
  symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));

  const { code, stdout, stderr } = newRule(['--root', root, 'ban-alter-system']);
  t.equal(code, 0, stderr);
  t.match(stdout, 'verify/rules/ban-alter-system.ts\nverify/rules/ban-alter-system.md\ntest/rules/ban-alter-system.test.ts\nverify/rules/index.ts\n');
  const rule = readFileSync(join(root, 'verify/rules/ban-alter-system.ts'), 'utf8');
  const doc = readFileSync(join(root, 'verify/rules/ban-alter-system.md'), 'utf8');
  const test = readFileSync(join(root, 'test/rules/ban-alter-system.test.ts'), 'utf8');
  t.match(rule, "name: 'ban-alter-system'");
  t.match(rule, "banAlterSystem: 'TODO: Say what {{table}} suffers when this runs.'", 'a message named after the rule');
  t.match(rule, "banAlterSystem: 'TODO: Say what to write instead.'", 'and its help');
  for (const section of ['# ban-alter-system\n', '## Problem', '## Solution', 'Instead of:\n\n```sql', 'Use:\n\n```sql', '## Allowing it', '-- verify:ignore ban-alter-system <reason>']) t.match(doc, section, `the doc has ${section.trim()}`);
  t.match(test, "import rule from '../../verify/rules/ban-alter-system.js';");
  t.match(test, /errors: \[\{ messageId: 'banAlterSystem', line: 1, column: 1, endLine: 1, endColumn: 2 \}\]/);
  t.notMatch(`${rule}${doc}${test}`, /__[A-Z_]+__/, 'every placeholder is filled');
  t.match(readFileSync(join(root, 'verify/rules/index.ts'), 'utf8'), /import banAlterSystem from '\.\/ban-alter-system\.js';\nimport banCharField/);

  const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.test.json', '--noEmit'], { cwd: root, encoding: 'utf8' });
  t.equal(tsc.status, 0, `the rule, its test and the registry type-check:\n${tsc.stdout}`);

  const again = newRule(['--root', root, 'ban-alter-system']);
  t.equal(again.code, 2);
  t.match(again.stderr, /^error: verify\/rules\/ban-alter-system\.ts, verify\/rules\/ban-alter-system\.md, test\/rules\/ban-alter-system\.test\.ts already exist: [^\n]+\n$/);
  t.ok(existsSync(join(root, 'verify/rules/ban-alter-system.ts')), 'nothing is overwritten');
});

t.test('bad input: one line, exit 2, nothing written', async (t) => {
  for (const args of [[], ['Bad_Name'], ['a', 'b'], ['--root', tmpdir(), 'ban-x']]) {
    const { code, stdout, stderr } = newRule(args);
    t.equal(code, 2, args.join(' '));
    t.equal(stdout, '');
    t.match(stderr, /^error: [^\n]+\n$/, stderr);
  }
});
