// Load the set, parse once, replay the schema, run every rule, apply directives: violations as data.
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadParser, type Statement } from '../core/migrations/parse.js';
import type { Directive } from '../core/migrations/directives.js';
import type { Layout, Migration, MigrationSummary, SourceFile } from '../core/migrations/layout.js';
import { readMigrationFolder, type MigrationFolder } from '../core/migrations/folder.js';
import { toMigration } from '../core/migrations/migration.js';
import { SchemaModel } from './schema-model.js';
import { createHash } from 'node:crypto';
import { cacheDirectory, chainKey, ResultCache, seedKey } from './cache.js';
import type { Rule, RuleSetting, Severity, VerifyOptions, Violation } from './rule.js';
import { checkMigration, replayModel } from './check-migration.js';
import { pushBuiltin } from './apply-directives.js';
import { MANIFEST_FILE, manifestProblems } from '../core/migrations/manifest.js';
import { committedFiles } from './staged.js';
import { BASELINE, readBaseline } from '../core/migrations/baseline.js';
import { displayPath as displayPathOf } from '../core/display-path.js';

export interface VerifyInput {
  /** Directories or files; a file brings its directory's whole set as context but only its own violations are kept. */
  readonly paths: readonly string[];
  readonly rules: readonly Rule[];
  readonly settings?: Readonly<Record<string, RuleSetting>>;
  readonly allowDestructive?: boolean;
  /** The PostgreSQL major version the migrations target (default 15, the oldest the runner supports). */
  readonly postgresVersion?: number;
  /** Texts to use instead of the files on disk (absolute path → text), e.g. what git has staged. */
  readonly contents?: ReadonlyMap<string, string>;
  /** false: neither read nor write the result cache (--no-cache). */
  readonly cache?: boolean;
  /** Rule ids that exist though they do not run here (disabled, or executed-only); `ignore` may name them. */
  readonly knownRules?: readonly string[];
  /** Absolute folders whose history starts from an empty database (`startsEmpty` in verify-migrations.json). */
  readonly startsEmpty?: readonly string[];
  /** Per absolute folder, the baseline the schema model replays before its first migration (`baseline`). */
  readonly baselines?: Readonly<Record<string, string>>;
  /** The target primary has streaming standbys (`standbys` in verify-migrations.json, --standbys). */
  readonly standbys?: boolean;
}

export interface VerifyResult {
  /** Number of migration files read. */
  readonly files: number;
  readonly migrations: readonly Migration[];
  readonly violations: readonly Violation[];
  /** Per folder, the layout its migrations follow and how many (every pair, parsed or answered from the cache). */
  readonly layouts: readonly LayoutCount[];
}

export interface LayoutCount {
  readonly folder: string;
  readonly layout: Layout;
  readonly migrations: number;
}

import { BUILTIN_RULES } from './builtin-rules.js';

export { BUILTIN_RULES };

export class UsageError extends Error {
  readonly code = 'usage';
}

interface Target {
  readonly directory: string;
  /** Display prefix (the path as given). */
  readonly display: string;
  /** When the user named files: only these names are reported. */
  readonly only?: Set<string>;
  /** Texts that replace what is on disk (absolute path → text), e.g. git's staged versions. */
  readonly contents?: ReadonlyMap<string, string>;
}

/** Verify one or more migration folders. Throws UsageError for a path that does not exist. */
export async function verify(input: VerifyInput): Promise<VerifyResult> {
  const targets = resolveTargets(input.paths).map((target) => ({ ...target, contents: input.contents }));
  const violations: Violation[] = [];
  const migrations: Migration[] = [];
  const layouts: LayoutCount[] = [];
  let files = 0;
  for (const target of targets) {
    const result = await verifyDirectory(target, input);
    files += result.files;
    appendAll(layouts, result.layouts);
    appendAll(migrations, result.migrations);
    appendAll(violations, result.violations);
  }
  violations.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : 1)));
  return { files, migrations, violations, layouts };
}

function resolveTargets(paths: readonly string[]): Target[] {
  const byDirectory = new Map<string, Target>();
  for (const given of paths.length ? paths : ['sql']) {
    let stats;
    try {
      stats = statSync(given);
    } catch {
      throw new UsageError(`Cannot read ${given}: no such file or directory.`);
    }
    if (stats.isDirectory()) {
      const display = given.replace(/\/+$/, '') || '.';
      byDirectory.set(resolve(given), { directory: resolve(given), display });
    } else {
      const directory = resolve(dirname(given));
      const existing = byDirectory.get(directory);
      if (existing && !existing.only) continue;
      const only = existing?.only ?? new Set<string>();
      only.add(basename(given));
      byDirectory.set(directory, { directory, display: dirname(given), only });
    }
  }
  return [...byDirectory.values()];
}

