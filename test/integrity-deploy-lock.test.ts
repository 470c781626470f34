// Issue 12, item 8: deploy under the lock. Two deploys at once on PostgreSQL 15 (with a password): the one that loses
// the race takes no backup (its dump would catch the winner half-way), applies nothing, says so, and gives no rollback
// advice (before, it counted the winner's migrations as its own and printed `make rollback STEPS=<the winner's>`).
import t from 'tap';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import type { Sql } from '../core/postgres/database-url.js';

const ROOT = join(import.meta.dirname, '..');
const DEPLOY = join(ROOT, 'dist', 'scripts', 'deploy.js');

t.setTimeout(180_000);

function deploy(args: readonly string[], url: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [DEPLOY, ...args], { cwd: ROOT, env: childEnv({ DATABASE_URL: url }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

async function waitFor(sql: Sql, like: string, ms = 60_000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const rows = await sql`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE ${like}`;
    if (rows.length) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

t.test('a deploy that loses the lock backs up nothing, applies nothing, and says so', async (t) => {
  const pg = await startPg15Server(t, 'Lock15&deploy!pw');
  const { url, sql } = await pg.freshDatabase('skincare');
  const { dir, names } = migrationFolder(t, [
    { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
    { slug: 'slow_backfill', up: 'CREATE TABLE items (id int);\nSELECT pg_sleep(25);', down: 'DROP TABLE items;' },
  ]);
  const work = mkdtempSync(join(tmpdir(), 'deploy-lock-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const winnerBackups = join(work, 'winner');
  const loserBackups = join(work, 'loser');

  const winner = deploy(['--dir', dir, '--backup-dir', winnerBackups], url);
  // The winner sleeps long enough for the loser's preflight (which runs the verifier) to end even on a loaded machine.
  t.ok(await waitFor(sql, 'SELECT pg_sleep(25)%'), 'the winner is migrating');
  const loser = await deploy(['--dir', dir, '--backup-dir', loserBackups], url);
  t.equal(loser.status, 1, 'the loser fails');
  t.match(loser.stderr, /^deploy FAILED at backup: another migration run holds the advisory lock on this database \(backend pid \d+, skincare-migrate-lock/m);
  t.match(
    loser.stderr,
    /\nstate: Nothing was changed by this deploy: another deploy or migration run holds the lock on this database, so this deploy took no backup and applied no migration \(0 applied: there is nothing of its own to roll back\)\./,
  );
  t.notMatch(loser.stdout + loser.stderr, /make rollback|pg_restore/, 'no rollback or restore advice');
  t.notMatch(loser.stdout + loser.stderr, /Lock15&deploy!pw|Lock15%26deploy/, 'no password');
  t.notOk(existsSync(loserBackups) && readdirSync(loserBackups).length > 0, 'the loser wrote no backup');

  const won = await winner;
  t.equal(won.status, 0, won.stderr);
  t.match(won.stdout, new RegExp(`ok {4}applied ${names[1]}\\n`));
  t.match(won.stdout, /to roll back what this deploy applied: {2}.*make rollback STEPS=2 /);
  t.equal(readdirSync(winnerBackups).length, 1, 'the winner backed up once, under its lock');
  const rows = await sql<{ name: string }[]>`SELECT name FROM pgmigrations ORDER BY id`;
  t.same(rows.map((r) => r.name), names, 'each migration applied once');
});
