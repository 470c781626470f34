// Replica awareness of make deploy, on a real PostgreSQL 15 primary with a streaming standby (pg_basebackup -R over a
// physical slot): a standby paused behind MAX_REPLICA_LAG refuses the deploy, naming it; once it replays again the
// deploy runs, waits until the standby has replayed it and reports its lag; a standby still paused after REPLICA_WAIT
// fails the deploy after the run (the schema is on the primary); a stopped standby whose slot remains refuses as
// disconnected; without standbys, one info line. One primary/standby pair for the file.
import { DEFAULT_PREFLIGHT } from '../runner/preflight.js';
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { startPg15Standby } from './helpers/pg15-standby.js';
import { childEnv } from './helpers/child-env.js';
import { connect } from '../core/postgres/database-url.js';
import { deploy, type DeployEvent, type DeployResult } from '../runner/deploy.js';
import { checkStandbys, parseLagBound, readStandbys, replicaSettingsFromEnv, type ReplicaSettings } from '../runner/replicas.js';

const root = join(import.meta.dirname, '..');
const deployJs = join(root, 'dist', 'scripts', 'deploy.js');

function migration(dir: string, name: string, up: string, down: string): void {
  writeFileSync(join(dir, `${name}.up.sql`), `-- ${name.replace(/^\d+_/, '').replaceAll('_', ' ')}.\n${up}\n`);
  writeFileSync(join(dir, `${name}.down.sql`), `${down}\n`);
}

async function run(dir: string, url: string, replicas: ReplicaSettings): Promise<DeployResult & { lines: string[] }> {
  const lines: string[] = [];
  const report = (e: DeployEvent): void => void lines.push(e.kind === 'step' ? `== ${e.step}` : `${e.kind} ${e.text}`);
  // DRIFT=skip: these tests make a table by hand (filler, to make WAL), which the drift check rightly refuses.
  const result = await deploy({ dir, target: { url, source: 'env' }, backup: 'skip', backupDir: join(dir, 'backups'), replicas, preflight: { ...DEFAULT_PREFLIGHT, drift: 'skip' }, report });
  return { ...result, lines };
}

t.test('settings: MAX_REPLICA_LAG and REPLICA_WAIT are parsed strictly', async (t) => {
  t.same(replicaSettingsFromEnv({}), { maxLag: { text: '30s,64MB', ms: 30_000, bytes: 64 * 1024 ** 2 }, waitMs: 60_000, waitText: '60s' }, 'defaults 30s,64MB and 60s');
  t.same(parseLagBound('1GB, 2min'), { text: '1GB, 2min', ms: 120_000, bytes: 1024 ** 3 }, 'a size and a time, either order');
  t.same(parseLagBound('500kB'), { text: '500kB', bytes: 512_000 }, 'a size alone');
  t.same(parseLagBound('off'), { text: 'off' }, 'off');
  t.throws(() => parseLagBound('30'), /^MAX_REPLICA_LAG=30: "30" is neither a time \(ms, s, min, h\) nor a size/, 'a bare number is refused');
  t.throws(() => parseLagBound('30s,1m'), /"1m" is neither/, 'm is not a unit');
  t.throws(() => parseLagBound('30s,2min'), /^MAX_REPLICA_LAG=30s,2min gives two times; use/);
  t.throws(() => parseLagBound('30s,'), /^MAX_REPLICA_LAG=30s, has an empty part; use/);
  t.throws(() => replicaSettingsFromEnv({ REPLICA_WAIT: 'soon' }), /^REPLICA_WAIT=soon is not a time; use e\.g\. 60s/);
  t.equal(replicaSettingsFromEnv({ REPLICA_WAIT: '0' }).waitMs, 0, 'REPLICA_WAIT=0: report without waiting');
});

