// One throwaway PostgreSQL per test file (the embedded binaries, fsync off), stopped at teardown.
import type { Test } from 'tap';
import { startTemporaryServer, type TemporaryServer } from '../../core/postgres/embedded-server.js';
import { connect, type Sql } from '../../core/postgres/database-url.js';

export interface TestDatabase {
  readonly server: TemporaryServer;
  /** A URL for a fresh database on the server. */
  freshDatabase(name?: string): Promise<{ url: string; sql: Sql }>;
}

let counter = 0;

export async function startTestServer(t: Test): Promise<TestDatabase> {
  const server = await startTemporaryServer();
  const admin = connect(server.url);
  const opened: Sql[] = [admin];
  t.teardown(async () => {
    await Promise.all(opened.map((sql) => sql.end({ timeout: 1 }).catch(() => undefined)));
    await server.stop();
  });
  return {
    server,
    async freshDatabase(name = `t${process.pid}_${++counter}`) {
      await admin.unsafe(`CREATE DATABASE "${name}"`);
      const url = server.url.replace(/\/postgres$/, `/${name}`);
      const sql = connect(url);
      opened.push(sql);
      return { url, sql };
    },
  };
}
