// `make sum`: (re)write <dir>/migrations.sum, the normalized sha256 of every migration file and a chained total
// (core/migrations/manifest.ts). `--check` writes nothing and exits 1 when the file is missing or out of date.
// Exit codes: 0 written (or up to date), 1 out of date with --check, 2 usage error or no such folder.
import { existsSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { NotRegularFileError, readRegularFile } from '../core/regular-file.js';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MANIFEST_FILE, parseManifest, readMigrationFiles, renderManifest } from '../core/migrations/manifest.js';
import { displayPath } from '../core/display-path.js';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';

function main(argv: readonly string[]): number {
  let dir: string;
  let check: boolean;
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { dir: { type: 'string' }, check: { type: 'boolean' } } });
    if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    dir = values.dir ?? 'sql';
    check = values.check ?? false;
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`${dir}: no such migrations folder; pass --dir`);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message} (usage: sum [--dir DIR] [--check])\n`);
    return 2;
  }
  const path = join(dir, MANIFEST_FILE);
  const { files, unreadable } = readMigrationFiles(dir);
  if (unreadable.length > 0) {
    for (const message of unreadable) process.stderr.write(`error: ${message}\n`);
    process.stderr.write(`error: ${displayPath(path)} was not written: every migration file must be readable\n`);
    return 2;
  }
  const text = renderManifest(files);
  let old: string | undefined;
  try {
    old = existsSync(path) ? readRegularFile(path).toString('utf8') : undefined;
  } catch (error) {
    process.stderr.write(`error: cannot read ${displayPath(path)}: ${error instanceof NotRegularFileError ? `it is ${error.kind}` : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)}: remove it and run make sum again\n`);
    return 2;
  }
  const total = text.slice('sha256:'.length, 'sha256:'.length + 12);
  if (old === text) {
    process.stdout.write(`${displayPath(path)} is up to date: ${files.length} files, total sha256:${total}…\n`);
    return 0;
  }
  const change = describeChange(old, text);
  if (check) {
    process.stderr.write(`error: ${displayPath(path)} is ${old === undefined ? 'missing' : `out of date (${change})`}: run make sum\n`);
    return 1;
  }
  // Write beside it and rename: a reader never sees half a manifest.
  const partial = `${path}.partial`;
  writeFileSync(partial, text);
  renameSync(partial, path);
  process.stdout.write(`${old === undefined ? 'wrote' : 'updated'} ${displayPath(path)}: ${files.length} files${old === undefined ? '' : ` (${change})`}, total sha256:${total}…\n`);
  return 0;
}

function describeChange(old: string | undefined, text: string): string {
  if (old === undefined) return 'new';
  const before = new Map(parseManifest(old).entries.map((e) => [e.file, e.sha256]));
  const after = new Map(parseManifest(text).entries.map((e) => [e.file, e.sha256]));
  const added = [...after.keys()].filter((f) => !before.has(f)).length;
  const removed = [...before.keys()].filter((f) => !after.has(f)).length;
  const changed = [...after.keys()].filter((f) => before.has(f) && before.get(f) !== after.get(f)).length;
  return `${added} added, ${changed} changed, ${removed} removed`;
}

exitQuietlyOnClosedPipe();
process.exitCode = main(process.argv.slice(2));
