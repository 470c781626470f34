// Benchmark: whole-process wall time and peak RSS of our verifier against squawk's native binary and pgfence,
// interleaved round-robin on the same files, medians over several iterations; plus scaling and the parse-only floor.
// Usage: node dist/bench/bench.js [--quick] [--corpus <dir>]... [--iterations <n>] [--sizes 100,400,...]
//        [--ours '<label>=<args>']... (node:<flag> tokens go to node) [--baseline <built tree>] [--skip squawk,pgfence,floor,lsp] [--profile] [--json <file>]
// Ends with the targets of issue 15 (speed to the floor): each with its limit, the measured value and whether it holds.
// --baseline adds a row for another build of ours (e.g. `git archive HEAD | tar -x -C /tmp/base`, link node_modules, tsc).
// Env: BENCH_OURS_ARGS adds arguments to every run of ours (e.g. '--format json').
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateHistory } from './generate-history.js';
import { cleanupScratch, measure, median, percentile, rssMethod, table, type Command, type RunResult } from './measure.js';
import { formatProfileSummary, readProfile, summarizeProfile } from './profile.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const BENCH_DIR = join(ROOT, '.bench');
// The command as installed (package.json's bin): the bundle `make build` writes (scripts/bundle.ts).
const OURS_CLI = join(ROOT, 'dist/verify/verify-migrations.mjs');
const LSP_EDIT = join(ROOT, 'dist/bench/lsp-edit.js');
const FLOOR = join(ROOT, 'dist/bench/parse-floor.js');
const SQUAWK = join(ROOT, 'node_modules/@squawk-cli/linux-x64/bin/squawk');
const PGFENCE = join(ROOT, 'node_modules/@flvmnt/pgfence', pgfenceBin());
const SEED = 20260105;
const NODE_ROW = 'node -e 0 (bare node, same rounds)';
const NODE = process.execPath;

interface Options {
  quick: boolean;
  corpora: string[];
  sizes: number[];
  iterations?: number;
  ours: Variant[];
  skip: Set<string>;
  profile: boolean;
  json?: string;
  baseline?: string;
}

/** One way of running a tool. `before` runs untimed just before each timed run (e.g. edit a file for a warm-cache run). */
interface Variant {
  readonly label: string;
  readonly family: 'ours' | 'squawk' | 'pgfence' | 'floor' | 'floor-one' | 'fixed';
  readonly command: (corpus: Corpus) => Command;
  /** undefined when the output shows the tool did its job on every file, else what is wrong. */
  readonly check: (result: RunResult, corpus: Corpus) => string | undefined;
  readonly before?: (corpus: Corpus, iteration: number) => void;
}

interface Corpus {
  readonly name: string;
  readonly dir: string;
  readonly pairs: number | undefined;
  readonly files: readonly string[];
  readonly bytes: number;
  /** Original text of the file that warm runs edit, restored at the end. */
  restore?: () => void;
}

interface Row {
  readonly label: string;
  readonly family: Variant['family'];
  readonly ms: number[];
  readonly rssKb: number[];
  readonly cpuS: number[];
  problem?: string;
  /** Extra data from the check run (the floor's in-process timings). */
  detail?: Record<string, number>;
}

