// Roles and tablespaces belong to the server, not to the scratch database: dropping the database does not remove the
// ones a migration makes. Watch them between migrations, drop those the run made once its databases are gone, and
// report what could not be dropped and what the run removed that existed before it.
import type { Sql } from '../../core/postgres/database-url.js';
import { PREPARED } from './prepared.js';
import type { OutsideObject } from './types.js';

const OBJECTS = `SELECT 'role' AS kind, rolname AS name, oid::int8::text AS oid FROM pg_roles
UNION ALL SELECT 'tablespace', spcname, oid::int8::text FROM pg_tablespace`;

type Kind = OutsideObject['kind'];

export class OutsideWatch {
  private known = new Map<string, string>();
  private readonly before = new Map<string, string>();
  /** key → the migration that made it. */
  private readonly created = new Map<string, string>();
  private readonly dropped: OutsideObject[] = [];

  private static key(kind: string, name: string): string {
    return `${kind}\u0000${name}`;
  }

  private async read(sql: Sql): Promise<Map<string, string>> {
    const rows = await sql.unsafe<{ kind: Kind; name: string; oid: string }[]>(OBJECTS, [], PREPARED);
    return new Map(rows.map((r) => [OutsideWatch.key(r.kind, r.name), r.oid]));
  }

  async start(sql: Sql): Promise<void> {
    this.known = await this.read(sql);
    for (const [key, oid] of this.known) this.before.set(key, oid);
  }

  /** After a migration's check: what appeared is that migration's; what existed before the run and is gone is reported. */
  async after(sql: Sql, migration: string): Promise<void> {
    const now = await this.read(sql);
    for (const [key, oid] of now) {
      if (this.known.get(key) === oid) continue;
      if (!this.before.has(key) || this.before.get(key) !== oid) {
        if (!this.created.has(key)) this.created.set(key, migration);
      }
    }
    for (const key of this.known.keys()) {
      if (now.has(key) || !this.before.has(key) || this.dropped.some((d) => OutsideWatch.key(d.kind, d.name) === key)) continue;
      const [kind, name] = key.split('\u0000') as [Kind, string];
      this.dropped.push({ kind, name, migration, change: 'dropped', removed: false, problem: `it existed on the server before the run and is not restored` });
    }
    this.known = now;
  }

  /**
   * Before a rebuild re-applies ups: drop what the run made, except what the ups in `kept` (already in the database the
   * rebuild starts from) made, so that re-applying the others can make it again. Failures are left for cleanUp().
   */
  async dropCreatedExcept(admin: Sql, kept: ReadonlySet<string>): Promise<void> {
    const entries = [...this.created].filter(([, migration]) => !kept.has(migration)).sort((a, b) => (a[0] < b[0] ? 1 : -1));
    if (entries.length === 0) return;
    for (const [key] of entries) {
      if (this.before.has(key)) continue;
      const [kind, name] = key.split('\u0000') as [Kind, string];
      try {
        // It stays attributed to its migration: re-applying that up makes it again.
        await admin.unsafe(`DROP ${kind === 'role' ? 'ROLE' : 'TABLESPACE'} IF EXISTS "${name.replace(/"/g, '""')}"`);
      } catch {
        // Still used somewhere: re-applying the up will say so.
      }
    }
    this.known = await this.read(admin);
  }

  /** Drop what the run made (after the scratch databases are gone, since a role may own objects there). */
  async cleanUp(admin: Sql): Promise<OutsideObject[]> {
    const now = await this.read(admin).catch(() => new Map<string, string>());
    const out: OutsideObject[] = [];
    // Tablespaces first: a role cannot be dropped while it owns one.
    const entries = [...this.created].sort((a, b) => (a[0] < b[0] ? 1 : -1));
    for (const [key, migration] of entries) {
      const [kind, name] = key.split('\u0000') as [Kind, string];
      if (!now.has(key) || (this.before.has(key) && this.before.get(key) === now.get(key))) continue;
      if (this.before.has(key)) {
        // The name was there before the run: never drop what may be somebody else's.
        out.push({ kind, name, migration, change: 'created', removed: false, problem: 'it existed on the server before the run and a migration made it again: check its attributes and grants' });
        continue;
      }
      try {
        await admin.unsafe(`DROP ${kind === 'role' ? 'ROLE' : 'TABLESPACE'} "${name.replace(/"/g, '""')}"`);
        out.push({ kind, name, migration, change: 'created', removed: true });
      } catch (error) {
        const message = (error as Error).message?.split('\n')[0] ?? String(error);
        out.push({ kind, name, migration, change: 'created', removed: false, problem: `${message}; drop it by hand` });
      }
    }
    return [...out, ...this.dropped];
  }
}