t.test('the verifier warns about replayed ACCESS EXCLUSIVE locks only for a primary with standbys', async (t) => {
  const verifyJs = join(root, 'dist', 'verify', 'cli.js');
  const work = mkdtempSync(join(tmpdir(), 'replicas-verify-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const sqlDir = join(work, 'sql');
  mkdirSync(sqlDir);
  migration(sqlDir, '20260301000000_create_orders', 'CREATE TABLE orders (id bigint PRIMARY KEY);', 'DROP TABLE orders;');
  migration(sqlDir, '20260301000100_add_orders_note', 'ALTER TABLE orders ADD COLUMN note text;', 'ALTER TABLE orders DROP COLUMN note;');
  const verify = (...args: string[]) => spawnSync(process.execPath, [verifyJs, 'sql', '--no-cache', ...args], { cwd: work, encoding: 'utf8', env: { ...childEnv(), NO_COLOR: '1' } });
  const flagged = verify('--standbys');
  t.equal(flagged.status, 0, 'a warning, not an error');
  t.match(flagged.stdout, /20260301000100_add_orders_note\.up\.sql:2:1 +warning +standby-lock-conflict +On each standby, replaying the ACCESS EXCLUSIVE lock this statement takes on orders cancels the reads/);
  writeFileSync(join(work, 'verify-migrations.json'), '{ "standbys": true }\n');
  t.match(verify().stdout, /2 warnings/, '"standbys": true in verify-migrations.json: the up and the down are flagged');
  writeFileSync(join(work, 'verify-migrations.json'), '{ "standbys": "yes" }\n');
  const bad = verify();
  t.equal(bad.status, 2);
  t.match(bad.stderr, /verify-migrations\.json: "standbys" must be true or false/);
});

t.test('a primary with a streaming standby', async (t) => {
  if (!existsSync(deployJs)) throw new Error('dist/scripts/deploy.js is missing: run `npx tsc -p .`');
  const primary = await startPg15Server(t, 'Prim&ry-S3cret');
  const { url, sql } = await primary.freshDatabase('shop');
  const standby = await startPg15Standby(t, primary, 'standby1');
  const onStandby = connect(standby.url.replace(/\/postgres$/, '/shop'), { max: 1 });
  t.teardown(() => onStandby.end({ timeout: 1 }));
  const dir = mkdtempSync(join(tmpdir(), 'replicas-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  migration(dir, '20260301000000_create_orders', 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);', 'DROP TABLE orders;');
  migration(dir, '20260301000100_add_orders_shipped_at', 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;', 'ALTER TABLE orders DROP COLUMN shipped_at;');
  const settings = (maxLag: string, wait: string): ReplicaSettings => replicaSettingsFromEnv({ MAX_REPLICA_LAG: maxLag, REPLICA_WAIT: wait });
  const applied = async (): Promise<number> => {
    const [table] = await sql<{ present: boolean }[]>`SELECT to_regclass('pgmigrations') IS NOT NULL AS present`;
    if (!table?.present) return 0;
    const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pgmigrations`;
    return row!.n;
  };

  await t.test('replay paused and 4 MB of WAL behind: make deploy refuses, naming the standby and its lag', async (t) => {
    await standby.sql`SELECT pg_wal_replay_pause()`;
    await sql`CREATE TABLE filler AS SELECT g, repeat('x', 500) AS pad FROM generate_series(1, 8000) AS g`;
    const result = spawnSync(process.execPath, [deployJs, '--dir', dir, '--backup', 'skip'], {
      cwd: root,
      env: childEnv({ DATABASE_URL: url, MAX_REPLICA_LAG: '1MB' }),
      encoding: 'utf8',
      timeout: 60_000,
    });
    t.equal(result.status, 1, result.stderr);
    t.match(result.stdout, /replicas: MAX_REPLICA_LAG 1MB, REPLICA_WAIT 60s\n/);
    t.match(result.stdout, / {3}WARN {2}standby standby1 \(127\.0\.0\.1\) is behind: replay lag [^,]+, \d+\.\d MB of WAL, over MAX_REPLICA_LAG=1MB\n/);
    t.match(result.stderr, /^deploy FAILED at preflight: 1 standby problem: standby standby1 \(127\.0\.0\.1\) is behind: .* MB of WAL, over MAX_REPLICA_LAG=1MB; wait for the standby to catch up .*or raise MAX_REPLICA_LAG, then re-run \(docs\/deploy\.md, Replicas\)\nstate: Nothing was changed/);
    t.match(result.stdout, /make verify: 4 files checked: 0 errors, 2 warnings/, 'with a standby detected, the verifier ran with --standbys (the ALTER TABLE up and down)');
    t.notMatch(result.stdout + result.stderr, primary.password, 'no password');
    t.equal(await applied(), 0, 'nothing applied');
  });

  await t.test('a bad MAX_REPLICA_LAG is a one-line usage error naming it', async (t) => {
    const result = spawnSync(process.execPath, [deployJs, '--dir', dir, '--backup', 'skip'], { cwd: root, env: childEnv({ DATABASE_URL: url, MAX_REPLICA_LAG: '30 seconds' }), encoding: 'utf8', timeout: 60_000 });
    t.equal(result.status, 2);
    t.equal(result.stderr, 'error: MAX_REPLICA_LAG=30 seconds: "30 seconds" is neither a time (ms, s, min, h) nor a size (B, kB, MB, GB, TB); use a time and/or a size, e.g. 30s,64MB (the default), 2min, 1GB, or off\n');
  });

  await t.test('replay resumed: the deploy runs, waits for the standby to replay it, reports its lag', async (t) => {
    await standby.sql`SELECT pg_wal_replay_resume()`;
    const result = await run(dir, url, settings('30s,64MB', '30s'));
    t.equal(result.exitCode, 0, result.error ?? 'deployed');
    t.same(result.applied, ['20260301000000_create_orders', '20260301000100_add_orders_shipped_at']);
    t.ok(result.lines.some((l) => /^ok standby standby1 \(127\.0\.0\.1\): streaming, replay lag .*\(MAX_REPLICA_LAG=30s,64MB\)$/.test(l)), 'preflight: the standby is within the bound');
    const replayed = result.lines.find((l) => l.startsWith('ok standby standby1 (127.0.0.1) replayed this deploy'));
    t.match(replayed, /^ok standby standby1 \(127\.0\.0\.1\) replayed this deploy \(up to [0-9A-F]+\/[0-9A-F]+\) within \d+\.\d s: replay lag .*, 0 B of WAL$/);
    const [column] = await onStandby<{ n: number }[]>`SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = 'orders' AND column_name = 'shipped_at'`;
    t.equal(column?.n, 1, 'when deploy reports done, the standby has the new column');
  });

  await t.test('a role that cannot read the standbys\' progress is refused with the GRANT that fixes it', async (t) => {
    await sql.unsafe(`CREATE ROLE watcher LOGIN PASSWORD 'W4tch&er-pw'`);
    const asWatcher = url.replace(/\/\/postgres:[^@]*@/, `//watcher:${encodeURIComponent('W4tch&er-pw')}@`);
    const hidden = checkStandbys(await readStandbys(asWatcher), parseLagBound('off'));
    t.match(hidden.refusal, /^1 standby problem: standby standby1: replay lag unknown: this role cannot read pg_stat_replication \(GRANT pg_monitor TO it\); grant the deploying role pg_monitor, then re-run/);
    await sql.unsafe('GRANT pg_monitor TO watcher');
    const seen = checkStandbys(await readStandbys(asWatcher), parseLagBound('64MB'));
    t.equal(seen.refusal, undefined, 'with pg_monitor the standby is seen, within the bound');
    t.match(seen.lines[0]?.text, /^standby standby1 \(127\.0\.0\.1\): streaming, replay lag /);
  });

  await t.test('replay paused during the run: after REPLICA_WAIT the deploy fails naming the standby; the schema is on the primary', async (t) => {
    migration(dir, '20260301000200_add_orders_region', 'ALTER TABLE orders ADD COLUMN region text;', 'ALTER TABLE orders DROP COLUMN region;');
    await standby.sql`SELECT pg_wal_replay_pause()`;
    const result = await run(dir, url, settings('30s,64MB', '1500ms'));

    await standby.sql`SELECT pg_wal_replay_resume()`;
    t.equal(result.exitCode, 1);
    t.equal(result.failedStep, 'post-checks');
    t.same(result.applied, ['20260301000200_add_orders_region']);
    t.match(result.error, /^standby standby1 \(127\.0\.0\.1\) \(streaming, \d+(\.\d)? (B|kB) behind\) did not replay this deploy \(up to [0-9A-F]+\/[0-9A-F]+\) within REPLICA_WAIT=1500ms$/);
    t.match(result.state, /^The migration of this deploy is applied and committed on the primary, and every other post-check passed; standby standby1 .* had not replayed it after 1\.\d s: readers there still see the schema from before this deploy\. Do not roll back or re-run for this/);
    t.ok(result.lines.some((l) => l.startsWith('warn standby standby1 (127.0.0.1) has not replayed this deploy yet: streaming, ')));
  });

  await t.test('the standby stopped, its slot left: refused as disconnected', async (t) => {
    standby.stop();
    migration(dir, '20260301000300_add_orders_channel', 'ALTER TABLE orders ADD COLUMN channel text;', 'ALTER TABLE orders DROP COLUMN channel;');
    const result = await run(dir, url, settings('30s,64MB', '1s'));
    t.equal(result.exitCode, 1);
    t.equal(result.failedStep, 'preflight');
    t.match(result.error, /^1 standby problem: standby standby1 is disconnected: its physical replication slot is not active \(.* of WAL retained for it\); start the standby \(if it is gone for good, drop its slot: SELECT pg_drop_replication_slot\('standby1'\)\), then re-run \(docs\/deploy\.md, Replicas\)$/);
    t.equal(await applied(), 3, 'the fourth migration was not applied');
  });

  await t.test('no standby and no slot: one info line, and the deploy goes on', async (t) => {
    await sql`SELECT pg_drop_replication_slot('standby1')`;
    const result = await run(dir, url, settings('30s,64MB', '1s'));
    t.equal(result.exitCode, 0, result.error ?? 'deployed');
    t.same(result.applied, ['20260301000300_add_orders_channel']);
    t.same(result.lines.filter((l) => /replica|standby/.test(l)), ['info replicas: none (no standby streams from this primary, no physical replication slot waits for one)']);
    t.ok(result.lines.some((l) => /make verify: 8 files checked: 0 errors, 0 warnings/.test(l)), 'without standbys, the verifier does not warn about them');
  });
});
