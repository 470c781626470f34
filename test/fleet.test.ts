// make deploy TARGETS=<file>: one chain deployed to a fleet (dist/scripts/fleet.js, as make runs it), for real: several
// databases on a throwaway PostgreSQL 18 and a PostgreSQL 15 with a password. The chain has a gate: a migration that
// waits for an advisory lock the test holds in chosen databases, so the test sees (in pg_locks) which deploys run at
// the same moment, and decides when they go on: no timing guesses. The canary runs alone, then PARALLEL at a time; a
// failing target stops new starts while the running one finishes; SIGINT stops the fleet; bad lines are refused before
// anything runs; backups land in a folder per target; no password shows.
import t, { type Test } from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPg15Server } from './helpers/pg15-server.js';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';
import { connect, type Sql } from '../core/postgres/database-url.js';

const root = join(import.meta.dirname, '..');
const fleetJs = join(root, 'dist', 'scripts', 'fleet.js');
const app = join(import.meta.dirname, 'fixtures', 'deploy', 'app');
const GATE = '20260201000150_gate';
const GATE_KEY = 4242;
/** The gate waits for the test, not for lock_timeout. */
const WAIT = { MIGRATE_LOCK_TIMEOUT: '60s' };

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The server each deploy's drift check replays migrations on (VERIFY_DATABASE_URL): the test's own, never the checkout's embedded one. */
let scratchServer = '';

