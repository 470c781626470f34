// Whole-process measurement for the benchmark: wall time (spawn to exit, in the parent) and peak RSS.
// Peak RSS comes from GNU time's %M when /usr/bin/time exists, else from polling /proc/<pid>/status (VmHWM).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface Command {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  /** Wall time from spawn to exit, milliseconds. */
  readonly ms: number;
  /** Peak resident set size, kilobytes (undefined when it could not be read). */
  readonly rssKb: number | undefined;
  /** User + system CPU seconds of the process (GNU time only): less sensitive than wall time to a busy machine. */
  readonly cpuS: number | undefined;
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type RssMethod = 'gnu-time' | 'proc-poll';

let method: RssMethod | undefined;
let scratch: string | undefined;

/** How peak RSS is measured on this machine. */
export function rssMethod(): RssMethod {
  method ??= existsSync(GNU_TIME) && isGnuTime() ? 'gnu-time' : 'proc-poll';
  return method;
}

/** BusyBox and BSD time lack -o or %M: try the exact flags we use. */
function isGnuTime(): boolean {
  const probe = spawnSync(GNU_TIME, ['-o', '/dev/null', '-f', '%M', '--', process.execPath, '-e', '0'], { stdio: 'ignore' });
  return probe.status === 0;
}

/** Run once and measure. Output is captured in full (the tools' own output is part of their work). */
export function measure(cmd: Command): Promise<RunResult> {
  const useTime = rssMethod() === 'gnu-time';
  scratch ??= mkdtempSync(join(tmpdir(), 'bench-'));
  const rssFile = join(scratch, 'rss');
  const [file, args] = useTime ? [GNU_TIME, ['-o', rssFile, '-f', '%M %U %S', '--', cmd.command, ...cmd.args]] : [cmd.command, [...cmd.args]];
  return new Promise((resolve, reject) => {
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const started = process.hrtime.bigint();
    const child = spawn(file, args, { cwd: cmd.cwd, env: cmd.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let peak: number | undefined;
    const poll = useTime ? undefined : setInterval(() => (peak = Math.max(peak ?? 0, vmHwm(child.pid) ?? 0) || peak), 5);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (poll) clearInterval(poll);
      let rssKb = peak;
      let cpuS: number | undefined;
      if (useTime) {
        try {
          // GNU time writes "Command exited with non-zero status N" first when the command fails.
          const last = readFileSync(rssFile, 'utf8').trim().split('\n').pop() ?? '';
          const match = /^(\d+) ([\d.]+) ([\d.]+)$/.exec(last);
          rssKb = match ? Number(match[1]) : undefined;
          cpuS = match ? Number(match[2]) + Number(match[3]) : undefined;
          rmSync(rssFile, { force: true });
        } catch {
          rssKb = undefined;
        }
      }
      resolve({ ms, rssKb, cpuS, code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') });
    });
  });
}

function vmHwm(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined;
  }
}

export function cleanupScratch(): void {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

// ---- statistics

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

// ---- text tables

/** A plain fixed-width table (Markdown-compatible pipes), right-aligning numeric cells. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => /^[-\d.,×x%]*$/.test(r[i] ?? '') || r[i] === '—'));
  const line = (cells: readonly string[]): string => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(headers), rule, ...rows.map(line)].join('\n');
}
