// Summarize a V8 .cpuprofile (from `node --cpu-prof`): hottest functions by self time, time by area, and inclusive time of
// the verifier's phases. Usage: node dist/bench/profile.js <file.cpuprofile> [top]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { table } from './measure.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileSummary {
  /** Profile span (startTime to endTime), milliseconds. */
  readonly totalMs: number;
  readonly hottest: ReadonlyArray<{ name: string; where: string; selfMs: number; share: number }>;
  readonly areas: ReadonlyArray<{ area: string; selfMs: number; share: number }>;
  readonly phases: ReadonlyArray<{ phase: string; inclusiveMs: number; share: number }>;
}

/** Functions whose inclusive time makes a phase; the innermost match on the stack wins, so phases do not overlap. */
const PHASES: ReadonlyArray<readonly [string, (frame: CallFrame) => boolean]> = [
  ['module load (ESM graph, compile)', (f) => f.url.startsWith('node:internal/modules/') && /^(import|link|instantiate|load|moduleStrategy|getSource|compileSourceTextModule|defaultLoad|runEntryPointWithESMLoader)/.test(f.functionName)],
  ['WASM load (loadParser)', (f) => f.functionName === 'loadParser' || f.functionName === 'loadModule'],
  ['read + parse + directives (loadFile)', (f) => f.functionName === 'loadFile' || f.functionName === 'sourceFile'],
  ['schema replay + rules (replayFile)', (f) => f.functionName === 'replayFile'],
  ['rule setup (rule.create)', (f) => f.functionName === 'create' && f.url.includes('/verify/rules/')],
  ['settle (directives, positions)', (f) => f.functionName === 'settle'],
  ['output (render, formatText)', (f) => f.functionName === 'render' || f.functionName === 'formatText' || f.functionName === 'formatJson'],
  ['listing + pairing', (f) => f.functionName === 'classifyFiles' || f.functionName === 'pairFiles' || f.functionName === 'resolveTargets'],
];

/** Inside loadFile: the parts of parsing, for the second table. */
const PARSE_PARTS: ReadonlyArray<readonly [string, (frame: CallFrame) => boolean]> = [
  ['parseSync (WASM + JSON.parse of the AST)', (f) => f.functionName === 'parseSync'],
  ['scanSync (tokens for comments and offsets)', (f) => f.functionName === 'scanSync' || f.functionName === 'scanTokens'],
  ['readDirectives', (f) => f.functionName === 'readDirectives'],
  ['LineIndex', (f) => f.functionName === 'LineIndex'],
  ['changesOf', (f) => f.functionName === 'changesOf'],
  ['SchemaModel.apply', (f) => f.functionName === 'apply' && f.url.includes('schema-model')],
  ['rule visitors (statement, fileEnd)', (f) => (f.functionName === 'statement' || f.functionName === 'fileEnd' || f.functionName === 'migrationEnd') && f.url.includes('/verify/rules/')],
  ['indexesOf (linear scan of all indexes)', (f) => f.functionName === 'indexesOf'],
  ['readFileSync', (f) => f.functionName === 'readFileSync'],
];

function areaOf(frame: CallFrame): string | undefined {
  const { url, functionName } = frame;
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (main thread waits: async WASM compile, I/O)';
  if (functionName === '(program)') return 'V8/native (program: compile, runtime)';
  if (functionName === '(root)') return 'other';
  if (!url) return undefined; // builtin (JSON.parse, RegExp, ...): charged to its JS caller
  if (url.startsWith('wasm://')) return 'libpg-query WASM';
  if (url.includes('/libpg-query/')) return 'libpg-query JS glue';
  if (url.startsWith('node:internal/modules') || url.startsWith('node:internal/main')) return 'node module loader';
  if (url.startsWith('node:')) return 'node internals (fs, buffer, streams)';
  const match = /\/dist\/verify\/(rules\/)?([\w-]+)\.js$/.exec(url);
  if (match) return match[1] ? 'verify/rules/*' : `verify/${match[2]}`;
  if (url.includes('/node_modules/')) return `node_modules/${url.split('/node_modules/').pop()!.split('/')[0]}`;
  return 'other JS';
}

function shortUrl(url: string): string {
  if (!url) return '(builtin)';
  if (url.startsWith('wasm://')) return 'wasm';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  const dist = path.indexOf('/dist/');
  if (dist >= 0) return path.slice(dist + 1);
  const nm = path.lastIndexOf('/node_modules/');
  return nm >= 0 ? path.slice(nm + 14) : path;
}

