// Layouts: naming, pairing and ordering of migration files, and how each runner runs them. Pure: folder.ts lists.
import type { ParsedSql } from './parse.js';
import type { Directive } from './directives.js';
import { LineIndex } from './source-position.js';

export interface SourceFile {
  /** The path as given plus the file name, used in every message. */
  readonly path: string;
  readonly text: string;
  readonly lines: LineIndex;
  readonly parsed: ParsedSql;
  readonly directives: readonly Directive[];
}

/** The tool a migration's file layout belongs to: it decides how the migration is run. */
export type Layout =
  | 'paired'
  | 'golang-migrate'
  | 'popx'
  | 'diesel'
  | 'sourcegraph'
  | 'dbmate'
  | 'node-pg-migrate'
  | 'goose'
  | 'sql-migrate'
  | 'flyway'
  | 'sqitch'
  | 'liquibase';

/** What messages say of a layout: its runner, what one unit of work is, where a down goes, how to ask for no transaction. */
export interface LayoutFacts {
  /** The tool's name as a sentence says it ('the runner' for ours). */
  readonly runner: string;
  /** What the runner sends or runs as one piece: a file, a section of a file, a changeset. */
  readonly unit: 'file' | 'section' | 'changeset';
  /** Where the down of a migration belongs, as a help names it. */
  downLabel(name: string): string;
  /** How a migration asks its runner for no transaction, as the end of a help sentence. */
  optOut(side: 'up' | 'down'): string;
}

const NO_TRANSACTION_HEADER = 'start its files with -- migrate:no-transaction';

export const LAYOUTS: Readonly<Record<Layout, LayoutFacts>> = {
  paired: { runner: 'the runner', unit: 'file', downLabel: (name) => `${name}.down.sql`, optOut: () => NO_TRANSACTION_HEADER },
  'golang-migrate': { runner: 'golang-migrate', unit: 'file', downLabel: (name) => `${name}.down.sql`, optOut: () => NO_TRANSACTION_HEADER },
  popx: { runner: 'popx', unit: 'file', downLabel: (name) => `${name}.down.sql`, optOut: (side) => `rename its file to <version>_<name>.autocommit.${side}.sql` },
  diesel: { runner: 'diesel', unit: 'file', downLabel: (name) => `${name}/down.sql`, optOut: () => 'set run_in_transaction = false in its metadata.toml' },
  sourcegraph: { runner: 'the Sourcegraph migrator', unit: 'file', downLabel: (name) => `${name}/down.sql`, optOut: () => 'set createIndexConcurrently: true in its metadata.yaml' },
  dbmate: { runner: 'dbmate', unit: 'section', downLabel: () => 'a -- migrate:down section', optOut: (side) => `mark its section -- migrate:${side} transaction:false` },
  'node-pg-migrate': { runner: 'node-pg-migrate', unit: 'section', downLabel: () => 'a -- Down Migration section', optOut: () => NO_TRANSACTION_HEADER },
  goose: { runner: 'goose', unit: 'section', downLabel: () => 'a -- +goose Down section', optOut: () => 'put -- +goose NO TRANSACTION at the top of its file' },
  'sql-migrate': { runner: 'sql-migrate', unit: 'section', downLabel: () => 'a -- +migrate Down section', optOut: (side) => `mark its section -- +migrate ${side === 'up' ? 'Up' : 'Down'} notransaction` },
  flyway: { runner: 'Flyway', unit: 'file', downLabel: (name) => `${name.replace(/^V/, 'U')}.sql`, optOut: () => 'set executeInTransaction=false in its <file>.sql.conf' },
  sqitch: { runner: 'Sqitch', unit: 'file', downLabel: (name) => `revert/${name}.sql`, optOut: () => 'leave BEGIN and COMMIT out of its file' },
  liquibase: { runner: 'Liquibase', unit: 'changeset', downLabel: () => 'a --rollback line in its changeset', optOut: () => 'add runInTransaction:false to its --changeset line' },
};