function pgfenceBin(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'node_modules/@flvmnt/pgfence/package.json'), 'utf8')) as { bin?: string | Record<string, string> };
    return typeof pkg.bin === 'string' ? pkg.bin : (pkg.bin?.pgfence ?? 'dist/index.js');
  } catch {
    return 'dist/index.js';
  }
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { quick: false, corpora: [], sizes: [100, 400, 1000, 10000], ours: [], skip: new Set(), profile: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value.`);
      return next;
    };
    switch (arg) {
      case '--quick':
        options.quick = true;
        break;
      case '--corpus':
        options.corpora.push(resolve(value()));
        break;
      case '--sizes':
        options.sizes = value().split(',').map(Number).filter((n) => n > 0);
        break;
      case '--iterations':
        options.iterations = Math.max(1, Number(value()));
        break;
      case '--ours': {
        const spec = value();
        const eq = spec.indexOf('=');
        const label = eq < 0 ? spec : spec.slice(0, eq);
        const tokens = eq < 0 ? [] : spec.slice(eq + 1).split(/\s+/).filter(Boolean);
        // Tokens written node:<flag> go to node itself, e.g. --ours 'liftoff=node:--liftoff-only --no-cache'.
        const nodeFlags = tokens.filter((t) => t.startsWith('node:')).map((t) => t.slice(5));
        options.ours.push(oursVariant(label, tokens.filter((t) => !t.startsWith('node:')), undefined, OURS_CLI, nodeFlags));
        break;
      }
      case '--skip':
        for (const name of value().split(',')) options.skip.add(name.trim());
        break;
      case '--profile':
        options.profile = true;
        break;
      case '--json':
        options.json = resolve(value());
        break;
      case '--baseline':
        options.baseline = resolve(value());
        break;
      case '-h':
      case '--help':
        process.stdout.write(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').slice(2, 6).map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
        process.exit(0);
        break;
      default:
        throw new Error(`Unknown option ${arg} (see --help).`);
    }
  }
  // --quick: the 400-pair history the targets are judged on, and sql/.
  if (options.quick) options.sizes = options.sizes.includes(400) ? [400] : options.sizes.filter((n) => n < 10000);
  return options;
}

// ---- tools

const EXTRA_OURS_ARGS = (process.env.BENCH_OURS_ARGS ?? '').split(/\s+/).filter(Boolean);

function oursVariant(label: string, args: readonly string[], before?: Variant['before'], cli = OURS_CLI, nodeFlags: readonly string[] = []): Variant {
  return {
    label,
    family: 'ours',
    command: (corpus) => ({ command: NODE, args: [...nodeFlags, cli, ...args, ...EXTRA_OURS_ARGS, '.'], cwd: corpus.dir }),
    check: (result, corpus) => {
      if (result.code !== 0 && result.code !== 1) return `exit ${result.code}: ${firstLine(result.stderr || result.stdout)}`;
      const match = /(\d+) files? checked/.exec(result.stdout);
      if (!match) return EXTRA_OURS_ARGS.length ? undefined : `no "N files checked" summary: ${firstLine(result.stdout)}`;
      return Number(match[1]) === corpus.files.length ? undefined : `read ${match[1]} of ${corpus.files.length} files`;
    },
    ...(before ? { before } : {}),
  };
}

/** Once the CLI has --no-cache: cold, warm after editing the newest up file, and warm with nothing changed. */
function defaultOursVariants(): Variant[] {
  const help = spawnSync(NODE, [OURS_CLI, '--help'], { encoding: 'utf8' }).stdout ?? '';
  if (!help.includes('--no-cache')) return [oursVariant('ours', [])];
  const editNewest = (corpus: Corpus, iteration: number): void => {
    const newest = newestUp(corpus);
    if (!newest) return;
    const path = join(corpus.dir, newest);
    const original = readFileSync(path, 'utf8');
    corpus.restore ??= () => writeFileSync(path, original);
    writeFileSync(path, `${original}-- bench edit ${iteration} ${Date.now()}\n`);
  };
  return [
    oursVariant('ours cold (--no-cache)', ['--no-cache']),
    oursVariant('ours warm (newest file changed)', [], editNewest),
    oursVariant('ours warm (nothing changed)', []),
  ];
}

function squawkVariants(): Variant[] {
  const checked = (result: RunResult, corpus: Corpus): string | undefined => {
    if (result.code !== 0 && result.code !== 1) return `exit ${result.code}: ${firstLine(result.stderr)}`;
    const match = /checked (\d+) source files?/.exec(result.stdout);
    if (!match) return `no "checked N source files" summary: ${firstLine(result.stderr || result.stdout)}`;
    return Number(match[1]) === corpus.files.length ? undefined : `read ${match[1]} of ${corpus.files.length} files`;
  };
  return [
    // squawk expands the glob itself; its default (tty) reporter ends with "checked N source files".
    { label: 'squawk (native, tty reporter)', family: 'squawk', command: (c) => ({ command: SQUAWK, args: ['*.sql'], cwd: c.dir }), check: checked },
    {
      label: 'squawk (native, gcc reporter)',
      family: 'squawk',
      command: (c) => ({ command: SQUAWK, args: ['--reporter', 'gcc', '*.sql'], cwd: c.dir }),
      check: (result) => (result.code === 0 || result.code === 1 ? undefined : `exit ${result.code}: ${firstLine(result.stderr)}`),
    },
  ];
}

function pgfenceVariant(): Variant {
  return {
    label: 'pgfence',
    family: 'pgfence',
    // pgfence does no globbing: it takes file names (relative, to keep argv short).
    command: (c) => ({ command: NODE, args: [PGFENCE, 'analyze', '--format', 'sql', ...c.files], cwd: c.dir }),
    check: (result, corpus) => {
      if (result.code !== 0 && result.code !== 1) return `exit ${result.code}: ${firstLine(result.stderr || result.stdout)}`;
      const seen = result.stdout.match(/^\s+\S+\.sql\s+\[[A-Z]+\]/gm)?.length ?? 0;
      return seen === corpus.files.length ? undefined : `reported ${seen} of ${corpus.files.length} files`;
    },
  };
}

/**
 * The parse floor for the newest up file alone: node, libpg-query's import and WASM, one parse, with the one V8 flag
 * ours sets (--liftoff-only; without it V8's optimizing compile of the parser keeps the process ~70 ms longer).
 */
function oneFileFloorVariant(): Variant {
  return {
    label: 'parse floor, newest up file only (--liftoff-only)',
    family: 'floor-one',
    command: (c) => ({ command: NODE, args: ['--liftoff-only', FLOOR, '.', '--only', newestUp(c) ?? ''], cwd: c.dir }),
    check: (result) => floorProblem(result, 1),
  };
}

function floorVariant(): Variant {
  return {
    label: 'parse floor (libpg-query parseSync only)',
    family: 'floor',
    command: (c) => ({ command: NODE, args: [FLOOR, '.'], cwd: c.dir }),
    check: (result, corpus) => floorProblem(result, corpus.files.length),
  };
}

/** What is wrong with a parse-floor run that should have parsed `files` files, or undefined. */
function floorProblem(result: RunResult, files: number): string | undefined {
  try {
    const data = JSON.parse(result.stdout) as { files: number };
    return data.files === files ? undefined : `parsed ${data.files} of ${files} files`;
  } catch {
    return `no JSON: ${firstLine(result.stderr || result.stdout)}`;
  }
}

/** The corpus's newest up file (the one a warm run's edit touches). */
function newestUp(corpus: Corpus): string | undefined {
  return [...corpus.files].filter((f) => f.endsWith('.up.sql')).sort().pop();
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim()) ?? '').slice(0, 160);
}

// ---- corpora

function prepareCorpora(options: Options): Corpus[] {
  const out: Corpus[] = [];
  // Corpora are copies: the warm-cache row edits a file, and sql/ is the real chain that others use meanwhile.
  const copy = (from: string, name: string): string => {
    const dir = join(BENCH_DIR, 'corpora', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const file of readdirSync(from).filter((f) => f.endsWith('.sql'))) copyFileSync(join(from, file), join(dir, file));
    return dir;
  };
  if (options.corpora.length) {
    for (const dir of options.corpora) out.push(corpusOf(basename(dir), copy(dir, `custom-${basename(dir)}`), undefined));
    return out;
  }
  out.push(corpusOf('sql/ (repo)', copy(join(ROOT, 'sql'), 'repo-sql'), undefined));
  for (const pairs of options.sizes) {
    const dir = join(BENCH_DIR, 'corpora', `pairs-${pairs}`);
    rmSync(dir, { recursive: true, force: true });
    generateHistory(dir, pairs, SEED);
    out.push(corpusOf(`generated ${pairs} pairs`, dir, pairs));
  }
  return out;
}

function corpusOf(name: string, dir: string, pairs: number | undefined): Corpus {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const bytes = files.reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
  return { name, dir, pairs: pairs ?? Math.ceil(files.filter((f) => f.endsWith('.up.sql')).length), files, bytes };
}

function iterationsFor(corpus: Corpus, options: Options): number {
  if (options.iterations) return options.iterations;
  if (options.quick) return 3;
  return corpus.files.length > 5000 ? 3 : corpus.files.length > 1000 ? 7 : 10;
}

// ---- running

async function runInterleaved(corpus: Corpus, variants: readonly Variant[], iterations: number, log: (line: string) => void): Promise<Row[]> {
  const rows: Row[] = variants.map((v) => ({ label: v.label, family: v.family, ms: [], rssKb: [], cpuS: [] }));
  // Round 0 is a warm-up (page cache, compile cache, result cache) and the check that each tool read every file.
  for (let round = 0; round <= iterations; round++) {
    for (const [i, variant] of variants.entries()) {
      const row = rows[i]!;
      if (row.problem) continue;
      variant.before?.(corpus, round);
      let result: RunResult;
      try {
        result = await measure(variant.command(corpus));
      } catch (error) {
        row.problem = `cannot start: ${error instanceof Error ? error.message : String(error)}`;
        log(`  ${variant.label}: ${row.problem} (left out)`);
        continue;
      }
      if (round === 0) {
        row.problem = variant.check(result, corpus);
        if (row.problem) log(`  ${variant.label}: ${row.problem} (left out)`);
        if (variant.family === 'floor' && !row.problem) row.detail = await floorDetail(corpus);
        continue;
      }
      row.ms.push(result.ms);
      if (result.rssKb !== undefined) row.rssKb.push(result.rssKb);
      if (result.cpuS !== undefined) row.cpuS.push(result.cpuS);
    }
  }
  corpus.restore?.();
  return rows;
}

/** The floor's in-process split (import, WASM load, read, parse, and scan for comparison), from one extra run. */
async function floorDetail(corpus: Corpus): Promise<Record<string, number>> {
  const result = await measure({ command: NODE, args: [FLOOR, '.', '--scan'], cwd: corpus.dir });
  try {
    return JSON.parse(result.stdout) as Record<string, number>;
  } catch {
    return {};
  }
}

// ---- reporting

const f0 = (x: number): string => x.toFixed(0);
const f1 = (x: number): string => x.toFixed(1);
const f2 = (x: number): string => x.toFixed(2);
const mb = (kb: number[]): string => (kb.length ? f1(median(kb) / 1024) : '—');

function corpusTable(rows: readonly Row[]): string {
  return table(
    ['tool', 'median ms', 'p90 ms', 'min ms', 'CPU ms', 'peak RSS MB', 'runs'],
    rows.map((r) =>
      r.problem
        ? [r.label, '—', '—', '—', '—', '—', `left out: ${r.problem}`]
        : [r.label, f0(median(r.ms)), f0(percentile(r.ms, 90)), f0(Math.min(...r.ms)), r.cpuS.length ? f0(median(r.cpuS) * 1000) : '—', mb(r.rssKb), String(r.ms.length)],
    ),
  );
}

function ratioLines(rows: readonly Row[]): string[] {
  const ok = rows.filter((r) => !r.problem && r.ms.length);
  const ours = ok.filter((r) => r.family === 'ours');
  const others = ok.filter((r) => r.family === 'squawk' || r.family === 'pgfence' || r.family === 'floor');
  const lines: string[] = [];
  for (const o of ours) {
    for (const other of others) {
      const t = median(o.ms) / median(other.ms);
      const m = o.rssKb.length && other.rssKb.length ? median(o.rssKb) / median(other.rssKb) : NaN;
      const c = o.cpuS.length && other.cpuS.length ? median(o.cpuS) / median(other.cpuS) : NaN;
      const x = (v: number): string => (Number.isNaN(v) || !Number.isFinite(v) ? '—' : `${f2(v)}×`);
      lines.push(`  ${o.label} / ${other.label}: wall ${x(t)}, CPU ${x(c)}, peak RSS ${x(m)}`);
    }
  }
  return lines;
}

function gitState(): string {
  try {
    const quiet = { cwd: ROOT, encoding: 'utf8' as const, stdio: ['ignore', 'pipe', 'ignore'] as ['ignore', 'pipe', 'ignore'] };
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], quiet).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'verify'], quiet).trim() ? ' (verify/ has uncommitted changes)' : '';
    return `${head}${dirty}`;
  } catch {
    return 'not a git checkout';
  }
}

function versionOf(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  return (result.stdout || result.stderr || '').trim().split('\n')[0] ?? '?';
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  for (const [path, what] of [[OURS_CLI, 'run `make build` (tsc, then node dist/scripts/bundle.js) first'], [FLOOR, 'run `npx tsc -p .` first']] as const) {
    if (!existsSync(path)) throw new Error(`${path} is missing: ${what}.`);
  }
  mkdirSync(BENCH_DIR, { recursive: true });
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  const cpu = cpus();
  log(`# verify-migrations benchmark`);
  const loadBefore = loadAverage();
  log(`node ${process.version}; ${cpu.length} × ${cpu[0]?.model ?? '?'}; load average ${loadBefore}`);
  log(`ours: ${gitState()}; squawk: ${existsSync(SQUAWK) ? versionOf(SQUAWK, ['--version']) : 'missing'}; pgfence: ${existsSync(PGFENCE) ? versionOf(NODE, [PGFENCE, '--version']) : 'missing'}`);
  if (!existsSync(SQUAWK)) log(`squawk: its native binary (${SQUAWK}) is not installed: npm installs it from squawk-cli's optional dependency @squawk-cli/linux-x64, which an offline or --omit=optional install lacks; the squawk targets are then judged against nothing and say so`);
  log(`peak RSS via ${rssMethod() === 'gnu-time' ? '/usr/bin/time -f %M' : 'polling /proc/<pid>/status VmHWM every 5 ms (no GNU time)'}; wall time = spawn to exit, measured by this process`);
  if (EXTRA_OURS_ARGS.length) log(`BENCH_OURS_ARGS: ${EXTRA_OURS_ARGS.join(' ')}`);

  const ours = [...defaultOursVariants(), ...options.ours];
  if (options.baseline) {
    const cli = join(options.baseline, 'dist/verify/cli.js');
    if (!existsSync(cli)) throw new Error(`${cli} is missing: build the baseline tree first.`);
    const noCache = (spawnSync(NODE, [cli, '--help'], { encoding: 'utf8' }).stdout ?? '').includes('--no-cache');
    ours.push(oursVariant(`ours baseline ${basename(options.baseline)}${noCache ? ' (--no-cache)' : ''}`, noCache ? ['--no-cache'] : [], undefined, cli));
  }
  const variants: Variant[] = [...ours];
  if (!options.skip.has('squawk')) {
    if (existsSync(SQUAWK)) variants.push(...squawkVariants());
    else log(`squawk: native binary ${SQUAWK} not found, left out`);
  }
  if (!options.skip.has('pgfence')) {
    if (existsSync(PGFENCE)) variants.push(pgfenceVariant());
    else log(`pgfence: ${PGFENCE} not found, left out`);
  }
  if (!options.skip.has('floor')) variants.push(floorVariant(), oneFileFloorVariant());
  // Bare node in the same rounds: the warm target is relative to it.
  variants.push({ label: NODE_ROW, family: 'fixed', command: (c) => ({ command: NODE, args: ['-e', '0'], cwd: c.dir }), check: (r) => (r.code === 0 ? undefined : `exit ${r.code}`) });

  const started = Date.now();
  const corpora = prepareCorpora(options);
  log(`corpora ready in ${f1((Date.now() - started) / 1000)} s`);

  // Fixed costs: what every run pays before reading a file.
  const fixedCorpus = corpora[0]!;
  const fixed: Variant[] = [
    { label: 'node -e 0 (bare node start)', family: 'fixed', command: (c) => ({ command: NODE, args: ['-e', '0'], cwd: c.dir }), check: (r) => (r.code === 0 ? undefined : `exit ${r.code}`) },
    { label: 'ours --version (node + all modules, no WASM)', family: 'fixed', command: (c) => ({ command: NODE, args: [OURS_CLI, '--version'], cwd: c.dir }), check: (r) => (r.code === 0 ? undefined : `exit ${r.code}`) },
    ...(existsSync(SQUAWK) && !options.skip.has('squawk') ? [{ label: 'squawk --version', family: 'fixed' as const, command: (c: Corpus) => ({ command: SQUAWK, args: ['--version'], cwd: c.dir }), check: (r: RunResult) => (r.code === 0 ? undefined : `exit ${r.code}`) }] : []),
  ];
  log('\n## Fixed costs (no files read)');
  const fixedRows = await runInterleaved(fixedCorpus, fixed, options.quick ? 5 : 10, log);
  log(corpusTable(fixedRows));

  const results: Array<{ corpus: Corpus; rows: Row[] }> = [];
  for (const corpus of corpora) {
    const iterations = iterationsFor(corpus, options);
    log(`\n## ${corpus.name}: ${corpus.files.length} files, ${f1(corpus.bytes / 1024)} KiB, ${iterations} interleaved iterations`);
    const rows = await runInterleaved(corpus, variants, iterations, log);
    results.push({ corpus, rows });
    log(corpusTable(rows));
    const ratios = ratioLines(rows);
    if (ratios.length) log(`Ratios (medians; below 1 means ours is faster or smaller):\n${ratios.join('\n')}`);
  }

  log('\n## Scaling of ours (median of each ours variant; MB/s over the bytes of the .sql files)');
  const scaling: string[][] = [];
  for (const { corpus, rows } of results) {
    for (const row of rows.filter((r) => r.family === 'ours' && !r.problem && r.ms.length)) {
      const ms = median(row.ms);
      scaling.push([row.label, corpus.pairs !== undefined ? String(corpus.pairs) : '—', String(corpus.files.length), String(corpus.bytes), f0(ms), row.cpuS.length ? f0(median(row.cpuS) * 1000) : '—', f2(ms / corpus.files.length), f2(corpus.bytes / 1e6 / (ms / 1000)), mb(row.rssKb)]);
    }
  }
  log(table(['variant', 'pairs', 'files', 'bytes', 'median ms', 'CPU ms', 'ms/file', 'MB/s', 'peak RSS MB'], scaling));

  log('\n## Parse-only floor (one process: import libpg-query, load WASM, read and parseSync every file)');
  const floorRows: string[][] = [];
  for (const { corpus, rows } of results) {
    const floor = rows.find((r) => r.family === 'floor' && !r.problem && r.ms.length);
    const first = rows.find((r) => r.family === 'ours' && !r.problem && r.ms.length);
    if (!floor) continue;
    const d = floor.detail ?? {};
    floorRows.push([
      corpus.name,
      String(corpus.files.length),
      f0(median(floor.ms)),
      mb(floor.rssKb),
      f1(d.importMs ?? NaN),
      f1(d.wasmLoadMs ?? NaN),
      f1(d.readMs ?? NaN),
      f1(d.parseMs ?? NaN),
      f1(d.scanMs ?? NaN),
      first ? f2(median(first.ms) / median(floor.ms)) : '—',
    ]);
  }
  log(table(['corpus', 'files', 'process median ms', 'peak RSS MB', 'import ms', 'WASM load ms', 'read ms', 'parseSync ms', '(scanSync ms)', `${ours[0]!.label} / floor`], floorRows));
  log('In-process figures come from one extra run with --scan; scanSync is what our parse.ts adds per file for comments and offsets.');

  if (options.json) {
    writeFileSync(options.json, JSON.stringify({ fixed: fixedRows, results: results.map(({ corpus, rows }) => ({ corpus: { ...corpus, files: corpus.files.length, restore: undefined }, rows })) }, null, 2));
    log(`\nRaw timings written to ${options.json}`);
  }

  const lsp = options.skip.has('lsp') ? undefined : await lspEdit(options, log);
  log(`\n${targets(results, lsp, options, loadBefore, log)}`);

  if (options.profile) await profile(results.map((r) => r.corpus), log);
  cleanupScratch();
  log(`\nTotal ${f1((Date.now() - started) / 1000)} s.`);
}