export function summarizeProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  // V8: timeDeltas[i] is the time before sample i; the sample's own duration is the next delta.
  const self = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const us = profile.timeDeltas[i + 1] ?? 0;
    self.set(profile.samples[i]!, (self.get(profile.samples[i]!) ?? 0) + us);
  }
  const totalUs = profile.endTime - profile.startTime;

  const byFunction = new Map<string, { name: string; where: string; us: number }>();
  const byArea = new Map<string, number>();
  const areaMemo = new Map<number, string>();
  const areaOfNode = (id: number): string => {
    const memo = areaMemo.get(id);
    if (memo) return memo;
    const node = byId.get(id)!;
    const own = areaOf(node.callFrame);
    const up = parent.get(id);
    const area = own ?? (up === undefined ? 'other' : areaOfNode(up));
    areaMemo.set(id, area);
    return area;
  };
  for (const [id, us] of self) {
    const frame = byId.get(id)!.callFrame;
    const where = `${shortUrl(frame.url)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    const key = `${frame.functionName}@${where}`;
    const entry = byFunction.get(key) ?? { name: frame.functionName || '(anonymous)', where, us: 0 };
    entry.us += us;
    byFunction.set(key, entry);
    const area = areaOfNode(id);
    byArea.set(area, (byArea.get(area) ?? 0) + us);
  }

  // Inclusive time per phase: each sample counts once, for the outermost phase on its stack.
  const phaseMemo = new Map<number, string | undefined>();
  const phaseOf = (id: number, list: typeof PHASES): string | undefined => {
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      const hit = list.find(([, test]) => test(frame));
      if (hit) return hit[0];
    }
    return undefined;
  };
  const phaseTotals = new Map<string, number>();
  const partTotals = new Map<string, number>();
  for (const [id, us] of self) {
    if (!phaseMemo.has(id)) phaseMemo.set(id, phaseOf(id, PHASES));
    const phase = phaseMemo.get(id) ?? 'startup, idle and other';
    phaseTotals.set(phase, (phaseTotals.get(phase) ?? 0) + us);
    // Parts: every part on the stack counts (they may nest, e.g. readFileSync under loadFile).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      for (const [part, test] of PARSE_PARTS) if (!seen.has(part) && test(frame)) seen.add(part);
    }
    for (const part of seen) partTotals.set(part, (partTotals.get(part) ?? 0) + us);
  }
  const ms = (us: number): number => us / 1000;
  const share = (us: number): number => (totalUs ? us / totalUs : 0);
  return {
    totalMs: ms(totalUs),
    hottest: [...byFunction.values()].sort((a, b) => b.us - a.us).slice(0, top).map((f) => ({ name: f.name, where: f.where, selfMs: ms(f.us), share: share(f.us) })),
    areas: [...byArea].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: ms(us), share: share(us) })),
    phases: [
      ...[...phaseTotals].sort((a, b) => b[1] - a[1]).map(([phase, us]) => ({ phase, inclusiveMs: ms(us), share: share(us) })),
      ...[...partTotals].sort((a, b) => b[1] - a[1]).map(([part, us]) => ({ phase: `  of which: ${part}`, inclusiveMs: ms(us), share: share(us) })),
    ],
  };
}

export function formatProfileSummary(summary: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const f = (x: number): string => x.toFixed(1);
  return [
    `Profile span ${f(summary.totalMs)} ms (the process also spends time before the profiler starts and after it stops).`,
    '',
    'Phases (inclusive; the innermost phase on the stack wins; "of which" rows may nest):',
    table(['phase', 'ms', 'share'], summary.phases.map((p) => [p.phase, f(p.inclusiveMs), pct(p.share)])),
    '',
    'Areas by self time (builtins such as JSON.parse charged to their JS caller):',
    table(['area', 'self ms', 'share'], summary.areas.map((a) => [a.area, f(a.selfMs), pct(a.share)])),
    '',
    'Hottest functions by self time:',
    table(['function', 'where', 'self ms', 'share'], summary.hottest.map((h) => [h.name, h.where, f(h.selfMs), pct(h.share)])),
  ].join('\n');
}

export function readProfile(path: string): CpuProfile {
  return JSON.parse(readFileSync(path, 'utf8')) as CpuProfile;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [path, top] = process.argv.slice(2);
  if (!path) {
    process.stderr.write('Usage: node dist/bench/profile.js <file.cpuprofile> [top]\n');
    process.exit(2);
  }
  process.stdout.write(`${formatProfileSummary(summarizeProfile(readProfile(path), top ? Number(top) : 25))}\n`);
}