/**
 * How the runner of a layout runs one file (for dbmate: one section) of a migration.
 * - 'per-migration': inside a transaction the runner opens around it (ours, node-pg-migrate, diesel and dbmate by default);
 * - 'none': statement by statement, each committing on its own (ours and node-pg-migrate with `-- migrate:no-transaction`);
 * - 'implicit-per-file': the whole file sent as one simple-protocol query in no transaction: PostgreSQL runs a file of
 *   several statements as one implicit transaction block, and a file of one statement outside any
 *   (golang-migrate always; diesel with `run_in_transaction = false`; dbmate with `transaction:false`).
 */
export type TransactionMode = 'per-migration' | 'none' | 'implicit-per-file';

export interface Migration {
  readonly version: string;
  /** `<version>_<slug>` */
  readonly name: string;
  readonly up: SourceFile;
  readonly down?: SourceFile;
  readonly layout: Layout;
  /** How the layout's runner runs the up and the down. */
  readonly transaction: { readonly up: TransactionMode; readonly down: TransactionMode };
  /** Either side runs statement by statement ('none'): the statements of a file do not commit or fail together. */
  readonly noTransaction: boolean;
  /** Where the down belongs, as a help names it: `<name>.down.sql`, `<folder>/down.sql`, `a -- migrate:down section`. */
  readonly downLabel: string;
  /** The reason of the down's `-- verify:irreversible <reason>`: the migration cannot be rolled back. */
  readonly irreversible?: string;
}

/** Whether the statements of this side run inside a transaction block: the runner's, or the implicit one of a multi-statement query. */
export function inTransactionBlock(migration: Migration, side: 'up' | 'down'): boolean {
  const mode = migration.transaction[side];
  if (mode === 'per-migration') return true;
  if (mode === 'none') return false;
  const file = side === 'up' ? migration.up : migration.down;
  return (file?.parsed.statements.length ?? 0) > 1;
}

/** The tool's name, as messages say it. */
export function runnerOf(layout: Layout): string {
  return LAYOUTS[layout].runner;
}

/** What every rule may know of the whole set without parsing it. */
export interface MigrationSummary {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
}

export interface MigrationFileName {
  readonly path: string;
  readonly version: string;
  readonly name: string;
  /** 'up'/'down' for paired files; 'both' for one file holding both sections (dbmate, node-pg-migrate). */
  readonly direction: 'up' | 'down' | 'both';
  /** Known from the name, except for single files (dbmate or node-pg-migrate: their markers tell, see resolveSingleFiles). */
  readonly layout?: Layout;
  /** diesel: the migration folder's metadata.toml; sourcegraph: its metadata.yaml; flyway: the file's .conf. */
  readonly metadataPath?: string;
  /** popx: `.autocommit.` in the name runs the file outside a transaction. */
  readonly autocommit?: boolean;
  /** popx: the SQL dialect the name is for; undefined for a generic file. */
  readonly dialect?: string;
  /** liquibase: the changeset's index in its file. */
  readonly changeset?: number;
  /** flyway: a repeatable (R__) migration, re-applied whenever it changes and never rolled back. */
  readonly repeatable?: boolean;
}

/** A problem with the set itself (naming, pairing), reported before any rule runs. */
export interface SetProblem {
  readonly path: string;
  readonly code: 'unpaired-down' | 'bad-file-name' | 'duplicate-version' | 'unreadable' | 'missing-up-marker';
  readonly message: string;
}

/** One entry of a directory listing: a file, or a folder with the files it holds (diesel's layout). */
export interface ListingEntry {
  readonly name: string;
  readonly children?: readonly string[];
}

