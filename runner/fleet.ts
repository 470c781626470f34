// `make deploy TARGETS=<file>`: the same chain deployed to a fleet of databases. The first target is the canary and
// runs alone; then the rest, PARALLEL at a time; after a failure (or SIGINT/SIGTERM) no new target starts and the
// running ones finish. Each target is one `make deploy` of its own: a child process running scripts/deploy.js with
// DATABASE_URL set to the target, so each keeps its own lock, checksums, backup (in a folder of its own), signal
// handling and output, and a crash of one cannot take the others down. This module returns data and reports through
// a callback; scripts/fleet.ts prints. The runbook is docs/deploy.md#fleets.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeTarget, scrubSecrets } from '../core/postgres/database-url.js';

export interface FleetTarget {
  /** The line of the targets file that named it (1-based). */
  readonly line: number;
  /** The environment variable the line named, when it named one. */
  readonly variable?: string;
  readonly url: string;
  /** host:port/database: how the target is shown (never with the password). */
  readonly name: string;
  /** A folder name of its own for its backups: host_port_database, made safe and unique in the fleet. */
  readonly folder: string;
}

export interface TargetsFile {
  readonly targets: readonly FleetTarget[];
  /** One line each, `file:line: what is wrong`; never the line's text (it may hold a password). */
  readonly problems: readonly string[];
}

const URL_LINE = /^postgres(?:ql)?:\/\//i;
const VARIABLE_LINE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Read a targets file: one connection string (postgres://...) or environment variable name per line; blank lines and
 * lines starting with # are skipped. Every bad line is reported (not only the first), each without its text.
 */
export function parseTargets(text: string, file: string, env: NodeJS.ProcessEnv = process.env): TargetsFile {
  const targets: FleetTarget[] = [];
  const problems: string[] = [];
  const seen = new Map<string, number>();
  const folders = new Set<string>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const entry = raw.trim();
    if (entry === '' || entry.startsWith('#')) return;
    const where = `${file}:${line}`;
    let url: string;
    let variable: string | undefined;
    if (URL_LINE.test(entry)) {
      if (/\s/.test(entry)) return void problems.push(`${where}: one connection string per line, without spaces (a comment goes on a line of its own, starting with #)`);
      if (!validUrl(entry)) return void problems.push(`${where}: not a valid postgres:// URL (the line is not shown: it may hold a password); percent-encode special characters in the password`);
      url = entry;
    } else if (VARIABLE_LINE.test(entry)) {
      variable = entry;
      const value = env[entry]?.trim();
      if (!value) return void problems.push(`${where}: the environment variable ${entry} is not set (or empty): export it, or put the connection string on the line`);
      if (!URL_LINE.test(value) || !validUrl(value)) return void problems.push(`${where}: the environment variable ${entry} does not hold a postgres://user@host:port/database URL (its value is not shown)`);
      url = value;
    } else {
      const hint = entry.includes('=') && !entry.includes('://') ? ': key=value connection strings are not read here; write postgres://user:password@host:port/database' : '';
      return void problems.push(`${where}: expected a postgres:// connection string or an environment variable name (the line is not shown: it may hold a password)${hint}`);
    }
    const name = describeTarget(url);
    const first = seen.get(name);
    if (first !== undefined) return void problems.push(`${where}: the same database as line ${first} (${name}): list each database once`);
    seen.set(name, line);
    targets.push({ line, ...(variable ? { variable } : {}), url, name, folder: uniqueFolder(name, folders) });
  });
  if (targets.length === 0 && problems.length === 0) problems.push(`${file}: lists no target: write one postgres:// URL or environment variable name per line`);
  return { targets, problems };
}

function validUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** host:port/database as a folder name: characters other than letters, digits, . _ - become _; unique in the fleet. */
function uniqueFolder(name: string, used: Set<string>): string {
  const base = name.replace(/[:/]/g, '_').replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
  let folder = base;
  for (let n = 2; used.has(folder); n++) folder = `${base}-${n}`;
  used.add(folder);
  return folder;
}

