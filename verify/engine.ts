// Load the set, parse once, replay the schema, run every rule, apply directives: violations as data.
import { statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { loadParser, type Statement } from '../core/migrations/parse.js';
import type { Directive } from '../core/migrations/directives.js';
import type { Migration, MigrationSummary, SourceFile } from '../core/migrations/layout.js';
import { readMigrationFolder, type MigrationFolder } from '../core/migrations/folder.js';
import { toMigration } from '../core/migrations/migration.js';
import { SchemaModel } from './schema-model.js';
import { changesOf } from './changes.js';
import { createHash } from 'node:crypto';
import { cacheDirectory, chainKey, ResultCache, seedKey } from './cache.js';
import { formatMessage, type Rule, type RuleSetting, type RuleVisitor, type Severity, type VerifyOptions, type Violation } from './rule.js';
import { manifestProblems } from '../core/migrations/manifest.js';

export interface VerifyInput {
  /** Directories or files; a file brings its directory's whole set as context but only its own violations are kept. */
  readonly paths: readonly string[];
  readonly rules: readonly Rule[];
  readonly settings?: Readonly<Record<string, RuleSetting>>;
  readonly allowDestructive?: boolean;
  /** Texts to use instead of the files on disk (absolute path → text), e.g. what git has staged. */
  readonly contents?: ReadonlyMap<string, string>;
  /** false: neither read nor write the result cache (--no-cache). */
  readonly cache?: boolean;
  /** Rule ids that exist though they do not run here (disabled, or executed-only); `ignore` may name them. */
  readonly knownRules?: readonly string[];
}

export interface VerifyResult {
  /** Number of migration files read. */
  readonly files: number;
  readonly migrations: readonly Migration[];
  readonly violations: readonly Violation[];
}

/** Engine-level checks, reported like rules. */
export const BUILTIN_RULES: Readonly<Record<string, { severity: Severity; description: string }>> = {
  'syntax-error': { severity: 'error', description: 'The file does not parse as PostgreSQL 18 SQL.' },
  'invalid-directive': { severity: 'error', description: 'A -- verify: directive is unknown or gives no reason.' },
  'unused-directive': { severity: 'warning', description: 'A -- verify: directive suppresses nothing.' },
  'bad-file-name': { severity: 'error', description: 'A .sql file in the set does not follow <version>_<slug>.up.sql / .down.sql.' },
  'unpaired-down': { severity: 'error', description: 'A down file has no up file.' },
  'missing-up-marker': { severity: 'error', description: 'A file in a dbmate folder has no -- migrate:up line, so dbmate refuses to run it.' },
  'duplicate-version': { severity: 'error', description: 'Two migrations share one version.' },
  unreadable: { severity: 'error', description: 'A path cannot be read.' },
  'manifest-mismatch': { severity: 'error', description: 'A migration file recorded in migrations.sum was edited or deleted since, or migrations.sum does not add up.' },
  'manifest-missing': { severity: 'warning', description: 'A migration file is not recorded in migrations.sum (a folder without migrations.sum is not checked).' },
};

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
  let files = 0;
  for (const target of targets) {
    const result = await verifyDirectory(target, input);
    files += result.files;
    appendAll(migrations, result.migrations);
    appendAll(violations, result.violations);
  }
  violations.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.column - b.column || (a.rule < b.rule ? -1 : 1)));
  return { files, migrations, violations };
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

