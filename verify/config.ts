// Settings from the repo-root config file and the command line, merged (command line wins).
import { existsSync } from 'node:fs';
import { NotRegularFileError, readRegularFile } from '../core/regular-file.js';
import { dirname, resolve } from 'node:path';
import type { RuleSetting } from './rule.js';
import { UsageError } from './engine.js';
import { canonicalRule } from '../core/migrations/rule-aliases.js';

export const CONFIG_FILE = 'verify-migrations.json';

export interface Settings {
  readonly rules: Record<string, RuleSetting>;
  readonly allowDestructive: boolean;
  /** Absolute folders whose history starts from an empty database: object-missing may say what does not exist. */
  readonly startsEmpty: readonly string[];
  /** The PostgreSQL major version the migrations target ("postgresVersion"); undefined: the default (15). */
  readonly postgresVersion?: number;
  /** Per absolute folder, the absolute path of the SQL of what existed before its first migration ("baseline"). */
  readonly baselines: Readonly<Record<string, string>>;
  /** The migrations run on a primary with streaming standbys ("standbys": true). */
  readonly standbys?: boolean;
}

/** A PostgreSQL major version as the config file or --pg-version gives it: 15, 16, 17, 18 ("17.2" reads as 17). */
export function parsePostgresVersion(value: unknown, source: string): number {
  const major = typeof value === 'number' ? Math.trunc(value) : typeof value === 'string' && /^\d+(\.\d+)?$/.test(value.trim()) ? Number.parseInt(value, 10) : NaN;
  if (!Number.isInteger(major) || major < 10 || major > 99) throw new UsageError(`${source}: the PostgreSQL version must be a major version such as 15 or 17, got ${JSON.stringify(value)}.`);
  return major;
}

const SETTINGS: Readonly<Record<string, RuleSetting>> = { off: 'off', warn: 'warning', warning: 'warning', error: 'error' };

export function parseRuleSetting(text: string, known: ReadonlySet<string>, source: string): [string, RuleSetting] {
  const match = /^([a-z0-9-]+)=([a-z]+)$/.exec(text.trim());
  if (!match) throw new UsageError(`${source}: expected <rule>=off|warn|error, got "${text}".`);
  const [, written, value] = match;
  const rule = canonicalRule(written!);
  if (!known.has(rule)) throw new UsageError(`${source}: unknown rule "${rule}" (see --list-rules).`);
  const setting = SETTINGS[value!];
  if (!setting) throw new UsageError(`${source}: "${value}" is not off, warn or error.`);
  return [rule, setting];
}

/** Read verify-migrations.json if present: { "rules": { "<id>": "off|warn|error" }, "allowDestructive": false, "startsEmpty": ["sql"], "postgresVersion": 15, "baseline": { "<folder>": "<file.sql>" }, "standbys": false } (paths relative to the file). */
export function readConfigFile(path: string, known: ReadonlySet<string>, required: boolean): Settings {
  if (!existsSync(path)) {
    if (required) throw new UsageError(`Cannot read config file ${path}: no such file.`);
    return { rules: {}, allowDestructive: false, startsEmpty: [], baselines: {} };
  }
  let text: string;
  try {
    text = readRegularFile(path).toString('utf8');
  } catch (error) {
    throw new UsageError(`Cannot read config file ${path}: ${error instanceof NotRegularFileError ? `it is ${error.kind}` : ((error as NodeJS.ErrnoException).code ?? (error as Error).message)}.`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message}).`);
  }
  if (!raw || typeof raw !== 'object') throw new UsageError(`${path}: expected a JSON object.`);
  const object = raw as { rules?: Record<string, unknown>; allowDestructive?: unknown; startsEmpty?: unknown; postgresVersion?: unknown; baseline?: unknown; standbys?: unknown };
  if (object.standbys !== undefined && typeof object.standbys !== 'boolean') throw new UsageError(`${path}: "standbys" must be true or false (true: the migrations run on a primary with streaming standbys).`);
  if (object.startsEmpty !== undefined && (!Array.isArray(object.startsEmpty) || object.startsEmpty.some((f) => typeof f !== 'string'))) {
    throw new UsageError(`${path}: "startsEmpty" must be a list of migration folders, e.g. ["sql"].`);
  }
  const startsEmpty = ((object.startsEmpty ?? []) as string[]).map((folder) => resolve(dirname(resolve(path)), folder));
  const baseline = object.baseline ?? {};
  if (typeof baseline !== 'object' || Array.isArray(baseline) || Object.values(baseline as object).some((f) => typeof f !== 'string')) {
    throw new UsageError(`${path}: "baseline" must map a migration folder to the SQL file of what existed before it, e.g. {"sql": "db/baseline.sql"}.`);
  }
  const baselines = Object.fromEntries(Object.entries(baseline as Record<string, string>).map(([folder, file]) => [resolve(dirname(resolve(path)), folder), resolve(dirname(resolve(path)), file)]));
  const rules: Record<string, RuleSetting> = {};
  for (const [rule, value] of Object.entries(object.rules ?? {})) {
    const [id, setting] = parseRuleSetting(`${rule}=${String(value)}`, known, path);
    rules[id] = setting;
  }
  const postgresVersion = object.postgresVersion === undefined ? undefined : parsePostgresVersion(object.postgresVersion, `${path}: "postgresVersion"`);
  return { rules, allowDestructive: object.allowDestructive === true, startsEmpty, baselines, ...(postgresVersion !== undefined ? { postgresVersion } : {}), ...(object.standbys === true ? { standbys: true } : {}) };
}
