// The deploy's smoke check (runner/post-checks.ts) does not scan: on a populated table the server's own counters
// (pg_stat_user_tables.seq_tup_read) grow by at most the one row LIMIT 1 reads, where a count(*) reads every row.
// The sizes it prints come from the catalog.
import t from 'tap';
import { startTestServer } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { smokeChecks } from '../runner/post-checks.js';

const ROWS = 50_000;
const db = await startTestServer(t);

/** Rows read by sequential scans of `table`, as the server counts them (flushed by the sessions that ended). */
async function seqTuplesRead(sql: Sql, table: string): Promise<number> {
  await sql`SELECT pg_stat_clear_snapshot()`;
  const [row] = await sql<{ n: string }[]>`SELECT coalesce(seq_tup_read, 0) AS n FROM pg_stat_user_tables WHERE relname = ${table}`;
  return Number(row?.n ?? 0);
}

/** Run `body` on a session of its own that then ends, so its statistics reach the shared counters. */
async function inSession(url: string, body: (sql: Sql) => Promise<unknown>): Promise<void> {
  const session = connect(url, { max: 1 });
  try {
    await body(session);
  } finally {
    await session.end({ timeout: 5 });
  }
}

/** The counters are flushed when a session ends, a moment after its socket closes: wait until `table`'s settle. */
async function settled(sql: Sql, table: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const now = await seqTuplesRead(sql, table);
    if (now === last) return now;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return last;
}

t.test('catalog estimates and LIMIT 1 reads: no full scan of a populated table', async (t) => {
  const { url, sql } = await db.freshDatabase();
  await sql.unsafe(`CREATE TABLE big (id int PRIMARY KEY, payload text)`);
  await sql.unsafe(`CREATE TABLE small (id int)`);
  await sql.unsafe(`INSERT INTO big SELECT g, repeat('x', 40) FROM generate_series(1, ${ROWS}) AS g`);
  await sql.unsafe('ANALYZE big');

  // The yardstick: what the old post-check (count(*)) costs, so the test can tell a scan from none.
  const start = await settled(sql, 'big');
  await inSession(url, (s) => s.unsafe('SELECT count(*) FROM big'));
  const afterCount = await settled(sql, 'big');
  t.equal(afterCount - start, ROWS, 'count(*) reads every row');

  const result = await smokeChecks(url);
  const afterSmoke = await settled(sql, 'big');
  t.ok(afterSmoke - afterCount <= 1, `the smoke check read ${afterSmoke - afterCount} row(s) of big`);
  t.same(result.reads, ['SELECT 1 FROM public.big LIMIT 1', 'SELECT 1 FROM public.small LIMIT 1'], 'one LIMIT 1 read per table, nothing else');
  t.match(result.summary, /^2 tables read with SELECT 1 \.\.\. LIMIT 1; estimated rows \(catalog, no scan\): big ~(\d+), small ~0$/);
  const estimate = Number(/big ~(\d+)/.exec(result.summary)?.[1]);
  t.ok(Math.abs(estimate - ROWS) < ROWS / 10, `the estimate (${estimate}) is the catalog's, close to ${ROWS}`);
});

t.test('a table the deploy role cannot read fails the check, naming the table and the read', async (t) => {
  const { url, sql } = await db.freshDatabase();
  await sql.unsafe('CREATE TABLE secret_stuff (id int)');
  await sql.unsafe(`DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'smoke_reader') THEN CREATE ROLE smoke_reader LOGIN; END IF; END $$`);
  await sql.unsafe('REVOKE ALL ON secret_stuff FROM PUBLIC');
  const asReader = url.replace('postgres://postgres@', 'postgres://smoke_reader@');
  await t.rejects(smokeChecks(asReader), { code: 'DEPLOY_FAILED', message: /^smoke read failed on public\.secret_stuff \(SELECT 1 FROM public\.secret_stuff LIMIT 1\): permission denied for table secret_stuff$/ });
});
