// Every rule has its doc beside it, a test table, a registry entry; its doc's SQL behaves as the doc says.
import t from 'tap';
import { existsSync, readdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../verify/rules/index.js';
import { verify } from '../verify/engine.js';
import type { Rule } from '../verify/rule.js';
import { readRuleDoc, splitBlock } from './helpers/rule-docs.js';

const RULES_DIR = new URL('../verify/rules/', import.meta.url).pathname;
const TESTS_DIR = new URL('./rules/', import.meta.url).pathname;
/** Files in verify/rules/ that are not rules: the registry and the helpers rules share. */
const NOT_RULES = ['index.ts', 'support.ts'];

async function violationsOf(rule: Rule | readonly Rule[], given: string | undefined, block: string, layout?: 'golang-migrate', standbys?: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'rule-doc-'));
  // Our 14-digit versions, or golang-migrate's short ones.
  const [first, second] = layout === 'golang-migrate' ? ['000001', '000002'] : ['20260101000000', '20260102000000'];
  try {
    if (given) writeFileSync(join(dir, `${first}_given.up.sql`), given);
    const { up, down } = splitBlock(block);
    writeFileSync(join(dir, `${second}_example.up.sql`), up);
    if (down !== undefined) writeFileSync(join(dir, `${second}_example.down.sql`), down);
    const all = Array.isArray(rule);
    const result = await verify({ paths: [dir], rules: all ? rule : [rule as Rule], cache: false, standbys });
    return result.violations.filter((v) => v.file.includes('_example.') && (all || v.rule === (rule as Rule).meta.name || v.rule === 'syntax-error'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('the registry is alphabetical and names match files', async (t) => {
  const names = rules.map((r) => r.meta.name);
  t.same(names, [...names].sort(), 'alphabetical');
  const files = readdirSync(RULES_DIR).filter((f) => f.endsWith('.ts') && !NOT_RULES.includes(f)).map((f) => f.replace(/\.ts$/, ''));
  t.same([...files].sort(), [...names].sort(), 'every rule file is registered and every registered rule has a file');
});

for (const rule of rules) {
  const name = rule.meta.name;
  t.test(name, async (t) => {
    t.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case id');
    t.match(rule.meta.description, /^[A-Z].*\.$/, 'description is a sentence');
    for (const other of rule.meta.supersedes ?? []) t.ok(rules.some((r) => r.meta.name === other && r !== rule), `supersedes an existing rule: ${other}`);
    for (const [id, message] of Object.entries(rule.meta.messages)) {
      t.match(message, /^[A-Z{].*\.$/s, `message ${id} is a sentence`);
      t.ok(rule.meta.help?.[id], `message ${id} has a help`);
    }
    t.ok(existsSync(join(TESTS_DIR, `${name}.test.ts`)), 'has test/rules/<rule>.test.ts');
    const docPath = join(RULES_DIR, `${name}.md`);
    if (!existsSync(docPath)) {
      t.fail('has verify/rules/<rule>.md');
      return;
    }
    const doc = readRuleDoc(docPath);
    t.equal(doc.title, name, 'doc title is the rule id');
    t.equal(doc.description, rule.meta.description, 'doc repeats the one-line description');
    for (const section of ['Problem', 'Solution', 'Allowing it']) t.ok(doc.sections.includes(section), `doc has ## ${section}`);
    t.ok(doc.insteadOf.length > 0, 'doc has an "Instead of" SQL block');
    t.ok(doc.use.length > 0, 'doc has a "Use" SQL block');
    for (const block of doc.insteadOf) {
      const found = await violationsOf(rule, doc.given, block, doc.layout, doc.standbys);
      t.ok(found.some((v) => v.rule === name), `"Instead of" is flagged:\n${block}`);
      t.notOk(found.some((v) => v.rule === 'syntax-error'), 'the "Instead of" block parses');
    }
    for (const block of doc.use) {
      const found = await violationsOf(rule, doc.given, block, doc.layout, doc.standbys);
      t.same(found.map((v) => `${v.line}:${v.column} ${v.rule} ${v.message}`), [], `"Use" passes:\n${block}`);
      // What the doc tells a DBA to write, no other rule calls an error (a block without a down shows the up only).
      const others = (await violationsOf(rules, doc.given, block, doc.layout, doc.standbys)).filter((v) => v.severity === 'error' && !(splitBlock(block).down === undefined && v.rule === 'down-reverses-up'));
      t.same(others.map((v) => `${v.line}:${v.column} ${v.rule} ${v.message}`), [], `"Use" passes every rule:\n${block}`);
    }
  });
}