/** CPU-profile ours once on the 400-pair and the 10,000-pair corpora (or on each --corpus), then summarize. */
async function profile(corpora: readonly Corpus[], log: (line: string) => void): Promise<void> {
  const chosen = corpora.filter((c) => c.pairs === 400 || c.pairs === 10000);
  const targets = chosen.length ? chosen : corpora.filter((c) => c.files.length > 0).slice(-1);
  const dir = join(BENCH_DIR, 'profiles');
  mkdirSync(dir, { recursive: true });
  for (const corpus of targets) {
    const name = `ours-${corpus.pairs ?? basename(corpus.dir)}.cpuprofile`;
    rmSync(join(dir, name), { force: true });
    // Profile the full work: without the result cache when the CLI has one.
    const help = spawnSync(NODE, [OURS_CLI, '--help'], { encoding: 'utf8' }).stdout ?? '';
    const command = oursVariant('profile', help.includes('--no-cache') ? ['--no-cache'] : []).command(corpus);
    const result = spawnSync(NODE, ['--cpu-prof', '--cpu-prof-interval', '250', '--cpu-prof-dir', dir, '--cpu-prof-name', name, ...command.args], { cwd: corpus.dir, encoding: 'utf8', maxBuffer: 1 << 30 });
    log(`\n## CPU profile of ours ${command.args.slice(1).join(' ')} on ${corpus.name} (${join('.bench/profiles', name)}; exit ${result.status})`);
    if (!existsSync(join(dir, name))) {
      log(`no profile written: ${firstLine(result.stderr)}`);
      continue;
    }
    log(formatProfileSummary(summarizeProfile(readProfile(join(dir, name)), 25)));
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});