/** `<version>_<slug>.up.sql` / `.down.sql`: ours, golang-migrate, concourse, popx (any digits, slug of letters, digits, _ . and -). */
const PAIRED_FILE = /^(\d+)_([A-Za-z0-9_.-]+?)\.(up|down)\.sql$/;
/** popx's slug: `<name>[.<dialect>][.autocommit]` (ory/x popx). */
const POPX_SLUG = /^(.+?)((?:\.(?:postgres|cockroach|mysql|sqlite3|sqlite|autocommit))+)$/;
/** Our runner's versions: a 14-digit timestamp. Paired files with other versions are golang-migrate's. */
const OUR_VERSION = /^\d{14}$/;
/** `<version>_<slug>.sql`: dbmate, node-pg-migrate, goose and sql-migrate keep up and down in one file. */
const SINGLE_FILE = /^(\d+)_([A-Za-z0-9_.-]+)\.sql$/;
/** Any other name dbmate, goose or sql-migrate accept (`^(\d+).*\.sql$`): a migration only if its markers say so. */
const LOOSE_FILE = /^(\d+).*\.sql$/;
/** diesel and sourcegraph: a folder `<version>_<name>` (diesel's version may hold dashes) with up.sql and down.sql. */
const MIGRATION_FOLDER = /^([\d-]+)_([A-Za-z0-9_.-]+)$/;
/** Flyway: `V<version>__<description>.sql`, its undo `U<version>__<description>.sql`, a repeatable `R__<description>.sql`. */
const FLYWAY_FILE = /^([VU])(\d+(?:[._]\d+)*)__(.+)\.sql$/;
const FLYWAY_REPEATABLE = /^R__(.+)\.sql$/;

/**
 * Classify a listing by names alone; anything that is not SQL (README.md, .gitkeep) is ignored. `loose` holds the
 * names only their markers can claim (`00000000000000-initial-schema.sql`), `unknown` the .sql names no layout gives:
 * resolveSingleFiles() decides from their text what they are.
 */
export function classifyFiles(entries: readonly (string | ListingEntry)[]): { files: MigrationFileName[]; problems: SetProblem[]; loose: MigrationFileName[]; unknown: string[] } {
  const files: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  const loose: MigrationFileName[] = [];
  const unknown: string[] = [];
  const listed = entries.map((raw) => (typeof raw === 'string' ? { name: raw } : raw));
  const names = new Set(listed.filter((e) => !e.children).map((e) => e.name));
  // A folder of `<version>_<slug>.up.sql` pairs (ours, golang-migrate, popx).
  const pairedFolder = listed.some((e) => !e.children && PAIRED_FILE.test(e.name.split('/').pop() ?? e.name));
  // popx: one file named for a dialect (or autocommit) makes the folder popx's, generic files included.
  const popx = listed.some((e) => !e.children && PAIRED_FILE.test(e.name) && POPX_SLUG.test(PAIRED_FILE.exec(e.name)![2]!));
  for (const entry of listed) {
    if (entry.children) {
      const folder = MIGRATION_FOLDER.exec(entry.name);
      if (!folder) continue;
      const sourcegraph = entry.children.includes('metadata.yaml');
      const layout: Layout = sourcegraph ? 'sourcegraph' : 'diesel';
      const version = folder[1]!.replace(/-/g, '');
      const metadata = sourcegraph ? 'metadata.yaml' : entry.children.includes('metadata.toml') ? 'metadata.toml' : undefined;
      const base = { version, name: entry.name, layout, ...(metadata ? { metadataPath: `${entry.name}/${metadata}` } : {}) };
      if (entry.children.includes('up.sql')) files.push({ ...base, path: `${entry.name}/up.sql`, direction: 'up' });
      // A down.sql alone is still listed, so pairFiles() reports it as unpaired.
      if (entry.children.includes('down.sql')) files.push({ ...base, path: `${entry.name}/down.sql`, direction: 'down' });
      continue;
    }
    const path = entry.name;
    const base = path.split('/').pop() ?? path;
    if (!/\.sql$/i.test(base)) continue;
    const paired = PAIRED_FILE.exec(base);
    if (paired) {
      const [, version, slug, direction] = paired as unknown as [string, string, string, 'up' | 'down'];
      if (popx) {
        const parts = POPX_SLUG.exec(slug);
        const suffixes = parts ? parts[2]!.split('.').filter(Boolean) : [];
        const dialect = suffixes.find((s) => s !== 'autocommit');
        const name = `${version}_${parts ? parts[1]! : slug}`;
        files.push({ path, version, name, direction, layout: 'popx', autocommit: suffixes.includes('autocommit'), ...(dialect ? { dialect } : {}) });
      } else {
        files.push({ path, version, name: `${version}_${slug}`, direction, layout: OUR_VERSION.test(version) ? 'paired' : 'golang-migrate' });
      }
      continue;
    }
    const flyway = FLYWAY_FILE.exec(base);
    if (flyway) {
      const [, kind, version, description] = flyway as unknown as [string, 'V' | 'U', string, string];
      const conf = `${path}.conf`;
      files.push({
        path,
        version: version.replace(/_/g, '.'),
        name: `V${version}__${description}`,
        direction: kind === 'V' ? 'up' : 'down',
        layout: 'flyway',
        ...(names.has(conf) ? { metadataPath: conf } : {}),
      });
      continue;
    }
    const repeatable = FLYWAY_REPEATABLE.exec(base);
    if (repeatable) {
      files.push({ path, version: '', name: `R__${repeatable[1]}`, direction: 'both', layout: 'flyway', repeatable: true });
      continue;
    }
    const single = SINGLE_FILE.exec(base);
    // `<version>_<slug>_up.sql` beside `.up.sql` pairs: the runner of the pairs lists only `.up.sql`/`.down.sql`, so it
    // never runs this file (it is not a single-file migration of another tool).
    const misnamed = single && pairedFolder ? /^(.*?)([_.-](?:up|down))$/i.exec(single[2]!) : null;
    if (misnamed) {
      const direction = misnamed[2]!.slice(1).toLowerCase();
      const fixed = `${single![1]}_${misnamed[1]}.${direction}.sql`;
      problems.push({ path, code: 'bad-file-name', message: `File name ends in ${misnamed[2]}.sql instead of .${direction}.sql, so the runner of this folder never runs it: rename ${base} to ${fixed}.` });
      continue;
    }
    if (single) {
      files.push({ path, version: single[1]!, name: `${single[1]}_${single[2]}`, direction: 'both' });
      continue;
    }
    const looseName = LOOSE_FILE.exec(base);
    if (looseName) {
      loose.push({ path, version: looseName[1]!, name: base.slice(0, -'.sql'.length), direction: 'both', layout: 'dbmate' });
      continue;
    }
    if (base.endsWith('.sql')) unknown.push(path);
    else problems.push(badName(path));
  }
  return { files: popx ? preferPostgres(files) : files, problems, loose, unknown };
}

