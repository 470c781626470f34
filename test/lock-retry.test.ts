// Bounded retries after a lock timeout (runner/lock-retry.ts through migrateUp): a transactional migration whose table
// is busy for its first attempt is applied once after a retry, and the migration committed before it is not run
// again; a table busy throughout gives up after 1 + MIGRATE_LOCK_RETRIES attempts naming the blocker; a
// no-transaction migration is never retried and says what it left. Against a real server; one server for the file.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { migrateUp, type LockRetry } from '../runner/runner.js';
import { backoffDelay, lockRetriesFromEnv, MAX_RETRY_DELAY_MS } from '../runner/lock-retry.js';
import { MigrationError, SqlError } from '../runner/errors.js';

const db = await startTestServer(t);
const timeouts = { lockTimeout: '200ms', statementTimeout: '1min' };
const lockRetries = { retries: 2, baseDelayMs: 20 };

/** A migration folder: brands (applied first), tags (a new table), then a change to brands that needs its lock. */
function folder(extra: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'lock-retry-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    '20260301000000_create_brands.up.sql': 'CREATE TABLE brands (id int PRIMARY KEY, name text);\n',
    '20260301000000_create_brands.down.sql': 'DROP TABLE brands;\n',
    '20260301000100_create_tags.up.sql': 'CREATE TABLE tags (id int PRIMARY KEY);\n',
    '20260301000100_create_tags.down.sql': 'DROP TABLE tags;\n',
    ...extra,
  };
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const ADD_NOTE = {
  '20260301000200_add_brand_note.up.sql': 'ALTER TABLE brands ADD COLUMN note text;\n',
  '20260301000200_add_brand_note.down.sql': 'ALTER TABLE brands DROP COLUMN note;\n',
};

/** An application session idle in its transaction after reading brands: it holds ACCESS SHARE on it. */
async function blocker(url: string): Promise<{ pid: number; release: () => Promise<void> }> {
  const session = connect(url, { max: 1, connection: { application_name: 'report-job' } });
  const reserved = await session.reserve();
  const [row] = await reserved.unsafe<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
  await reserved.unsafe('BEGIN');
  await reserved.unsafe('SELECT count(*) FROM brands');
  let released = false;
  const release = async (): Promise<void> => {
    if (released) return;
    released = true;
    await reserved.unsafe('ROLLBACK');
    reserved.release();
    await session.end({ timeout: 1 });
  };
  t.teardown(release);
  return { pid: Number(row!.pid), release };
}

