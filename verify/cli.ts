#!/usr/bin/env node
// Thin: argv -> verify() -> format -> exit code. Exit 0: no error; 1: errors found; 2: usage error or unreadable path.
import { readFileSync } from 'node:fs';
import { readRegularFile } from '../core/regular-file.js';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';
import { MAX_MIGRATION_BYTES } from '../core/migrations/folder.js';
import module from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { verify, BUILTIN_RULES, UsageError } from './engine.js';
import { rules } from './rules/index.js';
import { CONFIG_FILE, parsePostgresVersion, parseRuleSetting, readConfigFile } from './config.js';
import { FORMATS, allViolations, render, type Format, type RuleDescriptor, type VerifyReport } from './report/index.js';
import type { RuleSetting, Violation } from './rule.js';
import { EXECUTED_RULES } from './execute/violations.js';
import { stagedSqlFiles } from './staged.js';
import { runDrift, runExecuted } from './executed-run.js';
import { executedSummary } from './execute/summary.js';
import { captureInputs, storeReport } from './report-store.js';
import { cacheDirectory } from './cache.js';
import { locksNewSinceLastReport } from './lock-record.js';
import { targetVersion } from './server-version.js';

// Node 22.1+ keeps compiled code between runs for the modules loaded lazily from here on (the parser, --execute);
// a no-op on Node 20, which lacks it.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const USAGE = `Usage: verify-migrations [options] [paths...]
       verify-migrations lsp [--stdio]     language server over stdio (see README, In the editor)

Checks paired <version>_<slug>.up.sql / .down.sql migrations (default path: sql/).

Options:
  --format <text|json|sarif|github>  output format (default: text)
  --rule <id>=<off|warn|error>       change a rule's severity (repeatable)
  --allow-destructive                allow statements that can lose data
  --config <file>                    settings file (default: ./${CONFIG_FILE} when present)
  --execute                          also apply each migration up, down and up on a scratch database and prove
                                     the down restores the schema (VERIFY_DATABASE_URL's server, else embedded)
  --locks <changed|all>              --execute's lock report: only the migrations new or changed since the last
                                     report (default), or every one
  --drift                            compare DATABASE_URL's schema (else the embedded server's) with what its applied
                                     migrations make, and print the DDL that would reconcile them (read-only)
  --fix                              rewrite what has one safe answer (CONCURRENTLY, IF [NOT] EXISTS, NOT VALID plus a
                                     validating migration, timestamptz, text with its CHECK); committed files untouched
  --fix-dry-run                      print those rewrites as a unified diff and change nothing
  --draft-down <up file>             print a down drafted from the up (make draft-down NAME=... writes it)
  --explain <rule | file[:line]>     print a rule's doc, or per statement of a file its locks, rewrites, scans, rules
  --pg-version <major>               the PostgreSQL version the migrations target (default: the config's, else
                                     DATABASE_URL's or VERIFY_DATABASE_URL's server's, else 15)
  --standbys                         the target primary has streaming standbys: warn where a lock replayed there
                                     cancels their reads (default: "standbys" in the config; make deploy detects it)
  --no-cache                         neither read nor write the result cache
  --staged                           check the .sql files git has staged (their staged text), for pre-commit
  --watch                            verify again on every change of the folders, until Ctrl-C
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
  watch: boolean;
  fix?: 'write' | 'dry-run';
  explain?: string;
  draftDown?: string;
  pgVersion?: string;
  standbys: boolean;
  execute: boolean;
  locks: 'changed' | 'all';
  drift: boolean;
  config?: string;
  listRules: boolean;
  help: boolean;
  version: boolean;
}

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { paths: [], format: 'text', ruleFlags: [], allowDestructive: false, cache: true, standbys: false, staged: false, watch: false, execute: false, locks: 'changed', drift: false, listRules: false, help: false, version: false };
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
      case '--locks': {
        const which = value();
        if (which !== 'changed' && which !== 'all') throw new UsageError(`--locks: "${which}" is not changed or all.`);
        args.locks = which;
        break;
      }
      case '--drift':
        args.drift = true;
        break;
      case '--staged':
        args.staged = true;
        break;
      case '--watch':
        args.watch = true;
        break;
      case '--fix':
        args.fix = 'write';
        break;
      case '--fix-dry-run':
        args.fix = 'dry-run';
        break;
      case '--explain':
        args.explain = value();
        break;
      case '--draft-down':
        args.draftDown = value();
        break;
      case '--pg-version':
        args.pgVersion = value();
        break;
      case '--standbys':
        args.standbys = true;
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

