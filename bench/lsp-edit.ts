// The language server's edit-to-diagnostics time, measured through the protocol as an editor sees it: a generated
// history of N pairs, the newest up opened, then keystrokes (incremental didChange), each timed from sending the
// change to receiving the publishDiagnostics of that version. Also: opening the newest file (the first replay of the
// history), an edit to a file in the middle, and saving it (which re-checks the later files that depend on it).
// Usage: node dist/bench/lsp-edit.js [--pairs 400] [--edits 200] [--json <file>]
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateHistory } from './generate-history.js';
import { LspClient } from './lsp-client.js';
import { median, percentile } from './measure.js';

const SEED = 20260105;

interface Options {
  pairs: number;
  edits: number;
  json?: string;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { pairs: 400, edits: 200 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === '--pairs') options.pairs = Number(value());
    else if (arg === '--edits') options.edits = Number(value());
    else if (arg === '--json') options.json = value();
    else throw new Error(`unknown option ${arg}`);
  }
  return options;
}

/** Time keystrokes on one open file: each inserts a character at the end of its first line (a comment). */
async function timeEdits(client: LspClient, path: string, edits: number): Promise<number[]> {
  const first = readFileSync(path, 'utf8').split('\n')[0]!;
  const uri = pathToFileURL(path).href;
  const times: number[] = [];
  for (let i = 0; i < edits; i++) {
    const character = first.length + i;
    const started = performance.now();
    const next = client.nextDiagnostics(path);
    await client.sendChange(path, [{ range: { start: { line: 0, character }, end: { line: 0, character } }, text: 'x' }]);
    const published = await next;
    if (published.uri !== uri) throw new Error('diagnostics for another file');
    times.push(performance.now() - started);
  }
  return times;
}

function summary(label: string, times: readonly number[]): string {
  return `${label.padEnd(44)} median ${median(times).toFixed(1).padStart(6)} ms   p90 ${percentile(times, 90).toFixed(1).padStart(6)} ms   (${times.length} runs)`;
}

/** The server's peak resident set (VmHWM), Linux only. */
function peakRss(pid: number | undefined): number | undefined {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(join(tmpdir(), 'lsp-bench-'));
  try {
    const history = generateHistory(dir, options.pairs, SEED);
    const ups = readdirSync(dir).filter((n) => n.endsWith('.up.sql')).sort();
    const newest = join(dir, ups[ups.length - 1]!);
    const middle = join(dir, ups[Math.floor(ups.length / 2)]!);
    const client = await LspClient.start(dir);
    let started = performance.now();
    await client.open(newest);
    const openNewest = performance.now() - started;
    // Warm-up keystrokes (JIT), then the measured ones.
    await timeEdits(client, newest, 20);
    const newestTimes = await timeEdits(client, newest, options.edits);
    started = performance.now();
    await client.open(middle);
    const openMiddle = performance.now() - started;
    const middleTimes = await timeEdits(client, middle, Math.min(50, options.edits));
    // Save the middle file: write its text as the editor would, then didSave; the later dependents are re-checked.
    writeFileSync(middle, `${readFileSync(middle, 'utf8').replace(/^([^\n]*)/, '$1 saved')}`);
    const saveTimes: number[] = [];
    for (let i = 0; i < 5; i++) {
      const text = readFileSync(middle, 'utf8');
      await client.sendChange(middle, text);
      started = performance.now();
      const next = client.nextDiagnostics(middle);
      await client.save(middle);
      await next;
      // The dependents are published after the saved file; a hover is answered after they are.
      await client.hover(middle, 0, 0);
      saveTimes.push(performance.now() - started);
    }
    const peakRssMb = peakRss(client.child.pid);
    await client.stop();
    const report = {
      peakRssMb,
      pairs: options.pairs,
      files: history.files,
      bytes: history.bytes,
      openNewestMs: openNewest,
      editNewestMedianMs: median(newestTimes),
      editNewestP90Ms: percentile(newestTimes, 90),
      openMiddleMs: openMiddle,
      editMiddleMedianMs: median(middleTimes),
      saveMiddleMedianMs: median(saveTimes),
      targetMs: 20,
    };
    process.stdout.write(
      [
        `Language server on a generated history of ${history.files} files (${options.pairs} pairs, ${(history.bytes / 1024).toFixed(0)} KiB), through the protocol:`,
        `${'open the newest up (parse + replay the history)'.padEnd(44)} ${openNewest.toFixed(1).padStart(6)} ms`,
        summary('edit the newest up -> diagnostics', newestTimes),
        `${'open a file in the middle (replay from start)'.padEnd(44)} ${openMiddle.toFixed(1).padStart(6)} ms`,
        summary('edit a file in the middle -> diagnostics', middleTimes),
        summary('save it (re-check its dependents)', saveTimes),
        `${'server peak RSS'.padEnd(44)} ${peakRssMb === undefined ? 'n/a' : `${peakRssMb.toFixed(0).padStart(6)} MB`}`,
        `target: diagnostics within 20 ms (median) of an edit to the newest file: ${report.editNewestMedianMs <= 20 ? 'met' : 'NOT met'} (${report.editNewestMedianMs.toFixed(1)} ms)`,
        '',
      ].join('\n'),
    );
    if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`lsp-edit: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
