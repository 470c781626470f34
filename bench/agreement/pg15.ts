// The judge's PostgreSQL: a throwaway PostgreSQL 15 from Debian's binaries (/usr/lib/postgresql/15/bin, or PG15_BIN),
// whose pg_dump 15 is the judge's eye (pg_dump 15 dumps only servers up to 15). initdb and the server run as the
// `postgres` user when we are root. Password authentication with a random password that is never printed.
// The judge connects as its own superuser, JUDGE_USER, so a history that demotes or drops the role `postgres`
// (supabase's does) does not take the judge's rights away; `postgres` is created as a superuser, as histories expect.
// What pg_dump of one database cannot show, roles and their memberships and settings, comes from
// `pg_dumpall --roles-only --no-role-passwords`, so a GRANT of a role or an ALTER ROLE that a down leaves is seen.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '../../core/postgres/database-url.js';
import { freePort } from '../../core/postgres/embedded-server.js';
import { postgresUserIds, runTool as runToCompletion } from '../../core/postgres/system-tools.js';

export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';
export const JUDGE_USER = 'agreement_judge';

export interface JudgeServer {
  readonly port: number;
  /** A URL for `database` (with the password: never print it). */
  url(database: string): string;
  /** The roles (pg_dumpall --roles-only), then `pg_dump --schema-only` of `database`; throws with the tool's last line. */
  dumpSchema(database: string): Promise<string>;
  stop(): void;
}

export class JudgeServerError extends Error {}

function postgresIds(): Pick<SpawnSyncOptions, 'uid' | 'gid'> {
  const found = postgresUserIds();
  if (!found) throw new JudgeServerError('running as root without a "postgres" user to run PostgreSQL 15 as: useradd postgres');
  return found;
}

function run(command: string, args: string[], options: SpawnSyncOptions): void {
  const failure = runToCompletion(command, args, options);
  if (failure) throw new JudgeServerError(failure);
}

export async function startJudgeServer(): Promise<JudgeServer> {
  if (!existsSync(join(PG15_BIN, 'initdb')) || !existsSync(join(PG15_BIN, 'pg_dump'))) {
    throw new JudgeServerError(`PostgreSQL 15 is not installed (${PG15_BIN}/initdb or pg_dump is missing): apt-get install -y postgresql-15, or set PG15_BIN`);
  }
  const owner = postgresIds();
  const password = randomBytes(18).toString('base64url');
  const parent = mkdtempSync(join(tmpdir(), 'agreement-pg15-'));
  const dataDir = join(parent, 'data');
  const pwfile = join(parent, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined && owner.gid !== undefined) {
    chownSync(parent, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  run(join(PG15_BIN, 'initdb'), ['-D', dataDir, '-U', JUDGE_USER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'], owner);
  rmSync(pwfile);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      const settings = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      run(join(PG15_BIN, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', settings], owner);
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  let stopped = false;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    spawnSync(join(PG15_BIN, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', dataDir], { ...owner, timeout: 60_000 });
    rmSync(parent, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // Ctrl-C or a kill stops the server too (the 'exit' handler alone does not run on a signal).
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  const url = (database: string) => `postgres://${JUDGE_USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const admin = connect(url('postgres'));
  try {
    await admin.unsafe('CREATE ROLE postgres SUPERUSER LOGIN');
  } finally {
    await admin.end({ timeout: 1 });
  }
  return {
    port,
    url,
    dumpSchema: async (database) => {
      const [roles, schema] = await Promise.all([
        runTool('pg_dumpall', ['--roles-only', '--no-role-passwords', '-h', '127.0.0.1', '-p', String(port), '-U', JUDGE_USER, '-l', database], password),
        runTool('pg_dump', ['--schema-only', '-h', '127.0.0.1', '-p', String(port), '-U', JUDGE_USER, '-d', database], password),
      ]);
      return `${roles}\n${schema}`;
    },
    stop,
  };
}

function runTool(tool: string, args: string[], password: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(PG15_BIN, tool), args, {
      env: { ...process.env, PGPASSWORD: password, LC_ALL: 'C', PGCONNECT_TIMEOUT: '10' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      else reject(new JudgeServerError(`${tool} failed: ${Buffer.concat(err).toString('utf8').trim().split('\n').pop() ?? `exit ${code}`}`));
    });
  });
}