async function bookkeeping(sql: Sql): Promise<{ names: string[]; checksums: string[] }> {
  const names = (await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`).map((r) => r.name);
  const checksums = (await sql<{ name: string }[]>`SELECT name FROM pgmigrations_checksums ORDER BY name`).map((r) => r.name);
  return { names, checksums };
}

t.test('settings and the backoff', async (t) => {
  t.same(lockRetriesFromEnv({}), { retries: 3, baseDelayMs: 1000 });
  t.same(lockRetriesFromEnv({ MIGRATE_LOCK_RETRIES: '0', MIGRATE_LOCK_RETRY_DELAY: '250ms' }), { retries: 0, baseDelayMs: 250 });
  t.same(lockRetriesFromEnv({ MIGRATE_LOCK_RETRY_DELAY: '2s' }).baseDelayMs, 2000);
  t.throws(() => lockRetriesFromEnv({ MIGRATE_LOCK_RETRIES: 'many' }), new MigrationError('USAGE', 'MIGRATE_LOCK_RETRIES=many is not a whole number from 0 to 99; use e.g. 3, or 0 for no retry'));
  // Exponential, with half of each wait random: retry k waits between base*2^(k-1)/2 and base*2^(k-1).
  t.same([1, 2, 3].map((k) => backoffDelay(k, 1000, () => 0)), [500, 1000, 2000]);
  t.same([1, 2, 3].map((k) => backoffDelay(k, 1000, () => 0.999999)), [1000, 2000, 4000]);
  t.equal(backoffDelay(30, 1000, () => 1), MAX_RETRY_DELAY_MS, 'capped');
});

t.test('a lock held for the first attempt, then released: applied once after one retry', async (t) => {
  const { url, sql } = await db.freshDatabase();
  const dir = folder(ADD_NOTE);
  await migrateUp({ dir, databaseUrl: url, count: 1 });
  const busy = await blocker(url);
  const seen: LockRetry[] = [];
  const result = await migrateUp({
    dir,
    databaseUrl: url,
    timeouts,
    lockRetries,
    onRetry: (retry) => {
      seen.push(retry);
      void busy.release();
    },
  });
  t.same(result.migrations.map((m) => m.name), ['20260301000100_create_tags', '20260301000200_add_brand_note'], 'each once, in order');
  t.equal(seen.length, 1);
  t.match(seen[0], { name: '20260301000200_add_brand_note', attempt: 1, attempts: 3 });
  t.match(seen[0]!.error, new RegExp(`add_brand_note\\.up\\.sql:1:1: canceling statement due to lock timeout: table brands was busy: pid ${busy.pid} \\(user postgres, application "report-job", idle in transaction for [\\d:]+\\) holds AccessShareLock on it.*SELECT pg_terminate_backend\\(${busy.pid}\\)`));
  t.same(result.retries, seen);
  t.same(await bookkeeping(sql), {
    names: ['20260301000000_create_brands', '20260301000100_create_tags', '20260301000200_add_brand_note'],
    checksums: ['20260301000000_create_brands', '20260301000100_create_tags', '20260301000200_add_brand_note'],
  });
  t.same(await sql`SELECT attname FROM pg_attribute WHERE attrelid = 'brands'::regclass AND attname = 'note'`, [{ attname: 'note' }]);
});

t.test('a lock held throughout: gives up after 1 + retries attempts, naming the blocker; what committed before stays', async (t) => {
  const { url, sql } = await db.freshDatabase();
  const dir = folder(ADD_NOTE);
  await migrateUp({ dir, databaseUrl: url, count: 1 });
  const busy = await blocker(url);
  const seen: LockRetry[] = [];
  const error = await migrateUp({ dir, databaseUrl: url, timeouts, lockRetries, onRetry: (retry) => seen.push(retry) }).catch((e: unknown) => e);
  t.type(error, SqlError);
  const failure = error as SqlError;
  t.equal(failure.sqlState, '55P03');
  t.match(failure.message, new RegExp(`pid ${busy.pid} \\(user postgres, application "report-job".*SELECT pg_terminate_backend\\(${busy.pid}\\).* \\(gave up after 3 attempts \\(MIGRATE_LOCK_RETRIES=2\\)\\)$`));
  t.same(seen.map((r) => r.attempt), [1, 2]);
  t.same(failure.runState?.committed.map((c) => c.name), ['20260301000100_create_tags'], 'the migration before it, committed once by the first attempt');
  t.match(failure.runState?.summary, /^applied and committed by this run: 20260301000100_create_tags; 20260301000200_add_brand_note was rolled back as a whole and is not recorded; next: /);
  t.same((await bookkeeping(sql)).names, ['20260301000000_create_brands', '20260301000100_create_tags']);
});

t.test('a no-transaction migration is not retried: it says what it left', async (t) => {
  const { url, sql } = await db.freshDatabase();
  const dir = folder({
    '20260301000200_note_without_transaction.up.sql': '-- migrate:no-transaction\nCREATE TABLE notes (id int);\nALTER TABLE brands ADD COLUMN note text;\n',
    '20260301000200_note_without_transaction.down.sql': '-- migrate:no-transaction\nALTER TABLE brands DROP COLUMN note;\nDROP TABLE notes;\n',
  });
  await migrateUp({ dir, databaseUrl: url, count: 2 });
  const busy = await blocker(url);
  const seen: LockRetry[] = [];
  const error = (await migrateUp({ dir, databaseUrl: url, timeouts, lockRetries, onRetry: (retry) => seen.push(retry) }).catch((e: unknown) => e)) as SqlError;
  t.equal(error.sqlState, '55P03');
  t.equal(seen.length, 0, 'no retry');
  t.match(error.message, new RegExp(`pid ${busy.pid} .*\\(not retried after the lock timeout: 20260301000200_note_without_transaction runs without a transaction\\)$`));
  t.match(error.runState?.summary, /the 1 statement before the one that stopped \(of 2\) stays applied, that one did not complete, and it is not recorded/);
  t.same(await sql`SELECT to_regclass('notes')::text AS t`, [{ t: 'notes' }], 'its first statement stays applied');
  t.same((await bookkeeping(sql)).names, ['20260301000000_create_brands', '20260301000100_create_tags']);
});
