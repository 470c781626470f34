// Relation locks held by the session, read from pg_locks between the statements of a migration.
import { PREPARED } from './prepared.js';
import type { Sql } from '../../core/postgres/database-url.js';
import type { LockHeld } from './types.js';

const USER_NAMESPACE = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%'`;

const LOCKS = `
SELECT l.relation::int8::text AS oid, l.mode, n.nspname AS schema, c.relname AS name, NOT (${USER_NAMESPACE}) AS system
FROM pg_locks l
LEFT JOIN pg_class c ON c.oid = l.relation
LEFT JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE l.locktype = 'relation' AND l.pid = pg_backend_pid() AND l.granted
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND l.relation >= 16384`;

const RELATION_NAMES = `
SELECT c.oid::int8::text AS oid, n.nspname AS schema, c.relname AS name, NOT (${USER_NAMESPACE}) AS system
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.oid >= 16384`;

interface LockRow {
  oid: string;
  mode: string;
  schema: string | null;
  name: string | null;
  system: boolean | null;
}

/** Names by oid, for relations a later statement may drop before their locks are read; null for system ones (TOAST). */
export type RelationNames = Map<string, string | null>;

function display(schema: string, name: string): string {
  return schema === 'public' ? name : `${schema}.${name}`;
}

export async function readRelationNames(sql: Sql): Promise<RelationNames> {
  const rows = await sql.unsafe<{ oid: string; schema: string; name: string; system: boolean }[]>(RELATION_NAMES, [], PREPARED);
  return new Map(rows.map((r) => [r.oid, r.system ? null : display(r.schema, r.name)]));
}

/** Tracks what the transaction holds so far and returns what each statement added. */
export class LockTracker {
  private readonly held = new Set<string>();

  constructor(private readonly names: RelationNames = new Map()) {}

  /** Forget what was held: after a commit (no-transaction migrations run each statement on its own). */
  reset(): void {
    this.held.clear();
  }

  async newLocks(sql: Sql): Promise<LockHeld[]> {
    const rows = await sql.unsafe<LockRow[]>(LOCKS, [], PREPARED);
    const added: LockHeld[] = [];
    for (const row of rows) {
      if (row.system) this.names.set(row.oid, null);
      const known = this.names.get(row.oid);
      if (known === null) continue;
      const relation = row.schema !== null && row.name !== null ? display(row.schema, row.name) : (known ?? `relation ${row.oid} (dropped)`);
      this.names.set(row.oid, relation);
      const key = `${row.oid}\u0000${row.mode}`;
      if (this.held.has(key)) continue;
      this.held.add(key);
      added.push({ relation, mode: row.mode });
    }
    return added.sort((a, b) => (a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0));
  }
}