function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

interface LspFigures {
  readonly editNewestMedianMs: number;
  readonly editNewestP90Ms: number;
  readonly files: number;
}

/** The language server's edit-to-diagnostics time on the 400-pair history (bench/lsp-edit.ts, through the protocol). */
async function lspEdit(options: Options, log: (line: string) => void): Promise<LspFigures | undefined> {
  if (!existsSync(LSP_EDIT)) return undefined;
  const json = join(BENCH_DIR, 'lsp-edit.json');
  rmSync(json, { force: true });
  log('\n## Language server (bench/lsp-edit.ts: keystrokes on the newest up of a 400-pair history, each timed to its diagnostics)');
  const result = await measure({ command: NODE, args: [LSP_EDIT, '--pairs', '400', '--edits', options.quick ? '60' : '200', '--json', json], cwd: ROOT });
  log(result.stdout.trimEnd() || `lsp-edit failed (exit ${result.code}): ${firstLine(result.stderr)}`);
  try {
    return JSON.parse(readFileSync(json, 'utf8')) as LspFigures;
  } catch {
    return undefined;
  }
}

/** Issue 15's targets, each with its limit, the measured value (wall medians, CPU in brackets) and whether it holds. */
function targets(results: ReadonlyArray<{ corpus: Corpus; rows: Row[] }>, lsp: LspFigures | undefined, options: Options, loadBefore: string, log: (line: string) => void): string {
  void log;
  const main = results.find((r) => r.corpus.pairs === 400 && r.corpus.name.startsWith('generated')) ?? [...results].sort((a, b) => b.corpus.files.length - a.corpus.files.length)[0];
  const rowOf = (rows: readonly Row[] | undefined, label: string | ((r: Row) => boolean)): Row | undefined =>
    rows?.find((r) => (typeof label === 'string' ? r.label === label : label(r)) && !r.problem && r.ms.length > 0);
  const wall = (r: Row | undefined): number => (r ? median(r.ms) : NaN);
  const cpu = (r: Row | undefined): number => (r && r.cpuS.length ? median(r.cpuS) * 1000 : NaN);
  const ms = (r: Row | undefined): string => (r ? `${f0(wall(r))} ms${Number.isNaN(cpu(r)) ? '' : ` (CPU ${f0(cpu(r))})`}` : '—');
  const rows = main?.rows;
  const cold = rowOf(rows, 'ours cold (--no-cache)');
  const changed = rowOf(rows, 'ours warm (newest file changed)');
  const unchanged = rowOf(rows, 'ours warm (nothing changed)');
  const node = rowOf(rows, NODE_ROW);
  const squawk = rowOf(rows, 'squawk (native, tty reporter)');
  const floor = rowOf(rows, (r) => r.family === 'floor');
  const oneFileFloor = rowOf(rows, (r) => r.family === 'floor-one');
  const holds = (ok: boolean | undefined): string => (ok === undefined ? 'not measured' : ok ? 'holds' : 'DOES NOT HOLD');
  const ratio = (a: Row | undefined, b: Row | undefined): string => (a && b ? `${f2(wall(a) / wall(b))}×${Number.isNaN(cpu(a) / cpu(b)) ? '' : ` (CPU ${f2(cpu(a) / cpu(b))}×)`}` : '—');
  const noSquawk = existsSync(SQUAWK) && !options.skip.has('squawk') ? 'squawk left out' : 'squawk native binary not installed';
  const lines: string[][] = [];
  const add = (target: string, limit: string, measured: string, ok: boolean | undefined): void => void lines.push([target, limit, measured, holds(ok)]);

  add('LSP: diagnostics after an edit to the newest file (median)', '≤ 20 ms', lsp ? `${f1(lsp.editNewestMedianMs)} ms (p90 ${f1(lsp.editNewestP90Ms)})` : options.skip.has('lsp') ? '— (--skip lsp)' : '— (lsp-edit failed)', lsp ? lsp.editNewestMedianMs <= 20 : undefined);
  add('CLI warm, nothing changed − node -e 0', '≤ 15 ms', unchanged && node ? `${f0(wall(unchanged) - wall(node))} ms: ${ms(unchanged)} − ${ms(node)}` : '—', unchanged && node ? wall(unchanged) - wall(node) <= 15 : undefined);
  add('CLI warm, nothing changed / squawk', '≤ 1.0×', squawk ? `${ratio(unchanged, squawk)}: ${ms(unchanged)} / ${ms(squawk)}` : `— (${noSquawk})`, unchanged && squawk ? wall(unchanged) <= wall(squawk) : undefined);
  add('CLI warm, newest file changed / squawk', '≤ 1.5×', squawk ? `${ratio(changed, squawk)}: ${ms(changed)} / ${ms(squawk)}` : `— (${noSquawk})`, changed && squawk ? wall(changed) <= 1.5 * wall(squawk) : undefined);
  // Not a target: what node and libpg-query alone cost to re-check one file, against the same limit.
  if (oneFileFloor && squawk) lines.push(['(its floor: node + libpg-query, Liftoff only, parsing the one changed file) / squawk', '—', `${ratio(oneFileFloor, squawk)}: ${ms(oneFileFloor)} / ${ms(squawk)}`, 'for reference']);
  add('CLI cold / parse floor (libpg-query alone)', '≤ 1.15×', floor ? `${ratio(cold, floor)}: ${ms(cold)} / ${ms(floor)}` : '— (floor left out)', cold && floor ? wall(cold) <= 1.15 * wall(floor) : undefined);

  // Linear: the cost per file at 10,000 pairs stays within 1.2× its cost at 1,000 (less a fixed start), RSS < 300 MB.
  const at = (pairs: number): Row | undefined => rowOf(results.find((r) => r.corpus.pairs === pairs && r.corpus.name.startsWith('generated'))?.rows, 'ours cold (--no-cache)');
  const [small, mid, big] = [at(100), at(1000), at(10000)];
  if (small && mid && big) {
    const perFile = (a: Row, b: Row, files: number): number => (wall(b) - wall(a)) / files;
    const early = perFile(small, mid, 1800);
    const late = perFile(mid, big, 18000);
    add('cold to 10,000 pairs: ms per added file, 1,000→10,000 vs 100→1,000', '≤ 1.2×', `${f2(late / early)}× (${f2(late)} vs ${f2(early)} ms/file)`, late <= 1.2 * early);
    const rss = big.rssKb.length ? median(big.rssKb) / 1024 : NaN;
    add('cold on 10,000 pairs: peak RSS', '< 300 MB', Number.isNaN(rss) ? '—' : `${f0(rss)} MB`, Number.isNaN(rss) ? undefined : rss < 300);
  } else {
    add('cold to 10,000 pairs: linear, peak RSS < 300 MB', 'linear, < 300 MB', options.quick ? '— (--quick has no 10,000-pair corpus)' : '— (needs the 100, 1,000 and 10,000-pair corpora)', undefined);
  }
  const where = main ? `${main.corpus.name} (${main.corpus.files.length} files)` : 'no corpus';
  return [
    `## Targets (issue 15: speed to the floor), on ${where}; medians of one interleaved run; squawk = its native binary, default (tty) reporter`,
    `load average: ${loadBefore} at the start, ${loadAverage()} at the end, on ${cpus().length} cores (other work on the machine inflates wall times; the ratios come from the same rounds)`,
    table(['target', 'limit', 'measured', 'verdict'], lines),
  ].join('\n');
}
