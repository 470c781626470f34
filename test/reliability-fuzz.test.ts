// Fuzzing the verifier: thousands of mutated migration files (a seeded PRNG, so every run tries the same ones),
// 10 MB files and deeply nested statements, through verify() and through the CLI. Never a crash; every file
// libpg-query rejects (or that is not UTF-8) is a syntax-error with a real line and column; every violation points inside its file.
import t, { type Test } from 'tap';
import { isUtf8 } from 'node:buffer';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModule, parseSync } from 'libpg-query';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';
import type { Violation } from '../verify/rule.js';
import { bigRandomFile, bigSeedFile, bigValidFile, decoded, lineCount, lineLength, loadCorpus, mutate, NESTED, Rng, type SeedFile } from './helpers/fuzz.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist', 'verify', 'cli.js');
const SEED = Number(process.env.RELIABILITY_FUZZ_SEED ?? 20260105);
const CASES = Number(process.env.RELIABILITY_FUZZ_CASES ?? 3000);
const BATCH = 100;
/** Batches also run through the CLI (every CLI_EVERY-th one). */
const CLI_EVERY = 6;
const MB = 1024 * 1024;

t.setTimeout(170_000);

interface FileCase {
  readonly name: string;
  readonly label: string;
  readonly bytes: Buffer;
}

interface PairCase {
  readonly up: FileCase;
  readonly down: FileCase;
}

interface Figures {
  mutants: number;
  files: number;
  parseErrors: number;
  violations: number;
  crashes: number;
  cliRuns: number;
  multiLineMessages: number;
  longestMessage: number;
  problems: string[];
}

const figures: Figures = { mutants: 0, files: 0, parseErrors: 0, violations: 0, crashes: 0, cliRuns: 0, multiLineMessages: 0, longestMessage: 0, problems: [] };

/** What PostgreSQL's parser says of the text the verifier reads (leading BOM dropped; a NUL byte is never valid SQL). */
function parserRejects(text: string): boolean {
  const clean = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  if (clean.includes('\0')) return true;
  // Only SQL's own whitespace is blank (not U+00A0 or U+2028, which the server rejects).
  if (/^[ \t\n\r\f\v]*$/.test(clean)) return false;
  try {
    parseSync(clean);
    return false;
  } catch {
    return true;
  }
}

function writeFolder(pairs: readonly PairCase[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'reliability-fuzz-'));
  for (const pair of pairs) {
    writeFileSync(join(dir, pair.up.name), pair.up.bytes);
    writeFileSync(join(dir, pair.down.name), pair.down.bytes);
  }
  return dir;
}

async function runLibrary(dir: string): Promise<{ violations: readonly Violation[] } | { error: Error }> {
  try {
    return await verify({ paths: [dir], rules, cache: false });
  } catch (error) {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }
}

