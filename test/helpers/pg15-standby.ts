// A streaming standby of a test PostgreSQL 15 primary (test/helpers/pg15-server.ts): pg_basebackup -R over a physical
// replication slot, hot_standby on, its own port and data folder, replay progress reported every second
// (wal_receiver_status_interval = 1s) so a test need not wait the default 10 s. Stopped and removed at teardown.
import { spawnSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort } from '../../core/postgres/embedded-server.js';
import { connect, type Sql } from '../../core/postgres/database-url.js';
import { postgresUserIds, runTool } from '../../core/postgres/system-tools.js';
import { PG15_BIN, type Pg15Server } from './pg15-server.js';

export interface Pg15Standby {
  /** The standby's own URL (the primary's password: pg_basebackup copied the roles). */
  readonly url: string;
  readonly sql: Sql;
  /** pg_ctl stop -m fast: the primary keeps the slot, so the standby shows as disconnected. */
  stop(): void;
}

export async function startPg15Standby(t: Test, primary: Pg15Server, name: string): Promise<Pg15Standby> {
  const owner = postgresUserIds();
  if (!owner) throw new Error('running as root without a "postgres" user: useradd postgres');
  const parent = mkdtempSync(join(tmpdir(), 'skincare-pg15-standby-'));
  if (owner.uid !== undefined && owner.gid !== undefined) chownSync(parent, owner.uid, owner.gid);
  const dataDir = join(parent, 'data');
  const primaryAdmin = connect(primary.url, { max: 1 });
  let running = false;
  t.teardown(async () => {
    await sql?.end({ timeout: 1 }).catch(() => undefined);
    if (running) spawnSync(join(PG15_BIN, 'pg_ctl'), ['stop', '-w', '-m', 'immediate', '-D', dataDir], { ...owner, timeout: 60_000 });
    rmSync(parent, { recursive: true, force: true });
  });
  let sql: Sql | undefined;
  try {
    await primaryAdmin.unsafe('SELECT pg_create_physical_replication_slot($1)', [name]);
    const source = `host=127.0.0.1 port=${primary.port} user=postgres password='${primary.password.replace(/['\\]/g, '\\$&')}' application_name=${name}`;
    const failure = runTool(join(PG15_BIN, 'pg_basebackup'), ['-D', dataDir, '-d', source, '-R', '-S', name, '-X', 'stream', '--no-sync', '-c', 'fast'], owner);
    if (failure) throw new Error(failure.replaceAll(primary.password, '***'));
    const port = await freePort();
    const options = `-p ${port} -k ${dataDir} -c listen_addresses=127.0.0.1 -c hot_standby=on -c wal_receiver_status_interval=1s -c fsync=off`;
    const started = runTool(join(PG15_BIN, 'pg_ctl'), ['start', '-w', '-t', '60', '-D', dataDir, '-l', join(dataDir, 'server.log'), '-o', options], owner);
    if (started) throw new Error(started);
    running = true;
    // Streaming, as the primary sees it.
    for (let i = 0; ; i++) {
      const [row] = await primaryAdmin.unsafe<{ n: number }[]>(`SELECT count(*)::int AS n FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming'`, [name]);
      if (row?.n) break;
      if (i > 200) throw new Error(`standby ${name} did not start streaming`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const url = `postgres://postgres:${encodeURIComponent(primary.password)}@127.0.0.1:${port}/postgres`;
    sql = connect(url, { max: 1 });
    return {
      url,
      sql,
      stop() {
        spawnSync(join(PG15_BIN, 'pg_ctl'), ['stop', '-w', '-m', 'fast', '-D', dataDir], { ...owner, timeout: 60_000 });
        running = false;
      },
    };
  } finally {
    await primaryAdmin.end({ timeout: 1 }).catch(() => undefined);
  }
}