function displayPath(target: Target, name: string): string {
  return target.display === '.' ? name : join(target.display, name);
}

async function verifyDirectory(target: Target, input: VerifyInput): Promise<{ files: number; migrations: Migration[]; violations: Violation[]; layouts: LayoutCount[] }> {
  const violations: Violation[] = [];
  const settings = input.settings ?? {};
  const severityOf = (rule: string, fallback: Severity): Severity | undefined => {
    const setting = settings[rule];
    if (setting === 'off') return undefined;
    return setting ?? fallback;
  };
  const keep = (path: string): boolean => !target.only || target.only.has(basename(path));
  // Without the cache every file is parsed: compile the parser's WASM (off the main thread) while the files are read.
  // The promise is awaited before the first parse; a failure surfaces there.
  if (input.cache === false) loadParser().catch(() => undefined);
  const folder = readMigrationFolder(target.directory, { contents: target.contents });
  const { pairs } = folder;

  for (const problem of folder.problems) {
    if (!keep(problem.path)) continue;
    pushBuiltin(violations, severityOf, problem.code, displayPath(target, problem.path), 1, 1, problem.message);
  }
  // migrations.sum, when the folder has one: recorded files must be unchanged, new files recorded.
  const manifest = manifestProblems(folder);
  // An edit of a file git has not committed yet is a draft being written, not a change to history: say make sum.
  const committed = manifest.some((p) => p.rule === 'manifest-mismatch' && p.path !== MANIFEST_FILE) ? committedFiles(target.directory) : undefined;
  for (const problem of manifest) {
    if (!keep(problem.path)) continue;
    const draft = committed !== undefined && problem.rule === 'manifest-mismatch' && problem.path !== MANIFEST_FILE && !committed.has(problem.path);
    const message = draft ? `${basename(problem.path)} changed since make sum recorded it, and git has not committed it yet: run make sum when it is ready.` : problem.message;
    pushBuiltin(violations, severityOf, problem.rule, displayPath(target, problem.path), problem.line, 1, message, problem.line, 1, draft ? 'warning' : undefined);
  }

  // Parse only what the cache cannot answer.
  const pairTexts = pairs.map((pair) => readPair(pair, folder));
  const files = pairTexts.reduce((sum, t) => sum + t.files, 0);
  const options: VerifyOptions = {
    allowDestructive: Boolean(input.allowDestructive),
    ...(input.postgresVersion !== undefined ? { postgresVersion: input.postgresVersion } : {}),
    ...(input.startsEmpty?.includes(target.directory) ? { startsEmpty: true } : {}),
    ...(input.standbys ? { standbys: true } : {}),
  };
  const known = new Set([...input.rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES), ...(input.knownRules ?? [])]);
  const active = input.rules.filter((rule) => severityOf(rule.meta.name, rule.meta.severity) !== undefined);
  const summaries: MigrationSummary[] = pairs.map((p) => ({ version: p.version, name: p.name, upPath: p.upPath, downPath: p.downPath }));

  const baselinePath = input.baselines?.[resolve(target.directory)];
  const baseline = baselinePath ? await readBaseline(baselinePath, displayPathOf(baselinePath)).catch((error: Error) => Promise.reject(new UsageError(error.message))) : undefined;
  if (baseline?.parsed.error) {
    const at = baseline.lines.position(baseline.parsed.error.offset);
    throw new UsageError(`${baseline.path}:${at.line}:${at.column}: the baseline does not parse: ${baseline.parsed.error.message}`);
  }
  const seed = seedKey([target.display, input.rules.map((r) => r.meta.name), settings, options, [...known], baseline?.text ?? '']);
  // The chain keys only address the result cache: without it (--no-cache) nothing is hashed.
  const keys: string[] = [];
  if (input.cache !== false) pairTexts.reduce((previous, t, i) => {
    // The layout and diesel's metadata.toml decide how the migration runs, so they are part of its key.
    const pair = pairs[i]!;
    const key = chainKey(previous, `${pair.name}\0${pair.layout}\0${t.metadata ?? ''}`, t.upText, t.downText);
    keys.push(key);
    return key;
  }, seed);

  const directory = input.cache === false ? undefined : (cacheDirectory(target.directory) ?? cacheDirectory());
  const cache = directory ? new ResultCache(directory, createHash('sha1').update(target.directory).digest('hex').slice(0, 16)) : undefined;
  let firstMiss = cache ? keys.findIndex((key) => cache.get(key) === undefined) : 0;
  if (firstMiss === -1) firstMiss = pairs.length;
  // Something must be parsed: start compiling the parser while the saved model is read.
  if (firstMiss < pairs.length) loadParser().catch(() => undefined);

  // Start from the latest saved model at or before the first miss.
  let start = 0;
  let model = new SchemaModel();
  if (baseline) replayBaseline(baseline, model);
  // Everything answered by the cache: no model is needed (start past the end), and nothing new to save.
  if (cache && firstMiss === pairs.length) start = pairs.length;
  else if (cache && firstMiss > 0) {
    for (let j = firstMiss - 1; j >= 0; j--) {
      if (!cache.hasSnapshot(keys[j]!)) continue;
      const snapshot = cache.snapshot(keys[j]!);
      if (snapshot) {
        model = SchemaModel.fromSnapshot(snapshot);
        start = j + 1;
      }
      break;
    }
  }

  const migrations: Migration[] = [];
  for (let i = 0; i < pairs.length; i++) {
    const key = keys[i] ?? '';
    if (i < start) {
      cache?.keep(key);
      appendAll(violations, (cache?.get(key) ?? []).filter((v) => keep(v.file)).map((v) => ({ ...v, file: displayPath(target, v.file) })));
      continue;
    }
    const text = pairTexts[i]!;
    await loadParser();
    if (text.upText === undefined) continue;
    const migration = toMigration(folder, pairs[i]!, (path) => displayPath(target, path));
    if (!migration) continue;
    migrations.push(migration);
    const cached = i < firstMiss ? cache?.get(key) : undefined;
    if (cached) {
      // Replay the model only; the violations are known.
      cache?.keep(key);
      replayModel(migration, model);
      appendAll(violations, cached.filter((v) => keep(v.file)).map((v) => ({ ...v, file: displayPath(target, v.file) })));
    } else {
      const found = checkMigration(migration, model, active, summaries, options, severityOf, known);
      cache?.set(key, found.map((v) => ({ ...v, file: relativeTo(target, v.file) })));
      appendAll(violations, found.filter((v) => keep(relativeTo(target, v.file))));
    }
    if (cache && (i >= pairs.length - 2 || (i + 1) % 512 === 0)) cache.addSnapshot(key, model.toSnapshot());
  }
  if (firstMiss < pairs.length) cache?.save();
  const layouts = [...new Set(pairs.map((p) => p.layout))].map((layout) => ({ folder: target.display, layout, migrations: pairs.filter((p) => p.layout === layout).length }));
  return { files, migrations, violations, layouts };
}