function fleet(args: readonly string[], env: Record<string, string> = {}): Run {
  const result = spawnSync(process.execPath, [fleetJs, ...args], { cwd: root, env: childEnv({ VERIFY_DATABASE_URL: scratchServer, ...env }), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The deploy fixture plus the gate between create_items and the index: it waits while the test holds GATE_KEY. */
function chainWithGate(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-chain-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(app, dir, { recursive: true });
  rmSync(join(dir, 'migrations.sum'));
  writeFileSync(join(dir, `${GATE}.up.sql`), `-- Waits for a test: the deploy goes on when the test releases its advisory lock.\nSELECT pg_advisory_xact_lock(${GATE_KEY});\n`);
  writeFileSync(join(dir, `${GATE}.down.sql`), `-- Undoes ${GATE}: nothing to undo.\nSELECT 1;\n`);
  return dir;
}

/** Hold the gate shut in a database (its own connection); open() lets its deploy go on. */
async function closeGate(t: Test, url: string): Promise<{ open(): Promise<void> }> {
  const holder = connect(url, { idle_timeout: 0 }); // an idle close would end the session, and the lock with it
  t.teardown(() => holder.end({ timeout: 1 }).catch(() => undefined));
  await holder`SELECT pg_advisory_lock(${GATE_KEY})`;
  return {
    async open() {
      await holder`SELECT pg_advisory_unlock(${GATE_KEY})`;
    },
  };
}

/** Sessions of this database waiting at the gate. */
async function waitingAtGate(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`
    SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
    WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.objid = ${GATE_KEY} AND NOT l.granted`;
  return row?.n ?? 0;
}

async function until(what: string, check: () => Promise<boolean> | boolean, seconds = 60): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** The fleet in the background: its output so far, and its end. */
function startFleet(args: readonly string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [fleetJs, ...args], { cwd: root, env: childEnv({ VERIFY_DATABASE_URL: scratchServer, ...env }) });
  const run = { status: null as number | null, stdout: '', stderr: '' };
  child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
  const done = new Promise<Run>((resolve) => child.on('close', (code) => resolve({ ...run, status: code })));
  return { child, run: run as Readonly<Run>, done };
}

function targetsFile(t: Test, lines: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'fleet-targets-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'targets.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** name -> run_on (ms) of each applied migration; null when pgmigrations does not exist. */
async function runOn(sql: Sql): Promise<Map<string, number> | null> {
  const [table] = await sql`SELECT to_regclass('public.pgmigrations') IS NOT NULL AS present`;
  if (!table?.present) return null;
  const rows = await sql<{ name: string; run_on: Date }[]>`SELECT name, run_on FROM pgmigrations ORDER BY id`;
  return new Map(rows.map((r) => [r.name, r.run_on.getTime()]));
}

/** The summary row of a target (by its host:port/database). */
function summaryRow(run: Run, name: string): string {
  const summary = run.stdout.slice(run.stdout.indexOf('fleet summary'));
  return summary.split('\n').find((line) => line.includes(`${name} `) || line.endsWith(name)) ?? `(no row for ${name})`;
}

const hostPortDb = (url: string): string => {
  const u = new URL(url);
  return `${u.hostname}:${u.port}${u.pathname}`;
};

t.before(() => {
  if (!existsSync(fleetJs)) throw new Error('dist/scripts/fleet.js is missing: run `make test` (it builds first) or `npx tsc -p .`');
});

const SECRET = 'fleet18-S3cret';
const withPassword = (url: string): string => url.replace('postgres@', `postgres:${SECRET}@`);

t.test('fleets against a PostgreSQL 18 (several databases) and a PostgreSQL 15', async (t) => {
  const pg18 = await startTestServer(t);
  scratchServer = pg18.server.url;
  const pg15 = await startPg15Server(t, 'Fl33t&15!pw');
  const secrets = [SECRET, pg15.password, encodeURIComponent(pg15.password)];
  const noSecret = (t: Test, run: Run): void => {
    for (const secret of secrets) t.notMatch(run.stdout + run.stderr, secret, 'no password in the output');
  };

  t.test('bad lines are refused, each with file:line and without its text, before anything runs', async (t) => {
    const good = await pg18.freshDatabase();
    const file = targetsFile(t, [
      '# the canary',
      withPassword(good.url),
      '',
      `postgres://app:${SECRET}@db 1:5432/shop`,
      `app:${SECRET}@db1:5432/shop`,
      'FLEET_UNSET_VARIABLE',
      'FLEET_NOT_A_URL',
      `host=db1 password=${SECRET}`,
      withPassword(good.url),
    ]);
    const run = fleet(['--targets', file, '--dir', app, '--backup', 'skip'], { FLEET_NOT_A_URL: `host=db2 password=${SECRET}` });
    t.equal(run.status, 2);
    t.equal(run.stdout, '', 'nothing started');
    const lines = run.stderr.trimEnd().split('\n');
    t.match(lines, [
      `error: ${file}:4: one connection string per line, without spaces`,
      `error: ${file}:5: expected a postgres:// connection string or an environment variable name (the line is not shown: it may hold a password)`,
      `error: ${file}:6: the environment variable FLEET_UNSET_VARIABLE is not set (or empty): export it, or put the connection string on the line`,
      `error: ${file}:7: the environment variable FLEET_NOT_A_URL does not hold a postgres://user@host:port/database URL (its value is not shown)`,
      /^error: .*:8: expected a postgres:\/\/ .*: key=value connection strings are not read here; write postgres:\/\/user:password@host:port\/database$/,
      `error: ${file}:9: the same database as line 2 (${hostPortDb(good.url)}): list each database once`,
      `error: nothing was deployed: fix ${file} (docs/deploy.md#fleets)`,
    ]);
    t.equal(lines.length, 7, 'one line per problem');
    noSecret(t, run);
    t.equal(await runOn(good.sql), null, 'the good target was not touched');

    const parallel = fleet(['--targets', targetsFile(t, [good.url]), '--parallel', '0', '--dir', app]);
    t.equal(parallel.status, 2);
    t.match(parallel.stderr, /^error: PARALLEL must be a whole number from 1, not "0"; run "fleet --help"\n$/);
  });

  t.test('canary first, then two at a time across two servers; variable lines resolved; a summary; exit 0', async (t) => {
    const chain = chainWithGate(t);
    const a = await pg18.freshDatabase();
    const b = await pg18.freshDatabase();
    const c = await pg15.freshDatabase();
    const d = await pg18.freshDatabase();
    const [gateB, gateC] = await Promise.all([closeGate(t, b.url), closeGate(t, c.url)]);
    const file = targetsFile(t, ['# EU first: the canary', 'FLEET_EU_URL', '', withPassword(b.url), c.url, `  ${d.url}  `]);
    const fleetRun = startFleet(['--targets', file, '--parallel', '2', '--dir', chain, '--backup', 'skip'], { ...WAIT, FLEET_EU_URL: withPassword(a.url) });

    // b (PostgreSQL 18) and c (PostgreSQL 15) both wait at their gate: two deploys at once, and not a third.
    await until('b and c wait at their gates', async () => (await waitingAtGate(b.sql)) === 1 && (await waitingAtGate(c.sql)) === 1);
    t.pass('b and c are deploying at the same moment');
    t.same((await runOn(a.sql))?.size, 4, 'the canary finished before they started');
    t.equal(await runOn(d.sql), null, 'd waits for a free slot (PARALLEL=2)');
    await Promise.all([gateB.open(), gateC.open()]);
    const run = await fleetRun.done;

    t.equal(run.status, 0, run.stderr);
    noSecret(t, run);
    const [na, nb, nc, nd] = [a, b, c, d].map((db) => hostPortDb(db.url)) as [string, string, string, string];
    t.match(run.stdout, new RegExp(`^fleet: 4 targets from .*: ${na} first \\(canary\\), then 2 at a time\n`));
    t.match(run.stdout, new RegExp(`\\[${na} *\\] -- started \\(canary\\), 1 running; from FLEET_EU_URL\n`));
    t.match(run.stdout, new RegExp(`\\[${nc} *\\] == 3/4 migrate\n`), 'each target output is prefixed with it');
    t.match(run.stdout, new RegExp(`\\[${nc} *\\]    ok    applied ${GATE}\n`));
    t.match(summaryRow(run, na), new RegExp(`^  ${na} \\(FLEET_EU_URL\\) canary +4 +\\d+\\.\\d s  done$`));
    for (const name of [nb, nc, nd]) t.match(summaryRow(run, name), new RegExp(`^  ${name} +4 +\\d+\\.\\d s  done$`));
    t.match(run.stdout, /\nfleet done: 4 done\n$/);
    const [rb, rc, rd] = (await Promise.all([b, c, d].map((db) => runOn(db.sql)))) as Map<string, number>[];
    t.ok(Math.min(...rd!.values()) > Math.min(Math.max(...rb!.values()), Math.max(...rc!.values())), 'd started when b or c had finished');
  });

  t.test('a failing target: no new start, the running one finishes, the summary says so, exit 1; a re-run completes', async (t) => {
    const chain = chainWithGate(t);
    const canary = await pg18.freshDatabase();
    const bad = await pg18.freshDatabase();
    const slow = await pg18.freshDatabase();
    const later = await pg18.freshDatabase();
    await bad.sql`CREATE TABLE items (id int)`;
    const gate = await closeGate(t, slow.url);
    const file = targetsFile(t, [canary.url, bad.url, withPassword(slow.url), later.url]);
    const [nc, nb, ns, nl] = [canary, bad, slow, later].map((db) => hostPortDb(db.url)) as [string, string, string, string];
    const fleetRun = startFleet(['--targets', file, '--parallel', '2', '--dir', chain, '--backup', 'skip'], WAIT);
    // slow cannot pass its gate: whenever bad fails, slow is still running.
    await until('bad failed and slow waits at its gate', async () => fleetRun.run.stderr.includes(`fleet: ${nb} failed`) && (await waitingAtGate(slow.sql)) === 1);
    t.equal(await runOn(later.sql), null, 'no new target started after the failure');
    await gate.open();
    const run = await fleetRun.done;

    t.equal(run.status, 1);
    noSecret(t, run);
    t.match(run.stderr, new RegExp(`\\[${nb} *\\] deploy FAILED at migrate: .*20260201000100_create_items\\.up\\.sql:2:1: relation "items" already exists`));
    t.match(run.stderr, new RegExp(`fleet: ${nb} failed: no new target is started; waiting for the 1 running to finish\n`));
    t.match(summaryRow(run, nc), /canary +4 +[\d.]+ s {2}done$/);
    t.match(summaryRow(run, nb), / 1 +[\d.]+ s {2}failed: migrate: .*relation "items" already exists/);
    t.match(summaryRow(run, ns), / 4 +[\d.]+ s {2}done$/, 'the one running when the other failed finished');
    t.match(summaryRow(run, nl), / - +- {2}not started$/);
    t.match(run.stderr, new RegExp(`fleet FAILED: 2 done, 1 failed, 1 not started \\(stopped: ${nb} failed\\)\n.*run the same make deploy TARGETS=${file} again`));
    t.equal(await runOn(later.sql), null, 'the target after the failure was not touched');
    t.equal((await runOn(bad.sql))?.size, 1, 'the failing target keeps what it committed (create_brands)');

    await bad.sql`DROP TABLE items`;
    const again = fleet(['--targets', file, '--parallel', '3', '--dir', chain, '--backup', 'skip'], WAIT);
    t.equal(again.status, 0, again.stderr);
    t.match(summaryRow(again, nc), / 0 +[\d.]+ s {2}done$/, 'done targets have nothing pending');
    t.match(summaryRow(again, nb), / 3 +[\d.]+ s {2}done$/);
    t.match(summaryRow(again, nl), / 4 +[\d.]+ s {2}done$/);
  });

  t.test('SIGINT: the running deploy is cancelled as deploy does it, no other target starts, exit 1', async (t) => {
    const chain = chainWithGate(t);
    const first = await pg18.freshDatabase();
    const second = await pg18.freshDatabase();
    await closeGate(t, first.url);
    const file = targetsFile(t, [first.url, second.url]);
    const fleetRun = startFleet(['--targets', file, '--dir', chain, '--backup', 'skip'], WAIT);
    await until('the canary waits at its gate', async () => (await waitingAtGate(first.sql)) === 1);
    fleetRun.child.kill('SIGINT');
    const run = await fleetRun.done;
    t.equal(run.status, 1, run.stderr);
    t.match(run.stderr, /^fleet: SIGINT: no new target is started; the running deploys cancel their statement and stop\n/m);
    t.notMatch(run.stderr, /waiting for the/, 'said once');
    t.match(run.stderr, new RegExp(`\\[${hostPortDb(first.url)} *\\] deploy FAILED at migrate: .*${GATE}`));
    t.match(summaryRow(run, hostPortDb(second.url)), / - +- {2}not started$/);
    t.match(run.stderr, /fleet FAILED: 1 failed, 1 not started \(stopped: SIGINT\)/);
    t.equal(await runOn(second.sql), null);
    t.notOk((await runOn(first.sql))?.has(GATE), 'the cancelled migration was rolled back');
    t.equal(await waitingAtGate(first.sql), 0, 'its wait was cancelled on the server');
  });

  t.test('make deploy TARGETS= PARALLEL= with backups: one folder per target, each dump its own', async (t) => {
    const one = await pg15.freshDatabase();
    const two = await pg15.freshDatabase();
    const backups = mkdtempSync(join(tmpdir(), 'fleet-backups-'));
    t.teardown(() => rmSync(backups, { recursive: true, force: true }));
    const file = targetsFile(t, ['FLEET_ONE', two.url]);
    const make = spawnSync('make', ['-s', '-o', 'dist/.built', '-o', 'node_modules/.installed', 'deploy', `TARGETS=${file}`, 'PARALLEL=2', `MIGRATIONS_DIR=${app}`, `BACKUP_DIR=${backups}`], {
      cwd: root,
      env: childEnv({ FLEET_ONE: one.url, PG_DUMP: '/usr/lib/postgresql/15/bin/pg_dump', VERIFY_DATABASE_URL: scratchServer }),
      encoding: 'utf8',
      timeout: 120_000,
    });
    t.equal(make.status, 0, make.stderr);
    noSecret(t, make);
    const folders = readdirSync(backups).sort();
    const expected = [one, two].map((db) => hostPortDb(db.url).replace(/[:/]/g, '_')).sort();
    t.same(folders, expected, 'a folder per target: host_port_database');
    for (const folder of folders) {
      const dumps = readdirSync(join(backups, folder));
      t.equal(dumps.length, 1, `${folder}: one dump`);
      t.equal(statSync(join(backups, folder, dumps[0]!)).mode & 0o777, 0o600);
      t.match(make.stdout, new RegExp(`\\] to restore the backup taken before it: .*${folder}/${dumps[0]}`));
    }
    t.match(make.stdout, /fleet summary \(2 targets, PARALLEL=2, /);
  });
});