/** popx: of a version's files in one direction, PostgreSQL's own wins over the generic one; other dialects' are not ours. */
function preferPostgres(files: readonly MigrationFileName[]): MigrationFileName[] {
  const specific = new Set(files.filter((f) => f.dialect === 'postgres').map((f) => `${f.version}\0${f.direction}`));
  return files.filter((f) => f.layout !== 'popx' || (f.dialect === undefined ? !specific.has(`${f.version}\0${f.direction}`) : f.dialect === 'postgres'));
}

function badName(path: string): SetProblem {
  const base = path.split('/').pop() ?? path;
  return {
    path,
    code: 'bad-file-name',
    message: /\.sql$/.test(base)
      ? `File name does not match <version>_<slug>.up.sql or .down.sql: rename ${base}, e.g. 20260105090000_create_tags.up.sql.`
      : `Extension of ${base} must be lower-case .sql: rename it to ${base.replace(/\.(up\.|down\.)?sql$/i, (m) => m.toLowerCase())}.`,
  };
}

/** The tools that keep a migration's up and down in one file, each found by its up marker (dbmate's upRegExp, goose's and sql-migrate's annotations). */
const SINGLE_FILE_TOOLS = [
  { layout: 'goose', up: /^--\s*\+goose\s+up\b/im, upLine: '-- +goose Up', downLine: '-- +goose Down' },
  { layout: 'sql-migrate', up: /^--\s*\+migrate\s+up\b/im, upLine: '-- +migrate Up', downLine: '-- +migrate Down' },
  { layout: 'dbmate', up: /^--\s*migrate:up(\s*$|\s+\S+)/m, upLine: '-- migrate:up', downLine: '-- migrate:down' },
] as const;

/** Liquibase's formatted SQL starts with this comment. */
const LIQUIBASE_HEADER = /^\s*--\s*liquibase\s+formatted\s+sql\b/i;
const CHANGESET = /^[ \t]*--[ \t]*changeset[ \t]+([^\s:]+):(\S+)(.*)$/gim;

