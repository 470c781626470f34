// A throwaway PostgreSQL 15 from Debian's binaries (/usr/lib/postgresql/15/bin; .ci/run installs postgresql-15 when
// they are missing), with scram-sha-256 password authentication, so a URL's password really is needed. As root, its
// binaries run as the `postgres` user. Stopped and removed at teardown.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort } from '../../core/postgres/embedded-server.js';
import { connect, type Sql } from '../../core/postgres/database-url.js';
import { postgresUserIds, runTool } from '../../core/postgres/system-tools.js';

export const PG15_BIN = process.env.PG15_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Pg15Server {
  /** postgres://postgres:<password>@127.0.0.1:<port>/postgres */
  readonly url: string;
  readonly password: string;
  readonly port: number;
  /** A URL for a fresh database on the server (with the password). */
  freshDatabase(name?: string): Promise<{ url: string; sql: Sql }>;
}

function ids(): Pick<SpawnSyncOptions, 'uid' | 'gid'> {
  const found = postgresUserIds();
  if (!found) throw new Error('running as root without a "postgres" user: the embedded server creates it; run one test of the runner first, or useradd postgres');
  return found;
}

function run(command: string, args: string[], options: SpawnSyncOptions): void {
  const failure = runTool(command, args, options);
  if (failure) throw new Error(failure);
}

let counter = 0;

/** `conf`: lines appended to postgresql.conf before the first start (e.g. `archive_mode = on`). */
export async function startPg15Server(t: Test, password = 'Pg15&s3cr3t!pw', conf: readonly string[] = []): Promise<Pg15Server> {
  if (!existsSync(join(PG15_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL 15 is not installed (${PG15_BIN}/initdb is missing): apt-get install -y postgresql-15 (.ci/run does this)`);
  }
  const owner = ids();
  const parent = mkdtempSync(join(tmpdir(), 'skincare-pg15-'));
  const dataDir = join(parent, 'data');
  const pwfile = join(parent, 'pwfile');
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (owner.uid !== undefined && owner.gid !== undefined) {
    chownSync(parent, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  run(join(PG15_BIN, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--no-locale', '--no-sync'], owner);
  rmSync(pwfile);
  if (conf.length > 0) appendFileSync(join(dataDir, 'postgresql.conf'), `\n${conf.join('\n')}\n`);
  let port = 0;
  for (let attempt = 0; ; attempt++) {
    port = await freePort();
    try {
      run(
        join(PG15_BIN, 'pg_ctl'),
        ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`],
        owner,
      );
      break;
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const admin = connect(url);
  const opened: Sql[] = [admin];
  t.teardown(async () => {
    await Promise.all(opened.map((sql) => sql.end({ timeout: 1 }).catch(() => undefined)));
    spawnSync(join(PG15_BIN, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', dataDir], { ...owner, timeout: 60_000 });
    rmSync(parent, { recursive: true, force: true });
  });
  return {
    url,
    password,
    port,
    async freshDatabase(name = `p${process.pid}_${++counter}`) {
      await admin.unsafe(`CREATE DATABASE "${name}"`);
      const databaseUrl = url.replace(/\/postgres$/, `/${name}`);
      const sql = connect(databaseUrl);
      opened.push(sql);
      return { url: databaseUrl, sql };
    },
  };
}