export type TargetState = 'done' | 'failed' | 'not started';

export interface TargetOutcome {
  readonly target: FleetTarget;
  readonly state: TargetState;
  readonly canary: boolean;
  /** Migrations this target's deploy applied (absent when it did not start, or said nothing). */
  readonly applied?: number;
  readonly milliseconds?: number;
  /** For a failed target: `<step>: <error>` (from its deploy), or how its process ended. */
  readonly reason?: string;
  /** Milliseconds after the fleet started, for a started target. */
  readonly startedAt?: number;
  readonly endedAt?: number;
}

export interface FleetResult {
  readonly outcomes: readonly TargetOutcome[];
  readonly parallel: number;
  /** Why targets were left unstarted: the first failure, or the signal. */
  readonly halted?: string;
  readonly milliseconds: number;
}

export type FleetEvent =
  | { readonly kind: 'start'; readonly target: FleetTarget; readonly canary: boolean; readonly running: number }
  | { readonly kind: 'line'; readonly target: FleetTarget; readonly stream: 'stdout' | 'stderr'; readonly text: string }
  | { readonly kind: 'end'; readonly outcome: TargetOutcome }
  /** No new target starts: after a failure, or on a signal (interrupt()). */
  | { readonly kind: 'halt'; readonly reason: string; readonly cause: 'failure' | 'signal'; readonly running: number };

export interface FleetOptions {
  readonly targets: readonly FleetTarget[];
  /** Targets deployed at once after the canary (PARALLEL); at least 1. */
  readonly parallel: number;
  /** The process that deploys one target; its DATABASE_URL is the target's URL; it writes its result to resultFile. */
  readonly command: (target: FleetTarget, resultFile: string) => { readonly file: string; readonly args: readonly string[] };
  /** The children's environment (default: this process's), without TARGETS and PARALLEL. */
  readonly env?: NodeJS.ProcessEnv;
  readonly report: (event: FleetEvent) => void;
}

export interface FleetRun {
  readonly done: Promise<FleetResult>;
  /**
   * SIGINT/SIGTERM: the first starts no new target and passes the signal to each running deploy, which cancels its
   * statement and stops with its state (runner/interruption.ts); a second, passed on too, makes them exit at once.
   */
  interrupt(signal: NodeJS.Signals): void;
}

/** What a deploy writes with --result-file. */
interface DeployResultFile {
  readonly ok?: boolean;
  readonly failedStep?: string;
  readonly error?: string;
  readonly applied?: readonly string[];
}