/**
 * Tell the single files of dbmate, goose, sql-migrate and node-pg-migrate apart by their markers, and find
 * Liquibase's formatted SQL among the other names. A folder where any single file carries a tool's up marker is that
 * tool's: it refuses a file without the marker, so each one lacking it is reported. A name only those tools accept is a
 * migration when its text (or its folder) is theirs, else a bad file name. `textOf` returns undefined for a file that
 * cannot be read (the folder reports it).
 */
export function resolveSingleFiles(
  files: readonly MigrationFileName[],
  loose: readonly MigrationFileName[],
  textOf: (path: string) => string | undefined,
  unknown: readonly string[] = [],
): { files: MigrationFileName[]; problems: SetProblem[] } {
  const singles = [...loose, ...files.filter((f) => f.direction === 'both' && f.layout === undefined)];
  const tool = SINGLE_FILE_TOOLS.find((candidate) => singles.some((f) => candidate.up.test(textOf(f.path) ?? '')));
  const resolved: MigrationFileName[] = [];
  const problems: SetProblem[] = [];
  const missingUp = (file: MigrationFileName): SetProblem => {
    const base = file.path.split('/').pop() ?? file.path;
    const { upLine, downLine, layout } = tool!;
    return {
      path: file.path,
      code: 'missing-up-marker',
      message: `No ${upLine} line in ${base}, so ${layout} refuses to run it: add ${upLine} above its first statement (and ${downLine} above the statements that undo it).`,
    };
  };
  for (const file of files) {
    if (file.direction !== 'both' || file.layout !== undefined) {
      resolved.push(file);
      continue;
    }
    // One tool runs a folder: in dbmate's, a file with node-pg-migrate's `-- Up Migration` is refused too.
    const text = textOf(file.path);
    if (tool && text !== undefined && !tool.up.test(text)) problems.push(missingUp(file));
    resolved.push({ ...file, layout: tool ? tool.layout : 'node-pg-migrate' });
  }
  for (const file of loose) {
    const text = textOf(file.path);
    if (text !== undefined && LIQUIBASE_HEADER.test(text)) {
      unknown = [...unknown, file.path];
    } else if (tool && text !== undefined) {
      if (!tool.up.test(text)) problems.push(missingUp(file));
      resolved.push({ ...file, layout: tool.layout });
    } else problems.push(badName(file.path));
  }
  // Liquibase: each changeset of a formatted-SQL file is a migration, in file order, files by name.
  const liquibase = unknown.filter((path) => LIQUIBASE_HEADER.test(textOf(path) ?? ''));
  for (const [fileIndex, path] of [...liquibase].sort().entries()) {
    const text = textOf(path) ?? '';
    let changeset = 0;
    for (const match of text.matchAll(CHANGESET)) {
      const version = `${String(fileIndex + 1).padStart(4, '0')}${String(changeset + 1).padStart(5, '0')}`;
      resolved.push({ path, version, name: `${match[1]}:${match[2]}`, direction: 'both', layout: 'liquibase', changeset });
      changeset++;
    }
  }
  for (const path of unknown) if (!liquibase.includes(path)) problems.push(badName(path));
  return { files: resolved, problems };
}

export interface PairedFiles {
  readonly version: string;
  readonly name: string;
  readonly upPath: string;
  readonly downPath?: string;
  /** The up and down are sections of the one file at upPath. */
  readonly singleFile: boolean;
  readonly layout: Layout;
  /** diesel's metadata.toml, sourcegraph's metadata.yaml, flyway's .conf. */
  readonly metadataPath?: string;
  /** popx: which side's file is named `.autocommit.` (runs outside a transaction). */
  readonly autocommit?: { readonly up: boolean; readonly down: boolean };
  /** liquibase: the changeset's index in the file at upPath. */
  readonly changeset?: number;
  /** flyway: an R__ migration. */
  readonly repeatable?: boolean;
}

