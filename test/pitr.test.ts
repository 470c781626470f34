// Issue 13, item 6: BACKUP=pitr on Debian's PostgreSQL 15 with archive_mode = on. With a working archive_command
// (cp into a folder) the WAL position and time to recover to are recorded, printed and written to BACKUP_DIR (0600);
// a deploy records it before migrating. A failing archive_command, an empty one, or a last success older than the bound
// are refused with one line saying what is wrong, and nothing is written or migrated.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { childEnv } from './helpers/child-env.js';
import { postgresUserIds } from '../core/postgres/system-tools.js';
import { recordRecoveryPoint, restorePointName } from '../runner/pitr.js';
import { MigrationError } from '../runner/errors.js';
import type { Sql } from '../core/postgres/database-url.js';

const root = join(import.meta.dirname, '..');
const backupJs = join(root, 'dist', 'scripts', 'backup.js');
const deployJs = join(root, 'dist', 'scripts', 'deploy.js');
const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');

t.setTimeout(180_000);

function node(script: string, args: readonly string[], env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [script, ...args], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A new WAL segment, then wait until the archiver has tried it: `field` (archived_count or failed_count) grows. */
async function switchAndWait(sql: Sql, field: 'archived_count' | 'failed_count'): Promise<void> {
  const count = async () => Number((await sql.unsafe<{ n: string }[]>(`SELECT ${field}::text AS n FROM pg_stat_archiver`))[0]!.n);
  const before = await count();
  await sql`CREATE TABLE IF NOT EXISTS wal_filler (id int)`;
  await sql`INSERT INTO wal_filler VALUES (1)`;
  await sql`SELECT pg_switch_wal()`;
  for (let waited = 0; waited < 15_000; waited += 100) {
    if ((await count()) > before) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`pg_stat_archiver.${field} did not grow within 15 s`);
}

t.test('restore point names fit PostgreSQL (63 bytes) and carry the time', async (t) => {
  const now = new Date('2026-01-05T09:01:02Z');
  t.equal(restorePointName('skincare', now), 'skincare_pitr_skincare_20260105T090102Z');
  t.ok(restorePointName('x'.repeat(80), now).length <= 63);
});

t.test('BACKUP=pitr on PostgreSQL 15 with archive_mode = on', async (t) => {
  const archive = tempDir('pitr-archive-');
  const owner = postgresUserIds();
  if (owner?.uid !== undefined && owner.gid !== undefined) chownSync(archive, owner.uid, owner.gid);
  const pg = await startPg15Server(t, 'Pitr&s3cret', ['archive_mode = on', `archive_command = 'cp %p ${archive}/%f'`]);
  const { url, sql } = await pg.freshDatabase('shop');
  const secret = encodeURIComponent(pg.password);

  t.test('archiving works: the LSN, the restore point and the time are recorded, printed and written 0600', async (t) => {
    await switchAndWait(sql, 'archived_count');
    const dir = tempDir('pitr-backups-');
    const run = node(backupJs, ['--mode', 'pitr', '--dir', dir], { DATABASE_URL: url });
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout, /^database: 127\.0\.0\.1:\d+\/shop \(DATABASE_URL\)\nWAL archiving works: [0-9A-F]{24} archived at \S+Z \(\S+ ago\), no failure since\n/);
    const [, point, lsn, wal] = /\nrecovery point: restore point (skincare_pitr_shop_\d{8}T\d{6}Z), LSN ([0-9A-F]+\/[0-9A-F]+) \(WAL ([0-9A-F]{24}), timeline 1\) at /.exec(run.stdout) ?? [];
    t.ok(point && lsn && wal, 'the restore point, LSN and WAL file are printed');
    const files = readdirSync(dir);
    t.same(files, [`shop-${point!.slice('skincare_pitr_shop_'.length)}.pitr`], 'one .pitr file, named like the dump would be');
    const file = join(dir, files[0]!);
    t.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    t.match(text, `\nlsn = ${lsn}\n`);
    t.match(text, `\nrecovery_target_name = '${point}'\n`);
    t.match(text, `\n# or: recovery_target_lsn = '${lsn}'\n`);
    t.match(text, /\n# or: recovery_target_time = '\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+\+00'\n/);
    t.match(text, /\nrestore_command = '/);
    const [now] = await sql<{ ahead: boolean }[]>`SELECT pg_current_wal_insert_lsn() >= ${lsn!}::pg_lsn AS ahead`;
    t.ok(now?.ahead, 'the recorded LSN is a real position of this server');
    t.ok(readdirSync(archive).some((f) => /^[0-9A-F]{24}$/.test(f)), 'the archive_command really copied segments');
    t.notMatch(run.stdout + run.stderr + text, secret, 'no password');
  });

  t.test('a deploy with BACKUP=pitr records the point before migrating and says how to recover to it', async (t) => {
    const dir = tempDir('pitr-deploy-');
    const { url: target, sql: db } = await pg.freshDatabase('shop_deploy');
    const run = node(deployJs, ['--dir', app, '--backup', 'pitr', '--backup-dir', dir], { DATABASE_URL: target });
    t.equal(run.status, 0, run.stderr);
    t.match(run.stdout, /== 2\/4 backup\n {3}ok {4}WAL archiving works: .*\n {3}ok {4}recovery point: restore point skincare_pitr_shop_deploy_\S+ at LSN \S+, .*; written to \S+\.pitr \(mode 0600\)\n== 3\/4 migrate\n/);
    t.match(run.stdout, /\nto restore the backup taken before it: {2}point-in-time recovery from a base backup older than .*recovery_target_name = 'skincare_pitr_shop_deploy_\S+'/);
    t.equal((await db`SELECT count(*)::int AS n FROM pgmigrations`)[0]!.n, 3);
  });

  t.test('a role that may not create restore points (nor read archive_command) records the LSN', async (t) => {
    await sql.unsafe(`CREATE ROLE clerk LOGIN PASSWORD 'Clerk-pw1'`);
    const clerk = url.replace(/\/\/postgres:[^@]*@/, '//clerk:Clerk-pw1@');
    const point = await recordRecoveryPoint({ databaseUrl: clerk, dir: tempDir('pitr-clerk-') });
    t.equal(point.restorePoint, undefined);
    t.match(point.noRestorePoint, /may not run pg_create_restore_point/);
    t.match(point.lsn, /^[0-9A-F]+\/[0-9A-F]+$/);
    t.same(point.recoverySettings.filter((line) => line.startsWith('recovery_target_lsn')), [`recovery_target_lsn = '${point.lsn}'`]);
    t.match(readFileSync(point.file, 'utf8'), '\n# no restore point: the role may not run pg_create_restore_point');
  });

  t.test('a last success older than PITR_MAX_ARCHIVE_AGE is refused', async (t) => {
    const error = (await recordRecoveryPoint({ databaseUrl: url, dir: tempDir('pitr-never-'), maxArchiveAge: '0s' }).catch((e: unknown) => e)) as MigrationError;
    t.type(error, MigrationError);
    t.match(error.message, /^BACKUP=pitr: the last WAL segment was archived \S+ ago \([0-9A-F]{24} at \S+Z\), longer than PITR_MAX_ARCHIVE_AGE=0s: check that archiving still runs/);
  });

  t.test('a failing archive_command is refused, naming the segment that failed; nothing is written or migrated', async (t) => {
    await sql`ALTER SYSTEM SET archive_command = 'false'`;
    await sql`SELECT pg_reload_conf()`;
    await switchAndWait(sql, 'failed_count');
    const dir = join(tempDir('pitr-failing-'), 'backups');
    const run = node(backupJs, ['--mode', 'pitr', '--dir', dir], { DATABASE_URL: url });
    t.equal(run.status, 1);
    t.match(
      run.stderr,
      /^error: BACKUP=pitr: WAL archiving is failing: archive_command failed on ([0-9A-F]{24}) at \S+Z \(\d+ failures? in pg_stat_archiver\) and the last success was [0-9A-F]{24} at \S+Z: the server log says why; fix the archive_command .* on 127\.0\.0\.1:\d+\/shop; no recovery point was recorded and nothing was migrated \(docs\/deploy\.md#point-in-time-recovery\)\n$/,
    );
    t.notOk(existsSync(dir), 'nothing written');

    const { url: target, sql: db } = await pg.freshDatabase('shop_refused');
    const deploy = node(deployJs, ['--dir', app, '--backup', 'pitr', '--backup-dir', dir], { DATABASE_URL: target });
    t.equal(deploy.status, 1);
    t.match(deploy.stderr, /^deploy FAILED at backup: BACKUP=pitr: WAL archiving is failing: .*\nstate: Nothing was migrated: the database is as it was before the deploy\. Fix WAL archiving/);
    t.equal((await db`SELECT to_regclass('pgmigrations') IS NULL AS none`)[0]!.none, true, 'nothing migrated');

    await sql`ALTER SYSTEM SET archive_command = ''`;
    await sql`SELECT pg_reload_conf()`;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const empty = node(backupJs, ['--mode', 'pitr', '--dir', dir], { DATABASE_URL: url });
    t.equal(empty.status, 1);
    t.match(empty.stderr, /^error: BACKUP=pitr: archive_mode is on but archive_command and archive_library are empty, so WAL is kept, not archived: /);
  });
});
