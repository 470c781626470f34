// A normalized picture of a database's schema, comparable across databases and servers.
import { isInfrastructureError } from './apply.js';
import { PREPARED } from './prepared.js';
import type { Sql } from '../../core/postgres/database-url.js';
import { OWNER_PROPERTY, ROLES_QUERY, snapshotQuery, unitParameters } from './snapshot-query.js';
import { DEPENDENTS_QUERY, INVENTORY_QUERY } from './snapshot-inventory.js';

export type PropertyValue = string | readonly string[];

export interface SnapshotObject {
  /** Readable and unique: "table products", "index idx_x on products", "function f(integer)". */
  readonly key: string;
  /** Orders the report: schemas, extensions, types, sequences, tables, columns, constraints, indexes, views, functions, triggers, policies. */
  readonly rank: number;
  /** The key of the object it belongs to (a column's table), if any. */
  readonly parent?: string;
  /** Identifiers to look for in a file's statements, most specific first. */
  readonly names: readonly string[];
  readonly props: Readonly<Record<string, PropertyValue>>;
}

export type Snapshot = ReadonlyMap<string, SnapshotObject>;

interface Row {
  unit: string;
  rank: number;
  key: string;
  parent: string | null;
  names: string[];
  props: Record<string, PropertyValue>;
}

async function readObjects(sql: Sql, serverVersion: number, units: readonly string[] | undefined): Promise<Row[]> {
  if (!units) return sql.unsafe<Row[]>(snapshotQuery(serverVersion), [], PREPARED);
  return sql.unsafe<Row[]>(snapshotQuery(serverVersion, units), unitParameters(units), PREPARED);
}

/**
 * A timestamp literal of these days in a definition was read from the clock while the run made it (`'now'::timestamp`
 * in a view is folded to a constant): the same SQL a moment later gives another one, so it compares as `'<clock>'`.
 * The days around now, in any time zone a session may use.
 */
function clockLiteral(): RegExp {
  // Built once an hour, not for every property of every row of every snapshot.
  const hour = Math.floor(Date.now() / 3_600_000);
  if (clock?.hour !== hour) clock = { hour, pattern: clockPattern() };
  clock.pattern.lastIndex = 0;
  return clock.pattern;
}

let clock: { readonly hour: number; readonly pattern: RegExp } | undefined;

function clockPattern(): RegExp {
  const days = [-1, 0, 1].map((offset) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10));
  return new RegExp(`'(?:${days.join('|')})[ T]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[+-]\\d{2}(?::?\\d{2})?)?'`, 'g');
}

function toObject(row: Row): SnapshotObject {
  const props = { ...row.props };
  for (const key of ['definition', 'default', 'body'] as const) {
    const value = props[key];
    if (typeof value === 'string' && value.includes("'")) props[key] = value.replace(clockLiteral(), "'<clock>'");
  }
  const type = props.type;
  if (typeof props.default === 'string' && typeof type === 'string') props.default = withoutOwnCast(props.default, type);
  return { key: row.key, rank: row.rank, names: row.names, props, ...(row.parent ? { parent: row.parent } : {}) };
}

/** `'x'::text` on a text column reads as `'x'`: the cast to the column's own type says nothing. */
function withoutOwnCast(expression: string, type: string): string {
  const match = /^('(?:[^']|'')*')::(.+)$/s.exec(expression);
  return match && match[2] === type ? match[1]! : expression;
}

/** Roles are few and live in shared catalogs the inventory does not stamp: read in full every time. */
async function readRoles(sql: Sql): Promise<[string, SnapshotObject][]> {
  return (await sql.unsafe<Row[]>(ROLES_QUERY, [], PREPARED)).map((row): [string, SnapshotObject] => [row.key, toObject(row)]);
}

/**
 * The whole schema in one go, as SnapshotReader sees it (owners and the server's roles included). `acrossServers`:
 * for comparing two databases (drift), owners and roles are left out, since a scratch database's objects belong to
 * another role than production's, on another server. Works inside a READ ONLY transaction.
 */
