// A wrong, unreachable or unauthorized DATABASE_URL, for `migrate up`, `status` and `down`: exit 1 within the connect
// timeout, one line that names host, port and database and says what to check, no stack trace, and never the
// password (raw, URL-encoded, or any part of it).
import t, { type Test } from 'tap';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect, type Sql } from '../core/postgres/database-url.js';
import { freePort } from '../core/postgres/embedded-server.js';
import { childEnv } from './helpers/child-env.js';

const ROOT = join(import.meta.dirname, '..');
const MIGRATE = join(ROOT, 'dist', 'scripts', 'migrate.js');
const DIR = 'test/fixtures/reliability/concurrency';
const COMMANDS = ['up', 'status', 'down'] as const;
/** The password every URL here carries; no part of it may be printed. */
const PASSWORD = 'S3cr3t-Pa55w0rd!';
const LEAKS = [PASSWORD, encodeURIComponent(PASSWORD), 'S3cr3t%2DPa55w0rd%21', 'S3cr3t%2dPa55w0rd%21', 'Pa55w0rd', 'S3cr3t'];
/** connect_timeout is 10 s (core/postgres/database-url.ts); a run may take two attempts, plus node's start-up. */
const BOUND_MS = 30_000;

t.setTimeout(180_000);

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

/** Run the CLI; killed (SIGKILL) after `BOUND_MS` + 5 s so a hang fails the test instead of stalling it. */
function migrate(command: string, databaseUrl: string): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MIGRATE, command, '--dir', DIR], { cwd: ROOT, env: childEnv({ DATABASE_URL: databaseUrl }), timeout: BOUND_MS + 5_000, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: Date.now() - started }));
  });
}

interface Case {
  readonly label: string;
  readonly url: string;
  /** What the error line must contain: the target, or for an unparseable URL what a good one looks like. */
  readonly names: RegExp;
  /** The advice it must give. */
  readonly advice: RegExp;
}

const timings: string[] = [];

async function checkCase(t: Test, c: Case): Promise<void> {
  const runs = await Promise.all(COMMANDS.map((command) => migrate(command, c.url)));
  for (const [i, run] of runs.entries()) {
    const label = `${c.label}, migrate ${COMMANDS[i]}`;
    timings.push(`${label}: exit ${run.code ?? run.signal}, ${run.ms} ms`);
    t.ok(run.ms < BOUND_MS, `${label}: finishes within ${BOUND_MS / 1000} s (${run.ms} ms${run.signal ? `, killed by ${run.signal}` : ''})`);
    t.equal(run.code, 1, `${label}: exit 1`);
    const lines = run.stderr.split('\n').filter(Boolean);
    t.equal(lines.length, 1, `${label}: one line on stderr`);
    const line = lines[0] ?? '';
    t.match(line, /^error: \S/, `${label}: an error line (${line})`);
    t.match(line, c.names, `${label}: names ${c.names.source}`);
    t.match(line, c.advice, `${label}: says what to check`);
    t.notMatch(run.stdout + run.stderr, /^\s+at .+:\d+:\d+\)?$/m, `${label}: no stack trace`);
    const output = run.stdout + run.stderr;
    for (const leak of LEAKS) t.notOk(output.toLowerCase().includes(leak.toLowerCase()), `${label}: does not print ${leak}`);
  }
}

const db = await startTestServer(t);
const port = db.server.port;
const admin = connect(db.server.url);
const opened: Sql[] = [admin];
const servers: Server[] = [];
t.teardown(async () => {
  await Promise.all(opened.map((sql) => sql.end({ timeout: 1 }).catch(() => undefined)));
  for (const server of servers) server.close();
});

// A role with a real password, and a pg_hba line that makes the server check it (the rest of the server trusts).
await admin.unsafe(`CREATE ROLE app_owner LOGIN PASSWORD 'correct-horse-battery-staple'`);
await admin.unsafe('CREATE DATABASE app OWNER app_owner');
const [hba] = await admin<{ hba_file: string }[]>`SHOW hba_file`;
const hbaFile = hba!.hba_file;
writeFileSync(hbaFile, `host all app_owner 127.0.0.1/32 scram-sha-256\n${readFileSync(hbaFile, 'utf8')}`);
await admin`SELECT pg_reload_conf()`;

const url = (user: string, password: string, host: string, database: string) => `postgres://${user}:${password}@${host}/${database}`;

