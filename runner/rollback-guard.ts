// Guarded rollbacks: before `down` or `redo` runs, what its downs drop (tables, columns, rows deleted or truncated),
// each table with the catalog's estimate of its rows (pg_class.reltuples, pg_stat_all_tables.n_live_tup: no scan), and
// the confirmation a rollback that loses data needs on a server other than the embedded one (CONFIRM=<database>, or
// the name typed on a terminal). Also the refusal that says how many steps an irreversible migration leaves possible.
// Returns data and throws MigrationError; the CLI prints (scripts/migrate.ts).
import type { Sql } from '../core/postgres/database-url.js';
import { describeDrop, droppedData, type DataDrop } from '../core/migrations/drops.js';
import { MigrationError } from './errors.js';
import type { PlannedStep } from './execute.js';
import type { MigrationPair } from './migration-files.js';

/** A relation a drop reaches in this database, with the catalog's estimate of its rows. */
export interface RelationRows {
  /** schema.name as the catalog names it. */
  readonly name: string;
  /** For a column drop (or a type's CASCADE): the column. */
  readonly column?: string;
  readonly kind: 'table' | 'materialized view';
  /** Rows by the catalog: reltuples (set by VACUUM and ANALYZE), n_live_tup while it is -1 (never analyzed); summed over partitions; no scan. */
  readonly estimate: number;
  /** A one-row read (SELECT 1 … LIMIT 1) found a row; undefined when it could not be read (treated as holding rows). */
  readonly holdsRows: boolean | undefined;
  /** Why it could not be read. */
  readonly unreadable?: string;
}

export interface RollbackItem {
  readonly migration: string;
  /** file:line:column of the statement. */
  readonly at: string;
  readonly drop: DataDrop;
  /** What it reaches here: one relation, or a schema's tables, a type's columns, a TRUNCATE … CASCADE's tables. */
  readonly relations: readonly RelationRows[];
  /** The object is not in the database (IF EXISTS, or a down that will fail on it). */
  readonly missing: boolean;
}

export interface RollbackImpact {
  /** current_database(): what CONFIRM must say. */
  readonly database: string;
  /** host:port/database, no password. */
  readonly target: string;
  /** The downs about to run, in order, with what each drops. */
  readonly steps: readonly { readonly name: string; readonly file: string; readonly items: readonly RollbackItem[] }[];
}

export interface RollbackGuard {
  /** The rollback asked for every applied migration (STEPS=all). */
  readonly all: boolean;
  /** The target is the embedded development server: nothing is asked there. */
  readonly embedded: boolean;
  /** CONFIRM: the database name given beforehand; when set it must match, whatever the rollback drops. */
  readonly confirm?: string;
  /** Shows what the downs drop; called before anything runs, on a dry run too. */
  readonly show: (impact: RollbackImpact) => void;
  /** Asks on a terminal, returning the answer; absent without one (CONFIRM is then the only way). */
  readonly ask?: (question: string) => Promise<string>;
}

/** Read what `steps` (downs, newest first) drop, resolved against the database on `sql` (its search_path). */
export async function assessRollback(sql: Sql, steps: readonly PlannedStep[], target: string): Promise<RollbackImpact> {
  const [row] = await sql.unsafe<{ database: string }[]>('SELECT current_database() AS database');
  const out: RollbackImpact['steps'][number][] = [];
  for (const { pair } of steps) {
    const items: RollbackItem[] = [];
    for (const [i, statement] of pair.down.source.parsed.statements.entries()) {
      const shown = pair.down.statements[i];
      const at = `${pair.down.display}:${shown?.line ?? 1}:${shown?.column ?? 1}`;
      for (const drop of droppedData(statement)) {
        const relations = await reach(sql, drop);
        items.push({ migration: pair.name, at, drop, relations: relations ?? [], missing: relations === undefined });
      }
    }
    out.push({ name: pair.name, file: pair.down.display, items });
  }
  return { database: row?.database ?? '', target, steps: out };
}

/** The items that lose data: a table or column that holds rows (or could not be read), rows deleted or truncated. */
export function dataLost(impact: RollbackImpact): RollbackItem[] {
  return impact.steps.flatMap((step) => step.items).filter((item) => item.relations.some((r) => r.kind === 'table' && r.holdsRows !== false));
}

/** Why this rollback needs CONFIRM (empty: it does not): STEPS=all, and what it drops that holds rows. */
export function confirmationReasons(impact: RollbackImpact, guard: Pick<RollbackGuard, 'all' | 'embedded'>): string[] {
  if (guard.embedded || impact.steps.length === 0) return [];
  const reasons = guard.all ? [`rolls back every applied migration (STEPS=all: ${impact.steps.length})`] : [];
  const lost = dataLost(impact);
  const shown = lost.slice(0, 3).map((item) => `drops ${what(item)}`);
  if (lost.length > 3) shown.push(`${lost.length - 3} more listed above`);
  return [...reasons, ...shown];
}

