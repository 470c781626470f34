// The deploy's smoke check after migrating, without scanning production: the catalog says what each table holds
// (pg_class.reltuples, the planner's estimate, or the statistics' live rows before the first ANALYZE: no row is read; INVALID indexes are the status check's, run before);
// each user table is then read with `SELECT 1 ... LIMIT 1`, which proves it can be read (privileges, no lock in the way, its
// first page) and stops at the first row. No count(*): on a large table that is a full scan of production.
import { connect, scrubSecrets } from '../core/postgres/database-url.js';
import { MigrationError } from './errors.js';

/** The statements the smoke check sends besides its catalog queries: one per table, each `SELECT 1 FROM t LIMIT 1`. */
export function smokeRead(table: string): string {
  return `SELECT 1 FROM ${table} LIMIT 1`;
}

export interface SmokeResult {
  /** One line for the deploy's output. */
  readonly summary: string;
  /** The reads it sent, in order (smokeRead of each table). */
  readonly reads: readonly string[];
}

/**
 * Catalog checks and one `LIMIT 1` read per user table (partitioned tables once, as a whole), in a READ ONLY
 * transaction with a 5 s lock timeout and a 10 s statement timeout per read. Throws a DEPLOY_FAILED MigrationError
 * naming the table when a read fails.
 */
export async function smokeChecks(url: string): Promise<SmokeResult> {
  const sql = connect(url, { max: 1, idle_timeout: 1, connection: { application_name: 'skincare-deploy' } });
  try {
    return await sql.begin('READ ONLY', async (tx) => {
      await tx.unsafe(`SET LOCAL statement_timeout = '10s'`);
      await tx.unsafe(`SET LOCAL lock_timeout = '5s'`);
      const tables = await tx.unsafe<{ name: string; estimate: number }[]>(`
        SELECT format('%I.%I', n.nspname, c.relname) AS name,
               CASE WHEN c.relkind = 'p'
                    THEN (SELECT coalesce(sum(CASE WHEN p.reltuples >= 0 THEN p.reltuples ELSE coalesce(pg_stat_get_live_tuples(p.oid), 0) END), 0)
                          FROM pg_inherits i JOIN pg_class p ON p.oid = i.inhrelid WHERE i.inhparent = c.oid)
                    WHEN c.reltuples >= 0 THEN c.reltuples
                    ELSE coalesce(pg_stat_get_live_tuples(c.oid), 0) END::float8 AS estimate
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'
        ORDER BY 1`);
      const reads: string[] = [];
      const shown: string[] = [];
      for (const { name, estimate } of tables) {
        const read = smokeRead(name);
        reads.push(read);
        try {
          await tx.unsafe(read);
        } catch (error) {
          throw new MigrationError('DEPLOY_FAILED', `smoke read failed on ${name} (${read}): ${scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0]}`);
        }
        shown.push(`${name.replace(/^public\./, '')} ~${Math.round(estimate)}`);
      }
      const n = tables.length;
      return {
        summary: `${n} table${n === 1 ? '' : 's'} read with SELECT 1 ... LIMIT 1; estimated rows (catalog, no scan): ${shown.join(', ') || '(none)'}`,
        reads,
      };
    });
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError('DEPLOY_FAILED', `smoke check failed: ${scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0]}`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}