t.test('the pg_hba line is in force: the right password connects, so a wrong one is really rejected', async (t) => {
  const rules = await admin<{ user_name: string[]; auth_method: string }[]>`SELECT user_name, auth_method FROM pg_hba_file_rules ORDER BY rule_number LIMIT 1`;
  t.same(rules.map((r) => [r.user_name, r.auth_method]), [[['app_owner'], 'scram-sha-256']]);
  const run = await migrate('status', url('app_owner', 'correct-horse-battery-staple', `127.0.0.1:${port}`, 'app'));
  t.equal(run.code, 0, `status with the right password (${run.stderr.trim()})`);
});

const unused = await freePort();
const cases: Case[] = [
  { label: 'a port nobody listens on', url: url('postgres', PASSWORD, `127.0.0.1:${unused}`, 'postgres'), names: new RegExp(`127\\.0\\.0\\.1:${unused}/postgres`), advice: /running|listening|check/i },
  { label: 'a host that does not resolve', url: url('postgres', PASSWORD, 'no-such-host.invalid:5432', 'postgres'), names: /no-such-host\.invalid:5432\/postgres/, advice: /check the host/i },
  { label: 'a wrong database name', url: url('postgres', PASSWORD, `127.0.0.1:${port}`, 'no_such_db'), names: new RegExp(`127\\.0\\.0\\.1:${port}/no_such_db`), advice: /database/i },
  { label: 'a role that does not exist', url: url('nobody_here', PASSWORD, `127.0.0.1:${port}`, 'postgres'), names: new RegExp(`127\\.0\\.0\\.1:${port}/postgres`), advice: /user name|role/i },
  { label: 'a wrong password (scram)', url: url('app_owner', PASSWORD, `127.0.0.1:${port}`, 'app'), names: new RegExp(`127\\.0\\.0\\.1:${port}/app`), advice: /password/i },
  { label: 'a wrong password, URL-encoded', url: url('app_owner', encodeURIComponent(PASSWORD).replace('-', '%2D'), `127.0.0.1:${port}`, 'app'), names: new RegExp(`127\\.0\\.0\\.1:${port}/app`), advice: /password/i },
  { label: 'a wrong password in ?password=', url: `postgres://app_owner@127.0.0.1:${port}/app?password=${encodeURIComponent(PASSWORD)}`, names: new RegExp(`127\\.0\\.0\\.1:${port}/app`), advice: /password/i },
  { label: 'an unparseable URL (port)', url: url('postgres', PASSWORD, '127.0.0.1:notaport', 'postgres'), names: /DATABASE_URL/, advice: /postgres:\/\/user:password@host/ },
  { label: 'an unparseable URL (bracket)', url: url('postgres', PASSWORD, '[::1', 'postgres'), names: /DATABASE_URL/, advice: /postgres:\/\/user:password@host/ },
  { label: 'a URL of another database', url: `mysql://root:${PASSWORD}@127.0.0.1:${port}/app`, names: /DATABASE_URL/, advice: /postgres:\/\/user:password@host/ },
  { label: 'not a URL at all', url: `host=127.0.0.1 user=postgres password=${PASSWORD}`, names: /DATABASE_URL/, advice: /postgres:\/\/user:password@host/ },
];

for (const c of cases) t.test(c.label, (t) => checkCase(t, c));

/** A TCP server that is not PostgreSQL: `answer` decides what it does with a connection. */
async function fakeServer(answer: (socket: Socket) => void): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createServer((socket) => {
    connections++;
    socket.on('error', () => undefined);
    answer(socket);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, connections: () => connections };
}

t.test('a server that accepts the connection and never answers: bounded by the connect timeout', async (t) => {
  const silent = await fakeServer(() => undefined);
  await checkCase(t, { label: 'a silent server', url: url('postgres', PASSWORD, `127.0.0.1:${silent.port}`, 'postgres'), names: new RegExp(`127\\.0\\.0\\.1:${silent.port}/postgres`), advice: /check/i });
  t.comment(`silent server: ${silent.connections()} connection attempts for 3 runs`);
});

t.test('a port where something else answers (an HTTP server): bounded, and no reconnect storm', async (t) => {
  const http = await fakeServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n')));
  await checkCase(t, { label: 'an HTTP server', url: url('postgres', PASSWORD, `127.0.0.1:${http.port}`, 'postgres'), names: new RegExp(`127\\.0\\.0\\.1:${http.port}/postgres`), advice: /check/i });
  t.ok(http.connections() <= 30, `at most 10 connection attempts per run (${http.connections()} for 3 runs)`);
});

t.test('figures', async (t) => {
  for (const line of timings) t.comment(line);
  t.pass('printed');
});