/** Every rule that can report, as --list-rules prints them and SARIF describes them. */
function listRules(): string {
  return `${ruleDescriptors().map((r) => `${r.id.padEnd(44)} ${r.severity.padEnd(8)} ${r.category.padEnd(14)} ${r.description}`).join('\n')}\n`;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'lsp') {
    (await import('./lsp/server.js')).startLanguageServer(argv.slice(1));
    return 0;
  }
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
  if (args.draftDown !== undefined) {
    const { runDraftDown, DraftDownError } = await import('./draft-down.js');
    try {
      process.stdout.write((await runDraftDown(dirname(args.draftDown) || '.', basename(args.draftDown), false)).draft.text);
    } catch (error) {
      if (error instanceof DraftDownError) throw new UsageError(error.message);
      throw error;
    }
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
  /** The report in the chosen format, and whether it holds an error. */
  const reportOf = (report: Omit<VerifyReport, 'tool' | 'root' | 'rules' | 'sources'>): { text: string; failed: boolean } => {
    const full: VerifyReport = { ...report, tool: { name: 'verify-migrations', version: packageVersion() }, root: process.cwd(), rules: ruleDescriptors(), sources: new Map() };
    const violations = allViolations(full);
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    // Only text (code frames) and SARIF (snippets) show source lines: the others need not read the files again.
    const sources = args.format === 'text' || args.format === 'sarif' ? verifiedTexts(violations, contents) : new Map<string, string>();
    const width = process.stdout.isTTY === true && process.stdout.columns ? process.stdout.columns : 100;
    return { text: render(args.format, { ...full, sources }, { color, width }), failed: violations.some((v) => v.severity === 'error') };
  };
  const output = (report: Omit<VerifyReport, 'tool' | 'root' | 'rules' | 'sources'>): number => {
    const { text, failed } = reportOf(report);
    process.stdout.write(text);
    return failed ? 1 : 0;
  };
  const flagVersion = args.pgVersion !== undefined ? parsePostgresVersion(args.pgVersion, '--pg-version') : undefined;
  // --drift runs no rule: it needs no target version.
  const target = args.drift ? undefined : await targetVersion(flagVersion, config.postgresVersion, process.env, args.cache ? cacheDirectory() : undefined);
  if (target?.note) process.stderr.write(`verify-migrations: ${target.note}\n`);
  const postgresVersion = target?.major;
  const verifyOptions = {
    rules,
    settings,
    allowDestructive: args.allowDestructive || config.allowDestructive,
    cache: args.cache,
    startsEmpty: config.startsEmpty,
    baselines: config.baselines,
    standbys: args.standbys || config.standbys === true,
    ...(postgresVersion !== undefined ? { postgresVersion } : {}),
  };
  if (args.explain !== undefined) {
    const { explainFile, explainRule, explainTarget } = await import('./explain.js');
    const target = explainTarget(args.explain);
    process.stdout.write('rule' in target ? explainRule(target.rule, rules) : await explainFile(target.file, target.line, rules, postgresVersion));
    return 0;
  }
  if (args.fix) {
    if (args.staged || args.execute || args.drift || args.watch) throw new UsageError('--fix cannot be combined with --staged, --execute, --drift or --watch.');
    return fix(args.fix, () => verify({ paths: args.paths, ...verifyOptions, cache: false }));
  }
  if (args.watch) {
    if (args.staged || args.execute || args.drift) throw new UsageError('--watch cannot be combined with --staged, --execute or --drift.');
    const { watch } = await import('./watch.js');
    return watch(args.paths, async () => {
      const result = await verify({ paths: args.paths, ...verifyOptions });
      return reportOf({ static: { files: result.files, layouts: result.layouts, violations: result.violations } }).text;
    });
  }
  if (args.staged) {
    const staged = stagedSqlFiles(args.paths.length ? args.paths : ['.']);
    if (staged.paths.length === 0) {
      if (args.format === 'text') process.stdout.write('No staged migration files.\n');
      else output({ static: { files: 0, layouts: [], violations: [] } });
      return 0;
    }
    paths = [...staged.paths];
    contents = staged.contents;
  }
  if (args.drift) {
    const drift = await runDrift(paths);
    return output({ drift: { differences: drift.differences, violations: drift.violations, reconcile: drift.reconcile } });
  }
  // What this run reads, captured before it reads it, so that the next identical run can print the stored report.
  const inputs = args.cache && !args.staged && !args.execute ? captureInputs(argv) : undefined;
  const result = await verify({ paths, contents, ...verifyOptions });
  const checked = { files: result.files, layouts: result.layouts, violations: result.violations };
  if (!args.execute) {
    const { text, failed } = reportOf({ static: checked });
    process.stdout.write(text);
    // A manifest mismatch is worded by what git has committed, which the store does not watch.
    if (inputs && !checked.violations.some((v) => v.rule === 'manifest-mismatch')) storeReport(inputs, text, failed ? 1 : 0);
    return failed ? 1 : 0;
  }
  const progress = args.format === 'text' && process.stderr.isTTY === true;
  const executed = await runExecuted(paths, progress ? (k, n, name) => process.stderr.write(`\r\u001b[K[${k}/${n}] ${name}`) : undefined, config.baselines);
  if (progress) process.stderr.write('\r\u001b[K');
  const runs = executed.reports.map((report, i) => ({ ...report, layout: executed.layouts[i], summary: executedSummary(report, executed.layouts[i]) }));
  if (args.locks === 'all' || !args.cache) return output({ static: checked, executed: { runs } });
  // Only what is new since the last report; the record lives beside the result cache.
  const selection = locksNewSinceLastReport(runs.flatMap((r) => r.migrations), cacheDirectory());
  const code = output({ static: checked, executed: { runs, locksShown: selection.shown } });
  selection.save();
  return code;
}

