// `make new-rule NAME=...`: a rule, its doc and its test table from the templates in verify/rules/templates/, and
// its entry in the registry (verify/rules/index.ts), in alphabetical order. The text functions are pure; createRule()
// alone touches the disk.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export class NewRuleError extends Error {
  readonly code = 'new-rule';
}

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const TEMPLATES = new URL('../../verify/rules/templates/', import.meta.url);

/** ban-vacuum-full → banVacuumFull (the registry's import name, and the first message id). */
export function camelCase(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function checkName(name: string): void {
  if (!NAME.test(name) || name.length > 60) {
    throw new NewRuleError(`Rule name "${name}" must be kebab-case (lower-case words joined by -, e.g. ban-vacuum-full), at most 60 characters.`);
  }
  if (['index', 'support', 'templates'].includes(name)) throw new NewRuleError(`"${name}" is taken by verify/rules/${name}: pick another rule name.`);
}

export function fillTemplate(template: string, name: string): string {
  return template.replaceAll('__RULE_NAME__', name).replaceAll('__MESSAGE_ID__', camelCase(name));
}

/** The registry with `name` imported and listed, both in alphabetical order of the rule names. */
export function registerRule(index: string, name: string): string {
  const lines = index.split('\n');
  const importPattern = /^import (\w+) from '\.\/([a-z0-9-]+)\.js';$/;
  const imports = lines.flatMap((line, i) => {
    const match = importPattern.exec(line);
    return match ? [{ i, identifier: match[1]!, name: match[2]! }] : [];
  });
  const open = lines.findIndex((line) => /^export const rules\b.*= \[$/.test(line));
  const close = lines.findIndex((line, i) => i > open && line === '];');
  if (imports.length === 0 || open < 0 || close < 0) throw new NewRuleError('verify/rules/index.ts is not a registry this script can edit: add the import and the entry by hand.');
  if (imports.some((entry) => entry.name === name)) throw new NewRuleError(`Rule ${name} is already registered in verify/rules/index.ts.`);
  const all = [...imports.map(({ identifier, name }) => ({ identifier, name })), { identifier: camelCase(name), name }].sort((a, b) => (a.name < b.name ? -1 : 1));
  const first = imports[0]!.i;
  const last = imports[imports.length - 1]!.i;
  return [
    ...lines.slice(0, first),
    ...all.map((entry) => `import ${entry.identifier} from './${entry.name}.js';`),
    ...lines.slice(last + 1, open + 1),
    ...all.map((entry) => `  ${entry.identifier},`),
    ...lines.slice(close),
  ].join('\n');
}

export interface CreatedRule {
  /** Paths relative to the root, in the order written. */
  readonly files: readonly string[];
}

/** Write the rule, its doc and its test under `root` (the repository), and register it. */
export function createRule(root: string, name: string, templates: URL = TEMPLATES): CreatedRule {
  checkName(name);
  const indexPath = join(root, 'verify/rules/index.ts');
  if (!existsSync(indexPath)) throw new NewRuleError(`No verify/rules/index.ts under ${root}: run make new-rule from the repository root.`);
  const targets = [
    { path: `verify/rules/${name}.ts`, template: 'rule.ts.tmpl' },
    { path: `verify/rules/${name}.md`, template: 'rule.md.tmpl' },
    { path: `test/rules/${name}.test.ts`, template: 'rule.test.ts.tmpl' },
  ];
  const existing = targets.filter((t) => existsSync(join(root, t.path)));
  if (existing.length) throw new NewRuleError(`${existing.map((t) => t.path).join(', ')} already exist${existing.length === 1 ? 's' : ''}: pick another rule name, or edit the rule.`);
  const index = registerRule(readFileSync(indexPath, 'utf8'), name);
  for (const target of targets) writeFileSync(join(root, target.path), fillTemplate(readFileSync(new URL(target.template, templates), 'utf8'), name), { flag: 'wx' });
  writeFileSync(indexPath, index);
  return { files: [...targets.map((t) => t.path), 'verify/rules/index.ts'] };
}
