#!/usr/bin/env node
// Thin: argv -> verify() -> format -> exit code. Exit 0: no error; 1: errors found; 2: usage error or unreadable path.
import { readFileSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { verify, BUILTIN_RULES, UsageError } from './engine.js';
import { rules } from './rules/index.js';
import { CONFIG_FILE, parseRuleSetting, readConfigFile } from './config.js';
import { FORMATS, formatExecutionText, formatGithub, formatJson, formatSarif, formatText, type Format } from './report.js';
import type { RuleSetting, Violation } from './rule.js';
import { LineIndex } from '../core/migrations/source-position.js';
import { stagedSqlFiles } from './staged.js';
import { runDrift, runExecuted } from './executed-run.js';
import { executedSummary } from './execute/summary.js';

// Node 22.1+ keeps compiled code between runs for the modules loaded lazily from here on (the parser, --execute);
// a no-op on Node 20, which lacks it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const USAGE = `Usage: verify-migrations [options] [paths...]

Checks paired <version>_<slug>.up.sql / .down.sql migrations (default path: sql/).

Options:
  --format <text|json|sarif|github>  output format (default: text)
  --rule <id>=<off|warn|error>       change a rule's severity (repeatable)
  --allow-destructive                allow statements that can lose data
  --config <file>                    settings file (default: ./${CONFIG_FILE} when present)
  --execute                          also apply each migration up, down and up on a scratch database and prove
                                     the down restores the schema (VERIFY_DATABASE_URL's server, else embedded)
  --drift                            compare DATABASE_URL's schema with what its applied migrations make (read-only)
  --no-cache                         neither read nor write the result cache
  --staged                           check the .sql files git has staged (their staged text), for pre-commit
  --list-rules                       list the rules and exit
  -h, --help                         show this help
  --version                          print the version

Exit codes: 0 no errors, 1 errors found, 2 usage error or unreadable path.
`;

interface Arguments {
  paths: string[];
  format: Format;
  ruleFlags: string[];
  allowDestructive: boolean;
  cache: boolean;
  staged: boolean;
  execute: boolean;
  drift: boolean;
  config?: string;
  listRules: boolean;
  help: boolean;
  version: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { paths: [], format: 'text', ruleFlags: [], allowDestructive: false, cache: true, staged: false, execute: false, drift: false, listRules: false, help: false, version: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new UsageError(`${flag} needs a value.`);
      return next;
    };
    switch (flag) {
      case '--format': {
        const format = value();
        if (!FORMATS.includes(format as Format)) throw new UsageError(`Unknown format "${format}": use ${FORMATS.join(', ')}.`);
        args.format = format as Format;
        break;
      }
      case '--rule':
        args.ruleFlags.push(value());
        break;
      case '--allow-destructive':
        args.allowDestructive = true;
        break;
      case '--execute':
        args.execute = true;
        break;
      case '--drift':
        args.drift = true;
        break;
      case '--staged':
        args.staged = true;
        break;
      case '--no-cache':
        args.cache = false;
        break;
      case '--config':
        args.config = value();
        break;
      case '--list-rules':
        args.listRules = true;
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      case '--version':
        args.version = true;
        break;
      default:
        if (arg.startsWith('-') && arg !== '-') throw new UsageError(`Unknown option ${arg} (see --help).`);
        args.paths.push(arg);
    }
  }
  return args;
}

function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

function listRules(): string {
  const lines = rules.map((r) => `${r.meta.name.padEnd(44)} ${r.meta.severity.padEnd(8)} ${r.meta.category.padEnd(14)} ${r.meta.description}`);
  const builtins = Object.entries(BUILTIN_RULES).map(([name, r]) => `${name.padEnd(44)} ${r.severity.padEnd(8)} ${'engine'.padEnd(14)} ${r.description}`);
  return `${[...lines, ...builtins].join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parseArguments(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (args.version) {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (args.listRules) {
    process.stdout.write(listRules());
    return 0;
  }
  const known = new Set([...rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES)]);
  const config = readConfigFile(args.config ?? join(process.cwd(), CONFIG_FILE), known, args.config !== undefined);
  const settings: Record<string, RuleSetting> = { ...config.rules };
  for (const flag of args.ruleFlags) {
    const [rule, setting] = parseRuleSetting(flag, known, '--rule');
    settings[rule] = setting;
  }
  let paths = args.paths;
  let contents: ReadonlyMap<string, string> | undefined;
  if (args.staged) {
    const staged = stagedSqlFiles(args.paths.length ? args.paths : ['.']);
    if (staged.paths.length === 0) {
      if (args.format === 'text') process.stdout.write('No staged migration files.\n');
      else process.stdout.write(render(args.format, [], 0));
      return 0;
    }
    paths = [...staged.paths];
    contents = staged.contents;
  }
  if (args.drift) {
    const drift = await runDrift(paths);
    process.stdout.write(render(args.format, drift.violations, 0, { differences: drift.differences }));
    return drift.violations.some((v) => v.severity === 'error') ? 1 : 0;
  }
  const result = await verify({ paths, contents, rules, settings, allowDestructive: args.allowDestructive || config.allowDestructive, cache: args.cache });
  let violations: readonly Violation[] = result.violations;
  let extra: Record<string, unknown> = {};
  let executedText = '';
  if (args.execute) {
    const progress = args.format === 'text' && process.stderr.isTTY === true;
    const executed = await runExecuted(paths, progress ? (k, n, name) => process.stderr.write(`\r\u001b[K[${k}/${n}] ${name}`) : undefined);
    if (progress) process.stderr.write('\r\u001b[K');
    violations = [...violations, ...executed.reports.flatMap((r) => r.violations)];
    extra = {
      locks: executed.reports.flatMap((r) => r.migrations.flatMap((m) => m.locks)),
      migrations: executed.reports.flatMap((r) => r.migrations.map((m) => ({ name: m.name, upMs: m.upMs, downMs: m.downMs ?? null, irreversible: m.irreversible, verdict: m.verdict, applied: m.applied }))),
      totalMs: executed.reports.reduce((sum, r) => sum + r.totalMs, 0),
      executed: executed.reports.map((r, i) => ({ layout: executed.layouts[i], checked: r.migrations.length, failed: r.failed, notRun: r.notRun, rebuilds: r.rebuilds, outside: r.outside })),
    };
    executedText = formatExecutionText(executed.reports.map((r, i) => ({ ...r, summary: executedSummary(r, executed.layouts[i]) })));
  }
  process.stdout.write(render(args.format, violations, result.files, extra));
  if (args.format === 'text' && executedText) process.stdout.write(executedText);
  return violations.some((v) => v.severity === 'error') ? 1 : 0;
}

/** Source lines for code frames, read from disk on demand (a cached run parsed nothing). */
function sourceLines(): (file: string, line: number) => string {
  const files = new Map<string, LineIndex | undefined>();
  return (file, line) => {
    if (!files.has(file)) {
      try {
        files.set(file, new LineIndex(readFileSync(file, 'utf8')));
      } catch {
        files.set(file, undefined);
      }
    }
    return files.get(file)?.lineText(line) ?? '';
  };
}

function render(format: Format, violations: readonly Violation[], files: number, extra: Record<string, unknown> = {}): string {
  switch (format) {
    case 'json':
      return formatJson(violations, files, extra);
    case 'sarif':
      return formatSarif(violations, rules.map((r) => ({ name: r.meta.name, description: r.meta.description, severity: r.meta.severity })), packageVersion());
    case 'github':
      return formatGithub(violations);
    default: {
      const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
      const differences = (extra.differences as readonly string[] | undefined) ?? [];
      const text = formatText(violations, { color, files, lineText: sourceLines() });
      return differences.length ? `${text}${differences.map((d) => `drift: ${d}`).join('\n')}\n` : text;
    }
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof UsageError || ['SCRATCH_DATABASE', 'DRIFT_TARGET'].includes((error as { code?: string })?.code ?? '');
    const message = known ? (error as Error).message : `Internal error: ${error instanceof Error ? error.message : String(error)}`;
    process.stderr.write(`verify-migrations: ${message}\n`);
    process.exitCode = 2;
  },
);
