// verify-migrations --explain: a rule's doc, or, per statement of a migration file, the locks it takes on which
// tables, whether it rewrites or scans them, and the rules that apply. Returns text; the CLI prints it.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { displayName } from './ast.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { UsageError, verify } from './engine.js';
import { statementLocks, lockBlocks } from './lock-table.js';
import type { Rule } from './rule.js';
import { DEFAULT_POSTGRES_VERSION } from './rules/syntax-needs-newer-postgres.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** `--explain <rule>`: the rule's doc beside its code (static rules, then the executed ones). */
export function explainRule(name: string, rules: readonly Rule[]): string {
  const candidates = [join(HERE, 'rules', `${name}.md`), join(HERE, 'execute', `${name}.md`)];
  // The compiled CLI runs from dist/verify: the docs stay in the source tree beside the code.
  const source = resolve(HERE, '..', '..', 'verify');
  candidates.push(join(source, 'rules', `${name}.md`), join(source, 'execute', `${name}.md`));
  const doc = candidates.find((path) => existsSync(path));
  if (doc) return readFileSync(doc, 'utf8');
  const builtin = BUILTIN_RULES[name];
  if (builtin) return `# ${name}\n\n${builtin.description}\n\nAn engine check (${builtin.severity} by default): it has no doc of its own; README's Verifier section lists the engine checks.\n`;
  const known = [...rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES)];
  const near = known.filter((k) => k.includes(name) || name.includes(k)).slice(0, 3);
  throw new UsageError(`--explain: no rule or file named ${name}${near.length ? ` (did you mean ${near.join(', ')}?)` : ''}: give a rule id (--list-rules) or a migration file, optionally with :line.`);
}

/** An argument that names an existing file (with an optional `:line`) is a file; anything else is a rule. */
export function explainTarget(argument: string): { file: string; line?: number } | { rule: string } {
  const match = /^(.*?):(\d+)$/.exec(argument);
  const path = match && existsSync(match[1]!) ? match[1]! : argument;
  if (existsSync(path) && statSync(path).isFile()) return match && path === match[1] ? { file: path, line: Number(match[2]) } : { file: path };
  return { rule: argument };
}

/** `--explain <file>[:line]`: each statement of the file (or the one at the line) with its locks and its findings. */
export async function explainFile(path: string, line: number | undefined, rules: readonly Rule[], postgresVersion?: number): Promise<string> {
  const result = await verify({ paths: [path], rules, cache: false, ...(postgresVersion !== undefined ? { postgresVersion } : {}) });
  const file = result.migrations.flatMap((m) => [m.up, ...(m.down ? [m.down] : [])]).find((f) => resolve(f.path) === resolve(path));
  if (!file) throw new UsageError(`--explain: ${path} is not a migration of its folder (see make verify for why).`);
  const statements = file.parsed.statements.filter((s) => {
    if (line === undefined) return true;
    const start = file.lines.position(s.start).line;
    const end = file.lines.position(s.end).line;
    return start <= line && line <= end;
  });
  if (line !== undefined && statements.length === 0) throw new UsageError(`--explain: no statement of ${path} is on line ${line}.`);
  const byRule = new Map(rules.map((r) => [r.meta.name, r]));
  const out: string[] = [];
  for (const statement of statements) {
    const start = file.lines.position(statement.start);
    const end = file.lines.position(statement.end);
    const found = result.violations.filter((v) => resolve(v.file) === resolve(path) && v.line >= start.line && v.line <= end.line);
    const first = file.lines.lineText(start.line).slice(start.column - 1).trim();
    out.push(`${path}:${start.line}:${start.column}  ${first.length > 100 ? `${first.slice(0, 99)}…` : first}`);
    const locks = statementLocks(statement, undefined, postgresVersion ?? DEFAULT_POSTGRES_VERSION);
    if (locks.length === 0) out.push('  locks: none on a table the verifier knows of');
    for (const lock of locks) out.push(`  locks: ${lock.mode} on ${displayName(lock.relation)}, which ${lockBlocks(lock.mode)}`);
    const lockFindings = found.filter((v) => byRule.get(v.rule)?.meta.lock !== undefined);
    const rewrites = lockFindings.some((v) => /\brewrites?\b|\brebuilds?\b/.test(v.message));
    const scans = lockFindings.some((v) => /\b(scans|checks) every row\b/.test(v.message));
    out.push(`  rewrites the table: ${rewrites ? 'yes' : 'no'}; scans it: ${scans ? 'yes' : 'no'}`);
    if (found.length === 0) out.push('  rules: none apply');
    for (const v of found) out.push(`  ${v.severity} ${v.rule}: ${v.message}${v.help ? `\n    help: ${v.help}` : ''}`);
    out.push('');
  }
  return out.join('\n');
}