/** Check one folder's violations against the oracle; returns the problems found (empty when all is well). */
function checkViolations(dir: string, pairs: readonly PairCase[], violations: readonly Violation[]): string[] {
  const problems: string[] = [];
  const byFile = new Map<string, Violation[]>();
  for (const v of violations) {
    const list = byFile.get(v.file);
    if (list) list.push(v);
    else byFile.set(v.file, [v]);
  }
  for (const file of pairs.flatMap((p) => [p.up, p.down])) {
    const path = join(dir, file.name);
    const text = decoded(file.bytes);
    const lines = text.split('\n');
    const count = lineCount(text);
    const found = byFile.get(path) ?? [];
    byFile.delete(path);
    figures.files++;
    figures.violations += found.length;
    // Bytes that are not UTF-8 cannot be what the parser read: the verifier refuses them like a syntax error.
    const rejects = !isUtf8(file.bytes) || parserRejects(text);
    const syntax = found.filter((v) => v.rule === 'syntax-error');
    if (rejects) {
      figures.parseErrors++;
      if (syntax.length !== 1) problems.push(`${file.label}: libpg-query rejects it but the verifier reports ${syntax.length} syntax-error(s)`);
    } else if (syntax.some((v) => !/nest|deep/i.test(v.message))) {
      problems.push(`${file.label}: libpg-query accepts it but the verifier reports "${syntax[0]?.message}"`);
    }
    for (const v of found) {
      const where = `${file.label}: ${v.rule} at ${v.line}:${v.column}-${v.endLine}:${v.endColumn}`;
      if (!(Number.isInteger(v.line) && v.line >= 1 && v.line <= count)) problems.push(`${where}: line outside 1..${count}`);
      else if (!(Number.isInteger(v.column) && v.column >= 1 && v.column <= lineLength(lines, v.line) + 1)) problems.push(`${where}: column outside 1..${lineLength(lines, v.line) + 1}`);
      if (!(Number.isInteger(v.endLine) && v.endLine >= v.line && v.endLine <= count)) problems.push(`${where}: end line outside ${v.line}..${count}`);
      else if (!(Number.isInteger(v.endColumn) && v.endColumn >= 1 && v.endColumn <= lineLength(lines, v.endLine) + 1)) problems.push(`${where}: end column outside the line`);
      if (typeof v.message !== 'string' || v.message.length === 0) problems.push(`${where}: no message`);
      // Not a failure (reported as a finding): PostgreSQL quotes the rest of an unterminated literal, newlines and all.
      if (v.message.includes('\n')) figures.multiLineMessages++;
      figures.longestMessage = Math.max(figures.longestMessage, v.message.length);
    }
  }
  for (const [file, found] of byFile) problems.push(`${file}: ${found.length} violation(s) for a file that is not in the folder`);
  return problems;
}

/** Run a folder through the library; on a throw, find which pairs throw on their own. */
async function checkFolder(t: Test, pairs: readonly PairCase[], what: string): Promise<{ dir: string; violations: number }> {
  const dir = writeFolder(pairs);
  const result = await runLibrary(dir);
  if ('error' in result) {
    const culprits: string[] = [];
    for (const pair of pairs) {
      const alone = writeFolder([pair]);
      const single = await runLibrary(alone);
      rmSync(alone, { recursive: true, force: true });
      if ('error' in single) culprits.push(`${pair.up.label} | ${pair.down.label}: ${single.error.message}`);
    }
    figures.crashes += Math.max(1, culprits.length);
    t.fail(`${what}: verify() threw ${result.error.name}: ${result.error.message}`, { culprits: culprits.length ? culprits : ['only the whole folder throws (the chain matters)'] });
    return { dir, violations: -1 };
  }
  const problems = checkViolations(dir, pairs, result.violations);
  figures.problems.push(...problems);
  t.same(problems.slice(0, 20), [], `${what}: every verdict and position is right (${problems.length} problem(s))`);
  return { dir, violations: result.violations.length };
}

interface CliRun {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function runCli(dir: string, format: 'json' | 'text' = 'json'): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    // cwd outside the repository: no config file, no cache folder.
    const child = spawn(process.execPath, [CLI, dir, '--format', format, '--no-cache'], { cwd: tmpdir(), env: { ...process.env, NODE_OPTIONS: '' }, timeout: 60_000 });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('close', (code, signal) => resolve({ code, signal, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), ms: Date.now() - started }));
  });
}

/** The text format (code frames read the files again): only that it does not crash. */
function checkCliText(t: Test, run: CliRun, what: string): void {
  figures.cliRuns++;
  const crashed = run.signal !== null || (run.code !== 0 && run.code !== 1) || run.stderr !== '';
  if (crashed) figures.crashes++;
  t.ok(run.code === 0 || run.code === 1, `${what}: CLI exit 0 or 1 (got ${run.code}${run.signal ? `, ${run.signal}` : ''}; ${run.ms} ms)`);
  t.equal(run.stderr, '', `${what}: nothing on stderr`);
  t.match(run.stdout, /\d+ files? checked: \d+ errors?, \d+ warnings?\.\n$/, `${what}: ends with the summary line`);
}