/**
 * Show the listing, then (not on a dry run) refuse unless confirmed: a CONFIRM that is set must name this database; a
 * rollback that needs confirmation takes CONFIRM, or the name typed on a terminal. Throws MigrationError; nothing ran.
 */
export async function guardRollback(sql: Sql, steps: readonly PlannedStep[], guard: RollbackGuard, target: string, dryRun: boolean): Promise<RollbackImpact> {
  const impact = await assessRollback(sql, steps, target);
  if (impact.steps.length === 0) return impact;
  guard.show(impact);
  if (dryRun) return impact;
  const database = impact.database;
  const type = `CONFIRM=${shellWord(database)}`;
  if (guard.confirm !== undefined && guard.confirm !== '') {
    if (guard.confirm !== database) {
      throw new MigrationError(
        'CONFIRMATION_MISMATCH',
        `CONFIRM=${shellWord(guard.confirm)} does not name the database this rollback changes (${target}): type ${type}; nothing was rolled back`,
      );
    }
    return impact;
  }
  const reasons = confirmationReasons(impact, guard);
  if (reasons.length === 0) return impact;
  const why = `this rollback ${reasons.join(', ')} on ${target}`;
  if (guard.ask) {
    const answer = (await guard.ask(`${why}.\nType the database name (${database}) to go ahead, anything else to stop: `)).trim();
    if (answer === database) return impact;
    throw new MigrationError('CONFIRMATION_MISMATCH', `"${answer}" is not ${database}: nothing was rolled back; type ${database} at the prompt, or run with ${type}`);
  }
  throw new MigrationError('CONFIRMATION_REQUIRED', `${why}; nothing was rolled back: re-run with ${type} to go ahead (DRY_RUN=1 shows the SQL)`);
}

/** The listing printed before a rollback: one line per thing dropped, with its rows; a line for a down that drops none. */
export function describeImpact(impact: RollbackImpact): string[] {
  const lines = [`what the downs drop on ${impact.target} (rows: the catalog's estimates, pg_class.reltuples / n_live_tup; nothing scanned):`];
  for (const step of impact.steps) {
    if (step.items.length === 0) {
      lines.push(`  ${step.name}: drops no table, column or rows`);
      continue;
    }
    for (const item of step.items) lines.push(`  ${item.at}  ${what(item)}`);
  }
  const lost = dataLost(impact);
  lines.push(
    lost.length === 0
      ? `no data is lost: the ${impact.steps.length === 1 ? 'down drops' : `${impact.steps.length} downs drop`} nothing that holds rows`
      : `${lost.length} of these lose${lost.length === 1 ? 's' : ''} data: only the backup taken before the migrations brings it back`,
  );
  return lines;
}

/**
 * Rolling back `steps` (newest first) runs into an irreversible down at `index`: how many steps are possible, which one
 * stops it and why. Nothing was rolled back.
 */
export function irreversibleRefusal(steps: readonly { readonly pair: MigrationPair }[], index: number): MigrationError {
  const pair = steps[index]!.pair;
  const reason = pair.down.irreversible ?? 'marked -- verify:irreversible';
  const possible =
    index === 0
      ? `0 steps can be rolled back: the last applied migration, ${pair.name}, is irreversible: ${reason}`
      : `${index} step${index === 1 ? '' : 's'} can be rolled back (STEPS=${index}); the ${ordinal(index + 1)}, ${pair.name}, is irreversible: ${reason}`;
  return new MigrationError('IRREVERSIBLE', `${pair.down.display}: ${possible}; nothing was rolled back (past it, only the backup taken before it was applied restores the data: docs/deploy.md)`);
}

// ---------------------------------------------------------------------------------------------------------------

function what(item: RollbackItem): string {
  const drop = item.drop;
  const label = describeDrop(drop);
  if (item.missing) return `${label}: not in the database${drop.missingOk ? ' (IF EXISTS)' : ' (the down will fail on it)'}`;
  const [first, ...more] = item.relations;
  if (!first) return `${label}: reaches no table`;
  const listed = (relations: readonly RelationRows[]): string => relations.map((r) => `${r.name}${r.column ? `.${r.column}` : ''} ${rows(r)}`).join(', ');
  switch (drop.kind) {
    case 'table':
    case 'materialized view':
      return `${drop.kind} ${first.name}: ${rows(first)}`;
    case 'column':
      return `column ${first.name}.${drop.column}: ${rows(first, 'in its table')}`;
    case 'delete':
      return `rows of ${first.name} (DELETE${drop.filtered ? ' … WHERE' : ''}): ${drop.filtered ? 'some of ' : ''}${rows(first)}`;
    case 'truncate':
      return `rows of ${first.name} (TRUNCATE): ${rows(first)}${more.length ? `, and through CASCADE ${listed(more)}` : ''}`;
    default:
      return `${label}: ${listed(item.relations)}`;
  }
}

