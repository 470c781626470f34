// verify-migrations --watch as a user runs it: the first report, a new report after each save (separator line when
// the output is not a terminal), Ctrl-C exits 0.
import t from 'tap';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PassThrough } from 'node:stream';
import { watch } from '../verify/watch.js';

const CLI = join(fileURLToPath(new URL('..', import.meta.url)), 'dist/verify/cli.js');

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'watch-test-'));
  writeFileSync(join(dir, '20260101000000_create_products.up.sql'), '-- Products.\nCREATE TABLE products (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    barcode text\n);\n');
  writeFileSync(join(dir, '20260101000000_create_products.down.sql'), '-- Undo.\nDROP TABLE products;\n');
  return dir;
}

/** Spawn the watcher; `until(text)` resolves once stdout holds `text` (counting from the last call). */
function start(args: string[], cwd: string) {
  const child = spawn(process.execPath, [CLI, '--watch', '--no-cache', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stdout = '';
  let stderr = '';
  let seen = 0;
  const listeners = new Set<() => void>();
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const listener of listeners) listener();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const until = (text: string | RegExp, timeoutMs = 60_000): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const rest = stdout.slice(seen);
        const match = typeof text === 'string' ? rest.indexOf(text) : rest.search(text);
        if (match === -1) return;
        const end = seen + match + (typeof text === 'string' ? text.length : (rest.match(text)?.[0].length ?? 0));
        const chunk = stdout.slice(seen, end);
        seen = end;
        listeners.delete(check);
        clearTimeout(timer);
        resolve(chunk);
      };
      const timer = setTimeout(() => {
        listeners.delete(check);
        reject(new Error(`timed out waiting for ${String(text)}; stdout: ${stdout}; stderr: ${stderr}`));
      }, timeoutMs);
      listeners.add(check);
      check();
    });
  return { child, until, exited, stderr: () => stderr, stdout: () => stdout };
}

t.test('reports, re-verifies after a save, and exits 0 on Ctrl-C', async (t) => {
  const dir = folder();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const watcher = start(['.'], dir);
  const first = await watcher.until('for changes (Ctrl-C to stop).\n');
  t.match(first, '2 files checked: 0 errors, 0 warnings.\n');
  t.match(first, 'Watching . for changes');

  // A new migration with a blocking index: the next report names it.
  writeFileSync(join(dir, '20260102000000_index_barcode.down.sql'), '-- Undo.\nDROP INDEX CONCURRENTLY IF EXISTS idx_products_barcode;\n');
  writeFileSync(join(dir, '20260102000000_index_barcode.up.sql'), '-- Find by barcode.\nCREATE INDEX idx_products_barcode ON products (barcode);\n');
  // (Two writes: on a loaded machine they may land in two runs, so wait for the report that has both.)
  const second = await watcher.until(/20260102000000_index_barcode\.up\.sql:2:1 {2}error {2}require-concurrent-index-creation/);
  t.match(second, /^──────── \d\d:\d\d:\d\d changed: .*20260102000000_index_barcode\..* ────────\n/, 'a separator names the change');

  // Fixed and saved: a clean report again.
  writeFileSync(join(dir, '20260102000000_index_barcode.up.sql'), '-- Find by barcode.\n-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_barcode ON products (barcode);\n');
  const third = await watcher.until(/4 files checked: 0 errors, 0 warnings\.\n/);
  t.match(third, 'changed: 20260102000000_index_barcode.up.sql');

  // Files that are not migrations do not trigger a run.
  writeFileSync(join(dir, 'notes.txt'), 'hello\n');
  await new Promise((resolve) => setTimeout(resolve, 400));
  t.notMatch(watcher.stdout().slice(watcher.stdout().lastIndexOf('4 files checked')), '────────', 'no run for notes.txt');

  watcher.child.kill('SIGINT');
  t.equal(await watcher.exited, 0, 'Ctrl-C exits 0');
  t.equal(watcher.stderr(), '');
});

t.test('a path that does not exist is the usual one-line error, exit 2', async (t) => {
  const dir = folder();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const watcher = start(['missing'], dir);
  t.equal(await watcher.exited, 2);
  t.equal(watcher.stderr(), 'verify-migrations: Cannot read missing: no such file or directory.\n');
});

t.test('--watch does not combine with --execute', async (t) => {
  const dir = folder();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const watcher = start(['--execute', '.'], dir);
  t.equal(await watcher.exited, 2);
  t.equal(watcher.stderr(), 'verify-migrations: --watch cannot be combined with --staged, --execute or --drift.\n');
});

t.test('in a terminal each report replaces the last on a cleared screen', async (t) => {
  const dir = folder();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const out = Object.assign(new PassThrough(), { isTTY: true });
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString()));
  let runs = 0;
  const stop = new AbortController();
  const done = watch([dir], async () => `report ${++runs}\n`, { out, debounceMs: 20, signal: stop.signal });
  while (runs < 1) await new Promise((resolve) => setTimeout(resolve, 10));
  // fs.watch is armed once the first report is written.
  while (!written.includes('Ctrl-C to stop')) await new Promise((resolve) => setTimeout(resolve, 10));
  writeFileSync(join(dir, '20260101000000_create_products.down.sql'), '-- Undo, again.\nDROP TABLE products;\n');
  while (runs < 2) await new Promise((resolve) => setTimeout(resolve, 10));
  await new Promise((resolve) => setTimeout(resolve, 50));
  stop.abort();
  t.equal(await done, 0);
  t.match(written, /^report 1\nWatching .* for changes \(Ctrl-C to stop\)\.\n/);
  t.match(written, /\u001b\[2J\u001b\[3J\u001b\[H\d\d:\d\d:\d\d changed: 20260101000000_create_products\.down\.sql\n\nreport 2\nWatching /);
  t.notMatch(written, '────────', 'no separator in a terminal');
});

t.test("a change inside a migration's own folder (diesel) is seen, and so is one in a folder made after the start", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'watch-diesel-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, '2026-01-01-000000_create_products'));
  writeFileSync(join(dir, '2026-01-01-000000_create_products', 'up.sql'), 'CREATE TABLE products (id bigint);\n');
  const out = new PassThrough();
  let written = '';
  out.on('data', (chunk: Buffer) => (written += chunk.toString()));
  const stop = new AbortController();
  let runs = 0;
  const done = watch([dir], async () => `report ${++runs}\n`, { out, debounceMs: 20, signal: stop.signal });
  const until = async (text: string): Promise<void> => {
    for (let i = 0; i < 3000 && !written.includes(text); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  };
  await until('Ctrl-C to stop');
  writeFileSync(join(dir, '2026-01-01-000000_create_products', 'up.sql'), 'CREATE TABLE products (id bigint, name text);\n');
  await until('report 2');
  t.match(written, 'changed: 2026-01-01-000000_create_products/up.sql ────────\nreport 2\n');
  mkdirSync(join(dir, '2026-01-02-000000_create_orders'));
  await new Promise((resolve) => setTimeout(resolve, 100));
  writeFileSync(join(dir, '2026-01-02-000000_create_orders', 'down.sql'), 'DROP TABLE orders;\n');
  await until('create_orders/down.sql');
  t.match(written, 'changed: 2026-01-02-000000_create_orders/down.sql');
  stop.abort();
  t.equal(await done, 0);
});