export function runFleet(options: FleetOptions): FleetRun {
  const parallel = Math.max(1, Math.floor(options.parallel));
  const started = Date.now();
  const scratch = mkdtempSync(join(tmpdir(), 'skincare-fleet-'));
  const running = new Map<FleetTarget, ChildProcess>();
  const outcomes = new Map<FleetTarget, TargetOutcome>();
  let halted: string | undefined;
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  delete env.TARGETS;
  delete env.PARALLEL;

  const halt = (reason: string, cause: 'failure' | 'signal'): void => {
    if (halted) return;
    halted = reason;
    if (outcomes.size + running.size < options.targets.length) options.report({ kind: 'halt', reason, cause, running: running.size });
  };

  function deployOne(target: FleetTarget, canary: boolean): Promise<TargetOutcome> {
    const resultFile = join(scratch, `${target.line}.json`);
    const { file, args } = options.command(target, resultFile);
    const begin = Date.now();
    return new Promise((resolve) => {
      // A process group of its own: a Ctrl-C on the terminal reaches this process only, which passes it on once.
      const child = spawn(file, [...args], { env: { ...env, DATABASE_URL: target.url }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      running.set(target, child);
      options.report({ kind: 'start', target, canary, running: running.size });
      let lastError = '';
      const forward = (stream: 'stdout' | 'stderr') => {
        let buffered = '';
        const emit = (text: string): void => {
          const clean = scrubSecrets(text, target.url);
          if (stream === 'stderr' && clean.trim() !== '') lastError = clean.trim();
          options.report({ kind: 'line', target, stream, text: clean });
        };
        const source = child[stream]!;
        source.setEncoding('utf8');
        source.on('data', (chunk: string) => {
          buffered += chunk;
          const lines = buffered.split('\n');
          buffered = lines.pop() ?? '';
          for (const line of lines) emit(line);
        });
        return () => {
          if (buffered !== '') emit(buffered);
          buffered = '';
        };
      };
      const flushOut = forward('stdout');
      const flushErr = forward('stderr');
      let spawnError: string | undefined;
      child.on('error', (error) => {
        spawnError = `cannot start the deploy: ${error.message}`;
      });
      child.on('close', (code, signal) => {
        flushOut();
        flushErr();
        running.delete(target);
        const result = readResult(resultFile);
        const endedAt = Date.now() - started;
        const ok = code === 0 && result?.ok !== false;
        const reason = ok
          ? undefined
          : result?.error
            ? `${result.failedStep ? `${result.failedStep}: ` : ''}${result.error}`
            : (spawnError ?? (lastError.replace(/^error:\s*/, '') || (signal ? `ended by ${signal}` : `exit ${code}`)));
        const outcome: TargetOutcome = {
          target,
          state: ok ? 'done' : 'failed',
          canary,
          ...(result?.applied ? { applied: result.applied.length } : {}),
          milliseconds: Date.now() - begin,
          ...(reason !== undefined ? { reason: scrubSecrets(reason, target.url) } : {}),
          startedAt: begin - started,
          endedAt,
        };
        outcomes.set(target, outcome);
        options.report({ kind: 'end', outcome });
        if (!ok) halt(`${target.name} failed`, 'failure');
        resolve(outcome);
      });
    });
  }

  async function run(): Promise<FleetResult> {
    const [canary, ...rest] = options.targets;
    try {
      if (canary && !halted) await deployOne(canary, true);
      const queue = [...rest];
      const worker = async (): Promise<void> => {
        while (!halted) {
          const next = queue.shift();
          if (!next) return;
          await deployOne(next, false);
        }
      };
      await Promise.all(Array.from({ length: Math.min(parallel, queue.length) }, worker));
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
    return {
      outcomes: options.targets.map((target, i) => outcomes.get(target) ?? { target, state: 'not started', canary: i === 0 }),
      parallel,
      ...(halted ? { halted } : {}),
      milliseconds: Date.now() - started,
    };
  }

  return {
    done: run(),
    interrupt(signal) {
      halt(signal, 'signal');
      for (const child of running.values()) child.kill(signal);
    },
  };
}

function readResult(file: string): DeployResultFile | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as DeployResultFile;
  } catch {
    return undefined;
  }
}

/** The summary table: target, applied, time, state; one row per target in the file's order. */
export function formatSummary(result: FleetResult, maxReason = 160): string[] {
  const rows = result.outcomes.map((o) => [
    `${o.target.name}${o.target.variable ? ` (${o.target.variable})` : ''}${o.canary ? ' canary' : ''}`,
    o.applied === undefined ? '-' : String(o.applied),
    o.milliseconds === undefined ? '-' : `${(o.milliseconds / 1000).toFixed(1)} s`,
    o.state === 'failed' ? `failed: ${truncate(o.reason ?? 'unknown', maxReason)}` : o.state,
  ]);
  const header = ['target', 'applied', 'time', 'state'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const format = (row: readonly string[]): string =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : i === 1 || i === 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ');
  return [format(header), ...rows.map(format)];
}

/** `3 done, 1 failed, 2 not started`. */
export function fleetCounts(result: FleetResult): string {
  const count = (state: TargetState): number => result.outcomes.filter((o) => o.state === state).length;
  return (['done', 'failed', 'not started'] as const)
    .map((state) => [count(state), state] as const)
    .filter(([n]) => n > 0)
    .map(([n, state]) => `${n} ${state}`)
    .join(', ');
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
