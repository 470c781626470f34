// Bundle the compiled CLI (dist/verify/bin.js and what it imports) into dist/verify/verify-migrations.mjs, the
// command's bin: one file to load instead of ~90 modules (module loading was a quarter of a warm run). Split at the
// dynamic imports, so a run answered by the stored report loads only the entry, and the parser, the language server,
// --explain, --watch and --fix load when used. Packages stay external (node_modules). Run after tsc (make build).
// The bundle sits beside the compiled files, so paths taken from import.meta.url (package.json, rule docs) still hold.
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

// dist/scripts/bundle.js when built, scripts/bundle.ts when a test imports it from source.
const HERE = fileURLToPath(new URL('.', import.meta.url));
const ROOT = existsSync(join(HERE, '../package.json')) ? resolve(HERE, '..') : resolve(HERE, '../..');
const OUT = join(ROOT, 'dist/verify');
export const BUNDLE = join(OUT, 'verify-migrations.mjs');

/** Build the bundle; returns its path. */
export async function bundle(): Promise<string> {
  for (const name of readdirSync(OUT)) if (/^verify-migrations(-[A-Z0-9]+)?\.mjs$/.test(name)) rmSync(join(OUT, name));
  await build({
    entryPoints: { 'verify-migrations': join(OUT, 'bin.js') },
    outdir: OUT,
    entryNames: '[name]',
    chunkNames: 'verify-migrations-[hash]',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return BUNDLE;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await bundle();
  process.stdout.write(`${BUNDLE}\n`);
}
