// The parse-only floor: load libpg-query and parseSync every .sql file of a folder in one process, nothing else.
// Usage: node dist/bench/parse-floor.js <dir> [--scan] [--only <file name>]
// --only parses that one file of the folder: the least a run that re-checks one changed file can cost.
// Prints one JSON line: files, bytes, and milliseconds for import, WASM load, reading, parsing (and scanning with --scan).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const started = performance.now();
const dir = process.argv[2] ?? '.';
const scan = process.argv.includes('--scan');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1] : undefined;
const { loadModule, parseSync, scanSync } = await import('libpg-query');
const imported = performance.now();
await loadModule();
const loaded = performance.now();
const texts = readdirSync(dir)
  .filter((name) => name.endsWith('.sql') && (only === undefined || name === only))
  .sort()
  .map((name) => readFileSync(join(dir, name), 'utf8'));
const read = performance.now();
let bytes = 0;
let errors = 0;
let statements = 0;
for (const text of texts) {
  bytes += Buffer.byteLength(text);
  try {
    statements += (parseSync(text) as { stmts?: unknown[] }).stmts?.length ?? 0;
  } catch {
    errors++;
  }
}
const parsed = performance.now();
if (scan) for (const text of texts) scanSync(text);
const scanned = performance.now();
const round = (ms: number): number => Math.round(ms * 10) / 10;
process.stdout.write(
  `${JSON.stringify({
    files: texts.length,
    bytes,
    statements,
    errors,
    importMs: round(imported - started),
    wasmLoadMs: round(loaded - imported),
    readMs: round(read - loaded),
    parseMs: round(parsed - read),
    ...(scan ? { scanMs: round(scanned - parsed) } : {}),
  })}\n`,
);