export async function takeSnapshot(sql: Sql, serverVersion: number, options: { readonly acrossServers?: boolean } = {}): Promise<Snapshot> {
  const rows = await readObjects(sql, serverVersion, undefined);
  if (options.acrossServers) {
    return new Map(
      rows.map((row) => {
        const { [OWNER_PROPERTY]: _owner, ...props } = row.props;
        return [row.key, toObject({ ...row, props })];
      }),
    );
  }
  return new Map([...(await readRoles(sql)), ...rows.map((row): [string, SnapshotObject] => [row.key, toObject(row)])]);
}

/**
 * Snapshots of one database taken one after another, each reading in full only the units whose catalog rows
 * changed since the previous one (plus the units that reference them); the rest is carried over. Owners and the
 * server's roles are part of them: an up that changes either is undone by its down or reported.
 * Only for a database nobody else changes meanwhile (the scratch database).
 */
export class SnapshotReader {
  private stamps = new Map<string, string>();
  private readonly byUnit = new Map<string, readonly [string, SnapshotObject][]>();

  constructor(
    private readonly sql: Sql,
    private readonly serverVersion: number,
  ) {}

  async take(): Promise<Snapshot> {
    // Catalog statistics of a young database know nothing of the rows just created, and nested loops over them
    // grow quadratically: hash joins for the whole-catalog queries; index lookups (and one generic plan) for the few units.
    await this.sql.unsafe('BEGIN READ ONLY; SET LOCAL enable_nestloop = off');
    let snapshot: Snapshot;
    try {
      snapshot = await this.read();
    } catch (error) {
      // After a SQL error the connection is fine but its transaction is not; after a lost connection send nothing.
      if (!isInfrastructureError(error)) await this.sql.unsafe('ROLLBACK');
      throw error;
    }
    await this.sql.unsafe('COMMIT');
    return snapshot;
  }

  private async read(): Promise<Snapshot> {
    const inventory = await this.sql.unsafe<{ unit: string; stamp: string }[]>(INVENTORY_QUERY, [], PREPARED);
    const stamps = new Map(inventory.map((r) => [r.unit, r.stamp]));
    const changed = [...stamps].filter(([unit, stamp]) => this.stamps.has(unit) && this.stamps.get(unit) !== stamp).map(([unit]) => unit);
    const added = [...stamps.keys()].filter((unit) => !this.stamps.has(unit));
    const removed = [...this.stamps.keys()].filter((unit) => !stamps.has(unit));
    // A renamed schema renames everything in it: read it all again.
    const full = this.stamps.size === 0 || changed.some((unit) => unit.startsWith('n:'));
    let dirty: Set<string> | undefined;
    if (!full) {
      dirty = new Set([...changed, ...added]);
      if (changed.length > 0) {
        const dependents = await this.sql.unsafe<{ unit: string | null }[]>(DEPENDENTS_QUERY, [changed.join(',')], PREPARED);
        for (const { unit } of dependents) if (unit && stamps.has(unit)) dirty.add(unit);
      }
    }
    if (full) this.byUnit.clear();
    for (const unit of [...removed, ...(dirty ?? [])]) this.byUnit.delete(unit);
    if (full || dirty!.size > 0) {
      if (!full) await this.sql.unsafe('SET LOCAL enable_nestloop = on; SET LOCAL plan_cache_mode = force_generic_plan');
      const rows = await readObjects(this.sql, this.serverVersion, full ? undefined : [...dirty!]);
      const grouped = new Map<string, [string, SnapshotObject][]>();
      for (const row of rows) {
        const list = grouped.get(row.unit) ?? [];
        list.push([row.key, toObject(row)]);
        grouped.set(row.unit, list);
      }
      for (const [unit, objects] of grouped) this.byUnit.set(unit, objects);
    }
    this.stamps = stamps;
    return new Map([...(await readRoles(this.sql)), ...[...this.byUnit.values()].flat()]);
  }
}
