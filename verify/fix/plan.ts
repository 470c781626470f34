// verify-migrations --fix: the rewrites that have one safe answer, planned as byte edits and new files. A fix never
// changes what a migration means (an index stays the same index, a constraint the same constraint, a limit the same
// limit); it only changes how the change is applied. Files git has committed are never edited (migrations are
// immutable once merged): their findings are left as they are, and the plan says so.
import type { IndexStmt } from '@pgsql/types';
import type { Migration, SourceFile } from '../../core/migrations/layout.js';
import type { Statement } from '../../core/migrations/parse.js';
import { statementText } from '../../core/migrations/migration.js';
import { alterTableOf, displayName, nodeOf, relationName } from '../ast.js';
import { defaultConstraintName } from '../schema-model.js';
import type { Violation } from '../rule.js';

/** Replace the bytes [start, end) of a file with `text`. */
export interface FileEdit {
  readonly path: string;
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface NewFile {
  readonly path: string;
  readonly text: string;
}

export interface FixPlan {
  readonly edits: readonly FileEdit[];
  readonly created: readonly NewFile[];
  /** The findings the plan fixes. */
  readonly fixed: readonly Violation[];
  /** Findings a fix exists for but that stand in a file git has committed, which --fix leaves alone. */
  readonly committed: readonly Violation[];
}

export interface PlanOptions {
  /** Whether a file (path as the violations show it) is committed in git: such files are not edited. */
  readonly isCommitted?: (path: string) => boolean;
  /** The versions in use in each folder (for the version of a new migration), by the up path of each migration. */
  readonly now?: Date;
}

const NO_TRANSACTION = '-- migrate:no-transaction\n';

interface Located {
  readonly migration: Migration;
  readonly file: SourceFile;
  readonly statement: Statement;
  readonly at: number;
  readonly end: number;
}

/** The fixes for a verification result's violations (migrations of this repository's own layout only). */
export function planFixes(migrations: readonly Migration[], violations: readonly Violation[], options: PlanOptions = {}): FixPlan {
  const edits: FileEdit[] = [];
  const created: NewFile[] = [];
  const fixed: Violation[] = [];
  const committed: Violation[] = [];
  const byPath = new Map<string, { migration: Migration; file: SourceFile }>();
  for (const migration of migrations) {
    if (migration.layout !== 'paired') continue;
    byPath.set(migration.up.path, { migration, file: migration.up });
    if (migration.down) byPath.set(migration.down.path, { migration, file: migration.down });
  }
  const touched = new Set<string>();
  const versions = new Set(migrations.map((m) => m.version));
  for (const violation of violations) {
    const place = locate(byPath, violation);
    if (!place) continue;
    const fix = FIXES[`${violation.rule}/${violation.messageId}`]?.(place, versions);
    if (!fix) continue;
    const paths = [...new Set(fix.edits.map((e) => e.path))];
    // One fix per migration and run: a second one would edit bytes the first has moved; the next --fix run takes it.
    if (paths.some((p) => touched.has(p))) continue;
    if (paths.some((p) => options.isCommitted?.(p))) {
      committed.push(violation);
      continue;
    }
    for (const p of paths) touched.add(p);
    edits.push(...fix.edits);
    created.push(...(fix.created ?? []));
    for (const file of fix.created ?? []) versions.add(file.path.split('/').pop()!.slice(0, 14));
    fixed.push(violation);
  }
  return { edits, created, fixed, committed };
}

function locate(byPath: ReadonlyMap<string, { migration: Migration; file: SourceFile }>, violation: Violation): Located | undefined {
  const found = byPath.get(violation.file);
  if (!found) return undefined;
  const { file } = found;
  const at = file.lines.offset(violation.line, violation.column);
  const end = file.lines.offset(violation.endLine, violation.endColumn);
  const statement = file.parsed.statements.find((s) => s.start <= at && at <= Math.max(s.end, s.start));
  return statement ? { ...found, statement, at, end } : undefined;
}

type Fix = (place: Located, versions: ReadonlySet<string>) => { edits: FileEdit[]; created?: NewFile[] } | undefined;

/** Fixes by `<rule>/<messageId>`. */
const FIXES: Readonly<Record<string, Fix>> = {
  'require-concurrent-index-creation/createIndex': concurrentIndex,
  'require-concurrent-index-deletion/dropIndex': concurrentIndex,
  'prefer-robust-stmts/createIndex': ({ file, statement }) => robust(file, statement),
  'prefer-robust-stmts/drop': ({ file, statement }) => (statement.kind === 'DropStmt' && statement.node.removeType === 'OBJECT_INDEX' ? robust(file, statement) : undefined),
  'constraint-missing-not-valid/check': notValid,
  'constraint-missing-not-valid/foreignKey': notValid,
  'adding-foreign-key-constraint/addForeignKey': notValid,
  'prefer-timestamp-tz/timestamp': (place) => newTableType(place, /^timestamp(\s*\(\s*\d+\s*\))?(\s+without\s+time\s+zone)?/i, (m) => `timestamptz${m[1] ?? ''}`),
  'prefer-text-field/varchar': (place) => {
    const column = columnAt(place);
    return column ? newTableType(place, /^(?:character\s+varying|varchar)\s*\(\s*(\d+)\s*\)/i, (m) => `text CHECK (length(${column}) <= ${m[1]})`) : undefined;
  },
};

/**
 * CREATE or DROP INDEX alone in its up file, undone by the one opposite statement in its down: both become
 * CONCURRENTLY (and IF [NOT] EXISTS, so a run that failed halfway can run again), and the up file says
 * -- migrate:no-transaction, since a concurrent build cannot run in a transaction.
 */
function concurrentIndex({ migration }: Located): { edits: FileEdit[] } | undefined {
  const { up, down } = migration;
  if (!down || up.parsed.statements.length !== 1 || down.parsed.statements.length !== 1) return undefined;
  const pair = [up, down].map((file) => ({ file, statement: file.parsed.statements[0]! }));
  if (!pair.some(({ statement }) => statement.kind === 'IndexStmt') || !pair.some(({ statement }) => isDropIndex(statement))) return undefined;
  const edits: FileEdit[] = [];
  for (const { file, statement } of pair) {
    const edit = statement.kind === 'IndexStmt' ? concurrentCreate(file, statement) : concurrentDrop(file, statement);
    if (!edit) return undefined;
    edits.push(edit);
  }
  if (!up.directives.some((d) => d.kind === 'no-transaction')) edits.push({ path: up.path, start: 0, end: 0, text: NO_TRANSACTION });
  return { edits };
}

function isDropIndex(statement: Statement): boolean {
  return statement.kind === 'DropStmt' && statement.node.removeType === 'OBJECT_INDEX' && (statement.node.objects ?? []).length === 1;
}

/** `CREATE [UNIQUE] INDEX [CONCURRENTLY] [IF NOT EXISTS] name` with both keywords; an unnamed index has no safe rerun. */
function concurrentCreate(file: SourceFile, statement: Statement): FileEdit | undefined {
  const node = statement.node as IndexStmt;
  if (!node.idxname) return undefined;
  const text = statementText(file, statement);
  const head = /^CREATE\s+(UNIQUE\s+)?INDEX\s+(CONCURRENTLY\s+)?(IF\s+NOT\s+EXISTS\s+)?/i.exec(text);
  if (!head) return undefined;
  const written = `CREATE ${head[1] ? 'UNIQUE ' : ''}INDEX CONCURRENTLY IF NOT EXISTS `;
  return { path: file.path, start: statement.start, end: statement.start + Buffer.byteLength(head[0]), text: written };
}

function concurrentDrop(file: SourceFile, statement: Statement): FileEdit | undefined {
  const text = statementText(file, statement);
  const head = /^DROP\s+INDEX\s+(CONCURRENTLY\s+)?(IF\s+EXISTS\s+)?/i.exec(text);
  if (!head || /\bCASCADE\s*$/i.test(text)) return undefined;
  return { path: file.path, start: statement.start, end: statement.start + Buffer.byteLength(head[0]), text: 'DROP INDEX CONCURRENTLY IF EXISTS ' };
}

/** IF [NOT] EXISTS on an index statement of a no-transaction file. */
function robust(file: SourceFile, statement: Statement): { edits: FileEdit[] } | undefined {
  const edit = statement.kind === 'IndexStmt' ? (statement.node.concurrent ? concurrentCreate(file, statement) : undefined) : statement.node.concurrent ? concurrentDrop(file, statement) : undefined;
  return edit ? { edits: [edit] } : undefined;
}

/**
 * A CHECK or foreign key added to a table in use, the only command of its ALTER TABLE: added NOT VALID (existing rows
 * are not scanned under the lock), and validated by a new migration right after this one, which scans them under a
 * lock that lets reads and writes go on. Together they end with the same constraint, validated.
 */
function notValid({ migration, file, statement }: Located, versions: ReadonlySet<string>): { edits: FileEdit[]; created: NewFile[] } | undefined {
  const alter = alterTableOf(statement);
  if (!alter || alter.commands.length !== 1 || file !== migration.up) return undefined;
  const constraint = nodeOf(alter.commands[0]!.def, 'Constraint');
  if (!constraint || (constraint.contype !== 'CONSTR_CHECK' && constraint.contype !== 'CONSTR_FOREIGN')) return undefined;
  const name = constraint.conname ?? defaultConstraintName(alter.table, constraint);
  const version = nextFreeVersion(migration.version, versions);
  if (!version) return undefined;
  const folder = migration.up.path.slice(0, migration.up.path.length - `${migration.name}.up.sql`.length);
  const slug = `validate_${name}`.replace(/[^a-z0-9_]/g, '_').slice(0, 45);
  const table = displayName(alter.table);
  const quoted = (identifier: string): string => (/^[a-z_][a-z0-9_$]*$/.test(identifier) ? identifier : `"${identifier.replace(/"/g, '""')}"`);
  const tableName = alter.table.split('.').map(quoted).join('.').replace(/^public\./, '');
  return {
    edits: [{ path: file.path, start: statement.end, end: statement.end, text: ' NOT VALID' }],
    created: [
      {
        path: `${folder}${version}_${slug}.up.sql`,
        text: `-- Validates ${name}, which ${migration.name} added NOT VALID: scans ${table} under a SHARE UPDATE EXCLUSIVE lock, so reads and writes go on.\nALTER TABLE ${tableName} VALIDATE CONSTRAINT ${quoted(name)};\n`,
      },
      {
        path: `${folder}${version}_${slug}.down.sql`,
        text: `-- Validating changed no schema (the constraint stays; ${migration.name}'s down drops it): nothing to undo.\nSELECT 1;\n`,
      },
    ],
  };
}

/** The first 14-digit version after `version`, second by second, that no migration uses (within the same minute). */
function nextFreeVersion(version: string, versions: ReadonlySet<string>): string | undefined {
  if (!/^\d{14}$/.test(version)) return undefined;
  const at = Date.UTC(+version.slice(0, 4), +version.slice(4, 6) - 1, +version.slice(6, 8), +version.slice(8, 10), +version.slice(10, 12), +version.slice(12, 14));
  for (let seconds = 1; seconds < 60; seconds++) {
    const next = new Date(at + seconds * 1000).toISOString().replace(/\D/g, '').slice(0, 14);
    if (!versions.has(next)) return next;
  }
  return undefined;
}

/** The column a type finding names, when the statement creates its table. */
function columnAt({ statement, at }: Located): string | undefined {
  if (statement.kind !== 'CreateStmt') return undefined;
  for (const element of statement.node.tableElts ?? []) {
    const column = element.ColumnDef;
    if (column?.typeName?.location === at) return column.colname;
  }
  return undefined;
}

/** A column type written in the CREATE TABLE of a table the file creates: there is no row yet, so nothing changes for data. */
function newTableType(place: Located, pattern: RegExp, replace: (match: RegExpExecArray) => string): { edits: FileEdit[] } | undefined {
  const { file, statement, at, end } = place;
  if (statement.kind !== 'CreateStmt' || !relationName(statement.node.relation) || columnAt(place) === undefined) return undefined;
  const written = file.lines.textBetween(at, end);
  const match = pattern.exec(written);
  if (!match || Buffer.byteLength(match[0]) !== end - at) return undefined;
  return { edits: [{ path: file.path, start: at, end, text: replace(match) }] };
}