function rows(r: RelationRows, suffix = ''): string {
  const n = `~${Math.round(r.estimate).toLocaleString('en-US')} row${Math.round(r.estimate) === 1 ? '' : 's'}${suffix ? ` ${suffix}` : ''}`;
  if (r.holdsRows === undefined) return `${n} (could not read it: ${r.unreadable ?? 'unknown'}; counted as holding rows)`;
  if (r.holdsRows && r.estimate < 1) return `${n} by the catalog, but it holds rows (the estimate is out of date)`;
  if (!r.holdsRows) return r.estimate >= 1 ? `empty (the catalog's ${n} is stale)` : 'empty';
  return n;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** A value as a shell word: bare when safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_.-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The relations a drop reaches here, with their rows; undefined when its object is not in the database. */
async function reach(sql: Sql, drop: DataDrop): Promise<RelationRows[] | undefined> {
  const ref = drop.schema ? `${quoteIdent(drop.schema)}.${quoteIdent(drop.name)}` : quoteIdent(drop.name);
  switch (drop.kind) {
    case 'schema': {
      const found = await sql.unsafe<{ present: boolean }[]>('SELECT EXISTS (SELECT FROM pg_namespace WHERE nspname = $1) AS present', [drop.name]);
      if (!found[0]?.present) return undefined;
      const tables = await sql.unsafe<{ ref: string }[]>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS ref FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'm') AND NOT c.relispartition ORDER BY 1`,
        [drop.name],
      );
      return relations(sql, tables.map((t) => ({ ref: t.ref })));
    }
    case 'type': {
      const [type] = await sql.unsafe<{ oid: string | null }[]>('SELECT to_regtype($1)::oid::text AS oid', [ref]);
      if (!type?.oid) return undefined;
      const columns = await sql.unsafe<{ ref: string; column: string }[]>(
        `SELECT format('%I.%I', n.nspname, c.relname) AS ref, a.attname AS column
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE a.atttypid IN ($1::oid, (SELECT typarray FROM pg_type WHERE oid = $1::oid)) AND a.attnum > 0 AND NOT a.attisdropped
           AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1, 2`,
        [type.oid],
      );
      return relations(sql, columns.map((c) => ({ ref: c.ref, column: c.column })));
    }
    case 'truncate': {
      const found = await relations(sql, [{ ref }]);
      if (!found || !drop.cascade) return found;
      // TRUNCATE … CASCADE empties every table that references it through a foreign key, transitively.
      const referencing = await sql.unsafe<{ ref: string }[]>(
        `WITH RECURSIVE r(oid) AS (SELECT to_regclass($1)::oid
           UNION SELECT con.conrelid FROM pg_constraint con JOIN r ON con.confrelid = r.oid WHERE con.contype = 'f')
         SELECT format('%I.%I', n.nspname, c.relname) AS ref FROM r JOIN pg_class c ON c.oid = r.oid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE r.oid <> to_regclass($1)::oid AND NOT c.relispartition ORDER BY 1`,
        [ref],
      );
      return [...found, ...((await relations(sql, referencing)) ?? [])];
    }
    case 'column': {
      const found = await relations(sql, [{ ref, column: drop.column }]);
      if (!found) return undefined;
      const [column] = await sql.unsafe<{ present: boolean }[]>(
        'SELECT EXISTS (SELECT FROM pg_attribute WHERE attrelid = to_regclass($1) AND attname = $2 AND attnum > 0 AND NOT attisdropped) AS present',
        [ref, drop.column ?? ''],
      );
      return column?.present ? found : undefined;
    }
    default:
      return relations(sql, [{ ref }]);
  }
}

/** Each relation's kind, estimate and whether it holds a row; undefined when the first is not in the database. */
async function relations(sql: Sql, refs: readonly { ref: string; column?: string }[]): Promise<RelationRows[] | undefined> {
  const out: RelationRows[] = [];
  for (const { ref, column } of refs) {
    const [row] = await sql.unsafe<{ name: string; kind: string; estimate: number }[]>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name, c.relkind AS kind,
              (SELECT coalesce(sum(CASE WHEN l.reltuples >= 0 THEN l.reltuples::float8 ELSE coalesce(s.n_live_tup, 0) END), 0)
                 FROM pg_class l LEFT JOIN pg_stat_all_tables s ON s.relid = l.oid
                 WHERE l.oid = c.oid AND c.relkind <> 'p'
                    OR c.relkind = 'p' AND l.oid IN (SELECT relid FROM pg_partition_tree(c.oid) WHERE isleaf))::float8 AS estimate
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p', 'm')`,
      [ref],
    );
    if (!row) {
      if (out.length === 0 && refs.length === 1) return undefined;
      continue;
    }
    const kind = row.kind === 'm' ? 'materialized view' : 'table';
    let holdsRows: boolean | undefined;
    let unreadable: string | undefined;
    try {
      // One row at most, never a scan of the table.
      const [probe] = await sql.unsafe<{ found: boolean }[]>(`SELECT EXISTS (SELECT 1 FROM ${row.name} LIMIT 1) AS found`);
      holdsRows = Boolean(probe?.found);
    } catch (error) {
      unreadable = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    }
    out.push({ name: row.name, kind, estimate: Number(row.estimate), holdsRows, ...(column ? { column } : {}), ...(unreadable ? { unreadable } : {}) });
  }
  return out;
}

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