/** The baseline's objects, as if a migration before the first had made them. */
function replayBaseline(baseline: SourceFile, model: SchemaModel): void {
  for (const statement of baseline.parsed.statements) model.apply(statement, { migration: BASELINE, file: baseline.path });
  model.commit();
}

/** push(...items) overflows the call stack past about 100,000 items; a file can report more. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

function relativeTo(target: Target, path: string): string {
  return target.display === '.' ? path : path.slice(target.display.length + 1);
}

interface PairTexts {
  readonly files: number;
  readonly upText?: string;
  readonly downText?: string;
  /** diesel's metadata.toml. */
  readonly metadata?: string;
}

function readPair(pair: MigrationFolder['pairs'][number], folder: MigrationFolder): PairTexts {
  // Only files that could be read count as checked: a folder or a pipe named like a migration is reported, not checked.
  const upText = folder.content(pair.upPath)?.text;
  if (pair.singleFile) return { files: upText === undefined ? 0 : 1, upText };
  const downText = pair.downPath ? folder.content(pair.downPath)?.text : undefined;
  const metadata = pair.metadataPath ? folder.content(pair.metadataPath)?.text : undefined;
  return { files: (upText === undefined ? 0 : 1) + (downText === undefined ? 0 : 1), upText, downText, ...(metadata !== undefined ? { metadata } : {}) };
}