/** Pair up and down files by name and order them by version (numerically, then by name); repeatable ones go last. */
export function pairFiles(files: readonly MigrationFileName[]): { pairs: PairedFiles[]; problems: SetProblem[] } {
  const byName = new Map<string, { up?: MigrationFileName; down?: MigrationFileName; both?: MigrationFileName }>();
  for (const file of files) {
    const key = file.changeset === undefined ? file.name : `${file.path}\0${file.changeset}`;
    const entry = byName.get(key) ?? {};
    entry[file.direction] = file;
    byName.set(key, entry);
  }
  const problems: SetProblem[] = [];
  const pairs: PairedFiles[] = [];
  for (const entry of byName.values()) {
    if (entry.both && !entry.up && !entry.down) {
      const both = entry.both;
      pairs.push({
        version: both.version,
        name: both.name,
        upPath: both.path,
        downPath: both.path,
        singleFile: true,
        layout: both.layout ?? 'node-pg-migrate',
        ...(both.changeset !== undefined ? { changeset: both.changeset } : {}),
        ...(both.repeatable ? { repeatable: true } : {}),
      });
      continue;
    }
    if (!entry.up) {
      const down = entry.down!;
      const message =
        down.layout === 'diesel' || down.layout === 'sourcegraph'
          ? `Folder ${down.name} has down.sql but no up.sql, so ${LAYOUTS[down.layout].runner} refuses the whole migrations folder: add ${down.name}/up.sql or delete ${down.path}.`
          : down.layout === 'flyway'
            ? `Undo file has no versioned migration: add ${down.name}.sql or delete ${down.path}.`
            : down.layout === 'sqitch'
              ? `Revert script ${down.path} has no deploy script: add deploy/${down.name}.sql or delete it.`
              : `Down file has no up file: add ${down.name}.up.sql or delete ${down.path}.`;
      problems.push({ path: down.path, code: 'unpaired-down', message });
      continue;
    }
    const up = entry.up;
    pairs.push({
      version: up.version,
      name: up.name,
      upPath: up.path,
      downPath: entry.down?.path,
      singleFile: false,
      layout: up.layout ?? 'paired',
      ...(up.metadataPath ? { metadataPath: up.metadataPath } : {}),
      ...(up.layout === 'popx' ? { autocommit: { up: Boolean(up.autocommit), down: Boolean(entry.down?.autocommit) } } : {}),
    });
  }
  pairs.sort((a, b) => Number(Boolean(a.repeatable)) - Number(Boolean(b.repeatable)) || compareVersions(a.version, b.version) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const seen = new Map<string, string>();
  for (const pair of pairs) {
    if (pair.repeatable) continue;
    const other = seen.get(pair.version);
    if (other) problems.push({ path: pair.upPath, code: 'duplicate-version', message: `Version ${pair.version} is also used by ${other}: give one of them a new timestamp.` });
    else seen.set(pair.version, pair.name);
  }
  return { pairs, problems };
}

/** Numeric order of versions: digit strings by value, dotted ones (Flyway's 1.10 after 1.9) part by part. */
export function compareVersions(a: string, b: string): number {
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const p = (x[i] ?? '').replace(/^0+/, '');
    const q = (y[i] ?? '').replace(/^0+/, '');
    if (p.length !== q.length) return p.length - q.length;
    if (p !== q) return p < q ? -1 : 1;
  }
  return 0;
}

/**
 * diesel's metadata.toml: `run_in_transaction = false` runs the migration without the transaction diesel otherwise opens
 * (diesel_migrations' TomlMetadata; true when absent). Only the top-level key counts, as TOML has it.
 */
export function dieselRunsInTransaction(toml: string): boolean {
  for (const line of toml.split('\n')) {
    if (/^\s*\[/.test(line)) break;
    const match = /^\s*run_in_transaction\s*=\s*(true|false)\s*(#.*)?$/.exec(line.replace(/\r$/, ''));
    if (match) return match[1] === 'true';
  }
  return true;
}

/** Sourcegraph's metadata.yaml: `createIndexConcurrently: true` runs the migration outside a transaction. */
export function sourcegraphRunsInTransaction(yaml: string): boolean {
  return !/^createIndexConcurrently:\s*true\s*(#.*)?$/m.test(yaml.replace(/\r/g, ''));
}

/** Flyway's per-script configuration (`V1__x.sql.conf`): `executeInTransaction=false`. */
export function flywayRunsInTransaction(conf: string): boolean {
  return !/^\s*executeInTransaction\s*=\s*false\s*$/m.test(conf.replace(/\r/g, ''));
}
