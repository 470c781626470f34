// `make new-rule NAME=ban-vacuum-full`: writes the rule, its doc and its test from templates and registers it.
// Exit codes: 0 written, 2 bad name, a rule that exists, or not at the repository root.
import { parseArgs } from 'node:util';
import { createRule, NewRuleError } from '../verify/new-rule.js';

function main(argv: readonly string[]): number {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { root: { type: 'string' } } });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new NewRuleError('usage: make new-rule NAME=<kebab-case-rule-name> (or: node dist/scripts/new-rule.js <name> [--root DIR])');
    const created = createRule(values.root ?? process.cwd(), name);
    process.stdout.write(`${created.files.join('\n')}\n`);
    process.stdout.write(`Next: replace every TODO (CONTRIBUTING.md says what a rule needs), then npx tap test/rules/${name}.test.ts test/rules-consistency.test.ts.\n`);
    return 0;
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}\n`);
    return 2;
  }
}

process.exitCode = main(process.argv.slice(2));