async function verifyDirectory(target: Target, input: VerifyInput): Promise<{ files: number; migrations: Migration[]; violations: Violation[] }> {
  const violations: Violation[] = [];
  const settings = input.settings ?? {};
  const severityOf = (rule: string, fallback: Severity): Severity | undefined => {
    const setting = settings[rule];
    if (setting === 'off') return undefined;
    return setting ?? fallback;
  };
  const keep = (path: string): boolean => !target.only || target.only.has(basename(path));
  const folder = readMigrationFolder(target.directory, { contents: target.contents });
  const { pairs } = folder;

  for (const problem of folder.problems) {
    if (!keep(problem.path)) continue;
    pushBuiltin(violations, severityOf, problem.code, displayPath(target, problem.path), 1, 1, problem.message);
  }
  // migrations.sum, when the folder has one: recorded files must be unchanged, new files recorded.
  for (const problem of manifestProblems(folder)) {
    if (keep(problem.path)) pushBuiltin(violations, severityOf, problem.rule, displayPath(target, problem.path), problem.line, 1, problem.message);
  }

  // Parse only what the cache cannot answer.
  const pairTexts = pairs.map((pair) => readPair(pair, folder));
  const files = pairTexts.reduce((sum, t) => sum + t.files, 0);
  const options: VerifyOptions = { allowDestructive: Boolean(input.allowDestructive) };
  const known = new Set([...input.rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES), ...(input.knownRules ?? [])]);
  const active = input.rules.filter((rule) => severityOf(rule.meta.name, rule.meta.severity) !== undefined);
  const summaries: MigrationSummary[] = pairs.map((p) => ({ version: p.version, name: p.name, upPath: p.upPath, downPath: p.downPath }));

  const seed = seedKey([target.display, input.rules.map((r) => r.meta.name), settings, options, [...known]]);
  const keys: string[] = [];
  pairTexts.reduce((previous, t, i) => {
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

  // Start from the latest saved model at or before the first miss.
  let start = 0;
  let model = new SchemaModel();
  if (cache && firstMiss > 0) {
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
    const key = keys[i]!;
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
  cache?.save();
  return { files, migrations, violations };
}

/** Run every rule over one migration, replaying it into the model; the down's effects are undone afterwards. */
function checkMigration(migration: Migration, model: SchemaModel, active: readonly Rule[], set: readonly MigrationSummary[], options: VerifyOptions, severityOf: SeverityOf, known: ReadonlySet<string>): Violation[] {
  const raw: RawViolation[] = [];
  const broken = migration.up.parsed.error !== undefined || migration.down?.parsed.error !== undefined;
  const visitors: Array<{ rule: Rule; visitor: RuleVisitor }> = broken
    ? []
    : active.map((rule) => ({
        rule,
        visitor: rule.create({
          migration,
          set,
          schema: model,
          options,
          report: (d) => raw.push({ rule, messageId: d.messageId, file: d.file, at: d.at, endAt: d.endAt, data: d.data }),
        }),
      }));
  // A file that does not parse is reported as a syntax error only: judging half a migration would cry wolf.
  replayFile(migration, migration.up, 'up', model, visitors);
  const afterUp = model.mark();
  if (migration.down) replayFile(migration, migration.down, 'down', model, visitors);
  for (const { visitor } of visitors) visitor.migrationEnd?.();
  model.rollback(afterUp);
  model.commit();
  const files = [migration.up, migration.down].filter((f): f is SourceFile => f !== undefined);
  return settle(migration, raw, severityOf, options, files, known);
}

/** push(...items) overflows the call stack past about 100,000 items; a file can report more. */
function appendAll<T>(target: T[], items: readonly T[]): void {
  for (const item of items) target.push(item);
}

/** The statement whose text holds byte `at` (statements are in file order: a binary search, files can hold 100,000). */
function statementAt(statements: readonly Statement[], at: number): Statement | undefined {
  let lo = 0;
  let hi = statements.length - 1;
  let found: Statement | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const candidate = statements[mid]!;
    if (candidate.start <= at) {
      found = candidate;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found && at <= Math.max(found.end, found.start) ? found : undefined;
}

function replayModel(migration: Migration, model: SchemaModel): void {
  if (migration.up.parsed.error) return;
  for (const statement of migration.up.parsed.statements) model.apply(statement, { migration: migration.name, file: migration.up.path });
  model.commit();
}

function relativeTo(target: Target, path: string): string {
  return target.display === '.' ? path : path.slice(target.display.length + 1);
}

function replayFile(migration: Migration, file: SourceFile, side: 'up' | 'down', model: SchemaModel, visitors: Array<{ visitor: RuleVisitor }>): void {
  for (const statement of file.parsed.statements) {
    const changes = changesOf(statement, model);
    for (const { visitor } of visitors) visitor.statement?.({ statement, file, side, schema: model, changes, migration });
    model.apply(statement, { migration: migration.name, file: file.path });
  }
  for (const { visitor } of visitors) visitor.fileEnd?.({ file, side, schema: model });
}

interface PairTexts {
  readonly files: number;
  readonly upText?: string;
  readonly downText?: string;
  /** diesel's metadata.toml. */
  readonly metadata?: string;
}

function readPair(pair: MigrationFolder['pairs'][number], folder: MigrationFolder): PairTexts {
  const upText = folder.content(pair.upPath)?.text;
  if (pair.singleFile) return { files: 1, upText };
  const downText = pair.downPath ? folder.content(pair.downPath)?.text : undefined;
  const metadata = pair.metadataPath ? folder.content(pair.metadataPath)?.text : undefined;
  return { files: pair.downPath ? 2 : 1, upText, downText, ...(metadata !== undefined ? { metadata } : {}) };
}

type SeverityOf = (rule: string, fallback: Severity) => Severity | undefined;

interface RawViolation {
  readonly rule: Rule;
  readonly messageId: string;
  readonly file: SourceFile;
  readonly at: number;
  readonly endAt?: number;
  readonly data?: Readonly<Record<string, string | number>>;
}

function pushBuiltin(out: Violation[], severityOf: SeverityOf, rule: string, file: string, line: number, column: number, message: string, endLine = line, endColumn = column): void {
  const severity = severityOf(rule, BUILTIN_RULES[rule]?.severity ?? 'error');
  if (!severity) return;
  out.push({ file, line, column, endLine, endColumn, rule, severity, message });
}

/** Apply directives to the raw reports, then add syntax errors and directive problems. */
function settle(migration: Migration, raw: RawViolation[], severityOf: SeverityOf, options: VerifyOptions, files: SourceFile[], known: ReadonlySet<string>): Violation[] {
  const out: Violation[] = [];
  const used = new Set<Directive>();
  const irreversible = [migration.down, migration.up].flatMap((f) => f?.directives.filter((d) => d.kind === 'irreversible') ?? []);
  for (const report of raw) {
    const meta = report.rule.meta;
    const statement = statementAt(report.file.parsed.statements, report.at);
    const covers = (d: Directive): boolean => d.scope === 'file' || (statement !== undefined && d.scope === statement.index);
    const ignore = report.file.directives.find((d) => d.kind === 'ignore' && d.rules.includes(meta.name) && covers(d));
    if (ignore) {
      used.add(ignore);
      continue;
    }
    if (meta.allowedBy === 'allow-destructive') {
      if (options.allowDestructive) continue;
      const allow = report.file.directives.find((d) => d.kind === 'allow-destructive' && covers(d));
      if (allow) {
        used.add(allow);
        continue;
      }
    }
    if (meta.name === 'down-reverses-up' && irreversible.length) {
      irreversible.forEach((d) => used.add(d));
      continue;
    }
    const severity = severityOf(meta.name, meta.severity);
    if (!severity) continue;
    const start = report.file.lines.position(report.at);
    const end = report.file.lines.position(report.endAt ?? statement?.end ?? report.at);
    const template = meta.messages[report.messageId] ?? report.messageId;
    const help = meta.help?.[report.messageId];
    out.push({
      file: report.file.path,
      line: start.line,
      column: start.column,
      endLine: end.line,
      endColumn: end.column,
      rule: meta.name,
      severity,
      message: formatMessage(template, report.data),
      messageId: report.messageId,
      ...(help ? { help: formatMessage(help, report.data) } : {}),
    });
  }
  for (const file of files) {
    const error = file.parsed.error;
    if (error) {
      const at = file.lines.position(error.offset);
      pushBuiltin(out, severityOf, 'syntax-error', file.path, at.line, at.column, `${capitalize(error.message)}.`);
    }
    for (const directive of file.directives) {
      const at = file.lines.position(directive.start);
      const end = file.lines.position(directive.end);
      const unknown = directive.kind === 'ignore' ? directive.rules.filter((r) => !known.has(r)) : [];
      if (unknown.length) {
        pushBuiltin(out, severityOf, 'invalid-directive', file.path, at.line, at.column, `Directive verify:ignore names unknown rule ${unknown.join(', ')}: check the spelling (verify-migrations --list-rules).`, end.line, end.column);
        continue;
      }
      if (directive.kind === 'invalid') pushBuiltin(out, severityOf, 'invalid-directive', file.path, at.line, at.column, directive.problem ?? 'Invalid directive.', end.line, end.column);
      else if ((directive.kind === 'ignore' || directive.kind === 'allow-destructive' || directive.kind === 'irreversible') && !used.has(directive) && !file.parsed.error) {
        if (directive.kind === 'allow-destructive' && options.allowDestructive) continue;
        if (directive.kind === 'ignore' && directive.rules.some((r) => severityOf(r, 'error') === undefined)) continue;
        const what = directive.kind === 'ignore' ? `verify:ignore ${directive.rules.join(',')}` : `verify:${directive.kind}`;
        const why = directive.scope === 'none' ? 'it stands directly above no statement' : 'nothing here breaks that rule';
        pushBuiltin(out, severityOf, 'unused-directive', file.path, at.line, at.column, `Directive ${what} suppresses nothing (${why}): remove it.`, end.line, end.column);
      }
    }
  }
  return out;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
