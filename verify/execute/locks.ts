// Relation locks held by the session, read from pg_locks between the statements of a migration; and, for a statement
// run outside a transaction (CONCURRENTLY), read from a second session while it runs.
import { PREPARED } from './prepared.js';
import type { Sql } from '../../core/postgres/database-url.js';
import type { Statement } from '../../core/migrations/parse.js';
import { displayName } from '../ast.js';
import { statementLocks } from '../lock-table.js';
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

/** The locks PostgreSQL's manual gives for a statement, named as the report names relations. */
export function documentedLocks(statement: Statement | undefined): { relation: string; mode: string }[] {
  return statement ? statementLocks(statement).map((l) => ({ relation: displayName(l.relation), mode: l.mode })) : [];
}

function byRelationThenMode(a: LockHeld, b: LockHeld): number {
  return a.relation < b.relation ? -1 : a.relation > b.relation ? 1 : a.mode < b.mode ? -1 : a.mode > b.mode ? 1 : 0;
}

/** Tracks what the transaction holds so far and returns what each statement added, and what it needed but already held. */
export class LockTracker {
  private readonly held = new Set<string>();
  /** relation (as shown) → modes the transaction holds on it. */
  private readonly heldByName = new Map<string, Set<string>>();

  constructor(private readonly names: RelationNames = new Map()) {}

  /** Forget what was held: after a commit (no-transaction migrations run each statement on its own). */
  reset(): void {
    this.held.clear();
    this.heldByName.clear();
  }

  /**
   * The locks the statement added; then each lock the manual gives for it (`statement`) that the transaction held
   * before it, as 'held' (pg_locks shows a lock once, however many statements take it).
   */
  async newLocks(sql: Sql, statement?: Statement): Promise<LockHeld[]> {
    const before = new Map([...this.heldByName].map(([relation, modes]) => [relation, new Set(modes)]));
    const added = await this.added(sql);
    const needed: LockHeld[] = [];
    for (const lock of documentedLocks(statement)) {
      if (added.some((a) => a.relation === lock.relation && a.mode === lock.mode)) continue;
      if (before.get(lock.relation)?.has(lock.mode)) needed.push({ ...lock, how: 'held' });
    }
    return [...added, ...needed].sort(byRelationThenMode);
  }

  private async added(sql: Sql): Promise<LockHeld[]> {
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
      if (!this.heldByName.has(relation)) this.heldByName.set(relation, new Set());
      this.heldByName.get(relation)!.add(row.mode);
      added.push({ relation, mode: row.mode });
    }
    return added;
  }
}

/** The tables (an index: its table) of the relations named, as regclass text ready to put in a query. */
const TABLES_OF = `
SELECT DISTINCT coalesce(i.indrelid, c.oid)::regclass::text AS oid
FROM unnest(string_to_array($1::text, chr(10))) AS n(name)
JOIN pg_class c ON c.oid = to_regclass(n.name)
LEFT JOIN pg_index i ON i.indexrelid = c.oid`;

const RELATION_OIDS = `SELECT c.oid::int8::text AS oid FROM pg_class c WHERE c.oid >= 16384`;

const OBSERVED = `
SELECT l.relation::int8::text AS oid, l.mode, l.granted, l.locktype = 'relation' AND l.relation >= 16384
  AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) AS ours
FROM pg_locks l WHERE l.pid = $1`;

/**
 * Run a statement outside a transaction and read its relation locks from `observer`, a second session on the same
 * database, while it runs. The observer holds a REPEATABLE READ snapshot from before the statement started, so
 * whatever waits for older snapshots (CREATE INDEX CONCURRENTLY, REINDEX CONCURRENTLY, DETACH PARTITION CONCURRENTLY)
 * pauses on it; once pg_locks shows the statement waiting, the observer has read what it holds and lets it go on.
 * A statement that ends before the observer saw a lock gets the manual's locks for it, marked 'documented'.
 * Rejects with the statement's own error when it fails.
 */
export async function runObserved(session: Sql, observer: Sql, pid: number, text: string, statement: Statement | undefined, names: RelationNames): Promise<LockHeld[]> {
  await observer.unsafe('BEGIN ISOLATION LEVEL REPEATABLE READ');
  // The relations there before the statement (this also takes the observer's snapshot).
  const before = new Set((await observer.unsafe<{ oid: string }[]>(RELATION_OIDS)).map((r) => r.oid));
  // ACCESS SHARE on the tables the statement names (an index: its table), so that what waits for every locker of the
  // table (DROP INDEX CONCURRENTLY, a plain ALTER TABLE) waits for the observer too, and is seen waiting.
  const named = documentedLocks(statement).map((l) => l.relation);
  if (named.length > 0) {
    // The observer's trouble (a name it cannot read) is never the migration's: it then only watches.
    await observer.unsafe('SAVEPOINT observer_locks');
    try {
      const tables = await observer.unsafe<{ oid: string }[]>(TABLES_OF, [named.join('\n')]);
      for (const { oid } of tables) await observer.unsafe(`SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ${oid} LIMIT 0) AS t`);
      await observer.unsafe('RELEASE SAVEPOINT observer_locks');
    } catch {
      await observer.unsafe('ROLLBACK TO SAVEPOINT observer_locks');
    }
  }
  let done = false;
  const running = session.unsafe(text).then(
    () => {
      done = true;
    },
    (error: unknown) => {
      done = true;
      throw error;
    },
  );
  running.catch(() => undefined);
  const seen = new Map<string, Set<string>>();
  let released = false;
  try {
    while (!done) {
      const rows = await observer.unsafe<{ oid: string | null; mode: string; granted: boolean; ours: boolean }[]>(OBSERVED, [pid], PREPARED);
      for (const row of rows) {
        // A lock it waits for is one it takes as soon as the observer lets it go on.
        if (!row.ours || row.oid === null) continue;
        if (!seen.has(row.oid)) seen.set(row.oid, new Set());
        seen.get(row.oid)!.add(row.mode);
      }
      if (!released && rows.some((r) => !r.granted)) {
        await observer.unsafe('COMMIT');
        released = true;
      }
      if (!done) await new Promise((resolve) => setTimeout(resolve, 1));
    }
  } finally {
    if (!released) await observer.unsafe('COMMIT');
  }
  await running;
  // Names after the statement (a relation it renamed shows its new name); one it dropped keeps its name from before.
  const now = await readRelationNames(session);
  const observed: LockHeld[] = [];
  for (const [oid, modes] of seen) {
    // A relation the statement made itself (the index CREATE INDEX CONCURRENTLY builds) blocks no one waiting on it:
    // whether the sampling caught CONCURRENTLY's later phase locking it was timing, so it is never listed.
    if (!before.has(oid)) continue;
    const name = now.has(oid) ? now.get(oid) : names.get(oid);
    if (name === null) continue;
    for (const mode of modes) observed.push({ relation: name ?? `relation ${oid} (dropped)`, mode, how: 'observed' });
  }
  // Nothing seen on what was there before: the statement ended too soon to watch.
  if (observed.length === 0) return documentedLocks(statement).map((l) => ({ ...l, how: 'documented' as const }));
  return observed.sort(byRelationThenMode);
}