function checkCli(t: Test, run: CliRun, what: string, libraryViolations: number): void {
  figures.cliRuns++;
  const crashed = run.signal !== null || (run.code !== 0 && run.code !== 1) || run.stderr !== '';
  if (crashed) figures.crashes++;
  t.ok(run.code === 0 || run.code === 1, `${what}: CLI exit 0 or 1 (got ${run.code}${run.signal ? `, ${run.signal}` : ''}; ${run.ms} ms)`);
  t.equal(run.stderr, '', `${what}: nothing on stderr`);
  // stdout is JSON (megabytes for the big files); a stack trace would be on stderr.
  t.notMatch(run.stderr, /^ {4}at .+:\d+:\d+\)?$/m, `${what}: no stack trace`);
  let report: { violations?: unknown[] } | undefined;
  try {
    report = JSON.parse(run.stdout) as { violations?: unknown[] };
  } catch {
    report = undefined;
  }
  t.ok(report && Array.isArray(report.violations), `${what}: stdout is the JSON report`);
  if (libraryViolations >= 0 && report?.violations) t.equal(report.violations.length, libraryViolations, `${what}: the CLI reports what the library does`);
}

await loadModule();
const corpus: SeedFile[] = loadCorpus(ROOT, ['sql', 'test/fixtures'], /^test\/fixtures\/reliability\//);
const started = Date.now();

t.test('mutated migration files: no crash, right verdicts, positions inside the file', async (t) => {
  t.ok(corpus.length >= 20, `a corpus to mutate (${corpus.length} files)`);
  const rng = new Rng(SEED);
  const pending: Array<Promise<void>> = [];
  const folders: string[] = [];
  let version = 20260101000000;
  for (let batch = 0; batch * BATCH < CASES; batch++) {
    const pairs: PairCase[] = [];
    for (let i = 0; i < BATCH && batch * BATCH + i < CASES; i++) {
      const n = batch * BATCH + i;
      const stem = `${version++}_fuzz_${n}`;
      const up = mutate(rng, corpus);
      // Half the downs are mutated too; the rest are real files, so the chain has parseable neighbours.
      const mutatedDown = rng.chance(0.5);
      const clean = rng.pick(corpus);
      const down = mutatedDown ? mutate(rng, corpus) : { label: `clean <- ${clean.origin}`, bytes: clean.bytes };
      figures.mutants += mutatedDown ? 2 : 1;
      pairs.push({ up: { name: `${stem}.up.sql`, label: `#${n} up ${up.label}`, bytes: up.bytes }, down: { name: `${stem}.down.sql`, label: `#${n} down ${down.label}`, bytes: down.bytes } });
    }
    const { dir, violations } = await checkFolder(t, pairs, `batch ${batch}`);
    folders.push(dir);
    // The CLI runs in another process while the library checks the next batches.
    if (batch % CLI_EVERY === 0) pending.push(runCli(dir).then((run) => checkCli(t, run, `CLI on batch ${batch}`, violations)));
    if (batch % CLI_EVERY === 3) pending.push(runCli(dir, 'text').then((run) => checkCliText(t, run, `CLI (text) on batch ${batch}`)));
  }
  await Promise.all(pending);
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

t.test('pathological files: 10 MB, binary noise, deep nesting, long lines', async (t) => {
  const rng = new Rng(SEED + 1);
  const cases: Array<[string, Buffer]> = [
    ['10 MB of seed data (CREATE TABLE, then INSERTs)', bigSeedFile(10 * MB)],
    // 1 MB keeps the suite quick; time is linear in the DDL (3 MB 3 s, 10 MB with 400,000 findings 13 s, docs/reliability.md).
    ['1 MB of real DDL (the corpus, renamed copies)', bigValidFile(corpus, MB, (text) => !parserRejects(text))],
    ['10 MB of random bytes', bigRandomFile(rng, 10 * MB)],
    ['10 MB on one line', Buffer.from(`SELECT '${'x'.repeat(10 * MB)}';\n`)],
    ['a 10 MB comment, unterminated', Buffer.from(`/* ${'comment '.repeat((10 * MB) / 8)}`)],
  ];
  for (const [kind, generate] of Object.entries(NESTED)) {
    for (const depth of [1_000, 10_000]) cases.push([`${kind} nested ${depth} deep`, Buffer.from(generate(depth))]);
  }
  cases.push(['arithmetic, 100,000 terms', Buffer.from(NESTED.arithmetic!(100_000))]);
  cases.push(['subqueries nested 2,000 deep', Buffer.from(NESTED.subqueries!(2_000))]);
  cases.push(['function calls nested 1,600 deep', Buffer.from(NESTED.functionCalls!(1_600))]);
  cases.push(['a 100,000-character identifier', Buffer.from(`CREATE TABLE ${'t'.repeat(100_000)} (id bigint PRIMARY KEY);\n`)]);
  cases.push(['a 20,000-character quoted multibyte identifier', Buffer.from(`CREATE TABLE "${'é'.repeat(20_000)}" (id bigint PRIMARY KEY);\n`)]);
  cases.push(['100,000 empty statements', Buffer.from(';\n'.repeat(100_000))]);
  cases.push(['100,000 directive comments', Buffer.from('-- verify:ignore foreign-key-needs-index x\n'.repeat(100_000))]);

  for (const [i, [what, bytes]] of cases.entries()) {
    const started = Date.now();
    const stem = `${20260201000000 + i}_pathological_${i}`;
    const pair: PairCase = {
      up: { name: `${stem}.up.sql`, label: what, bytes },
      down: { name: `${stem}.down.sql`, label: `${what} (down)`, bytes: Buffer.from('SELECT 1;\n') },
    };
    const { dir, violations } = await checkFolder(t, [pair], what);
    const libraryMs = Date.now() - started;
    // The big ones also go through the CLI: no crash, no stack trace, bounded time.
    if (bytes.length >= MB || i % 3 === 0) checkCli(t, await runCli(dir), `CLI on ${what}`, violations);
    t.comment(`${what}: ${(bytes.length / MB).toFixed(2)} MB, library ${libraryMs} ms, total ${Date.now() - started} ms`);
    rmSync(dir, { recursive: true, force: true });
  }
});

t.test('a file of only Unicode blanks is a syntax error, as PostgreSQL says', async (t) => {
  // JavaScript's trim() calls U+00A0 and U+2028 blank; PostgreSQL's lexer does not and rejects the file.
  const pairs: PairCase[] = [
    { up: { name: '20260301000000_nbsp.up.sql', label: 'only U+00A0', bytes: Buffer.from('\u00a0\n') }, down: { name: '20260301000000_nbsp.down.sql', label: 'only U+2028', bytes: Buffer.from('\u2028') } },
  ];
  const { dir } = await checkFolder(t, pairs, 'Unicode blanks');
  rmSync(dir, { recursive: true, force: true });
});

t.test('figures', async (t) => {
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  t.comment(
    `fuzz figures (seed ${SEED}, corpus ${corpus.length} files): ${figures.mutants} mutants, ${figures.files} files checked in all, ` +
      `${figures.parseErrors} parse errors found, ${figures.violations} violations checked, ` +
      `${figures.cliRuns} CLI runs, ${figures.crashes} crashes, ${figures.problems.length} wrong verdicts or positions, ` +
      `${figures.multiLineMessages} messages spanning lines (longest message ${figures.longestMessage} characters), ${seconds} s`,
  );
  t.equal(figures.crashes, 0, 'no crash');
});