/** Every rule that can report, for SARIF's descriptors: the rules, the engine's own checks, the executed ones. */
function ruleDescriptors(): RuleDescriptor[] {
  return [
    ...rules.map((r) => ({ id: r.meta.name, description: r.meta.description, severity: r.meta.severity, category: r.meta.category, help: Object.values(r.meta.help ?? {}), doc: `verify/rules/${r.meta.name}.md` })),
    ...Object.entries(BUILTIN_RULES).map(([id, r]) => ({ id, description: r.description, severity: r.severity, category: 'engine', help: [] })),
    ...Object.entries(EXECUTED_RULES).map(([id, r]) => ({ id, description: r.description, severity: 'error' as const, category: 'executed', help: [r.help], doc: `verify/execute/${id}.md` })),
  ];
}

/** The text of each file a violation points into, as it was verified: the staged text under --staged, else the disk's. */
function verifiedTexts(violations: readonly Violation[], contents: ReadonlyMap<string, string> | undefined): Map<string, string> {
  const texts = new Map<string, string>();
  for (const { file, line } of violations) {
    if (line < 1 || texts.has(file)) continue;
    const staged = contents?.get(resolve(file));
    if (staged !== undefined) texts.set(file, staged);
    else {
      try {
        texts.set(file, readRegularFile(file, { maxBytes: MAX_MIGRATION_BYTES }).toString('utf8'));
      } catch {
        // Unreadable, not a regular file, or too large to verify (reported as such): no code frame.
      }
    }
  }
  return texts;
}

exitQuietlyOnClosedPipe();
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

/** --fix / --fix-dry-run: plan the safe rewrites, then write them (or print them as a diff); exit 1 while errors remain. */
async function fix(mode: 'write' | 'dry-run', check: () => ReturnType<typeof verify>): Promise<number> {
  const result = await check();
  const { fixedFiles, planFixes, unifiedDiff, writeFixedFiles } = await import('./fix/index.js');
  const { committedFiles } = await import('./staged.js');
  const committed = new Map<string, ReadonlySet<string> | undefined>();
  const isCommitted = (path: string): boolean => {
    const folder = dirname(resolve(path));
    if (!committed.has(folder)) committed.set(folder, committedFiles(folder));
    return committed.get(folder)?.has(basename(path)) ?? false;
  };
  const plan = planFixes(result.migrations, result.violations, { isCommitted });
  const files = fixedFiles(plan);
  if (mode === 'dry-run') {
    process.stdout.write(files.map((file) => unifiedDiff(file)).join(''));
  } else {
    const { written, skipped } = writeFixedFiles(files);
    for (const path of written) process.stdout.write(`fixed ${path}\n`);
    for (const path of skipped) process.stderr.write(`verify-migrations: ${path} already exists, so it was not written: run --fix again after renaming it\n`);
    if (plan.created.length) process.stdout.write('new migrations were written: run make sum to record them\n');
  }
  for (const v of plan.committed) process.stderr.write(`verify-migrations: ${v.file}:${v.line}:${v.column}: ${v.rule} not fixed: git has committed the file, and a merged migration never changes (write a new one)\n`);
  // What is left is what the verifier says of the files as they now stand.
  const left = (mode === 'write' && plan.fixed.length > 0 ? await check() : result).violations.filter((v) => v.severity === 'error').length;
  const count = `${plan.fixed.length} finding${plan.fixed.length === 1 ? '' : 's'}`;
  process.stdout.write(`${mode === 'dry-run' ? `${count} would be fixed` : `${count} fixed`}; ${left} error${left === 1 ? '' : 's'} ${mode === 'dry-run' ? 'as the files stand' : 'left'}.\n`);
  return left > 0 ? 1 : 0;
}
