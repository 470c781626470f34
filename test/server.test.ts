import t from 'tap';
import { startTestServer } from './helpers/server.js';

t.test('a throwaway PostgreSQL 18 answers queries', async (t) => {
  const db = await startTestServer(t);
  const { sql } = await db.freshDatabase();
  const [row] = await sql<{ version: string }[]>`SELECT current_setting('server_version_num') AS version`;
  t.ok(Number(row?.version) >= 180000, 'server is PostgreSQL 18');
});

t.test('the embedded server, already running, is reached on its own port whatever EMBEDDED_PG_PORT says now', async (t) => {
  const { chmodSync, mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { ensureEmbeddedServer, freePort, stopEmbeddedServer } = await import('../core/postgres/embedded-server.js');
  const { connect } = await import('../core/postgres/database-url.js');
  const parent = mkdtempSync(join(tmpdir(), 'embedded-port-'));
  chmodSync(parent, 0o777);
  const dataDir = join(parent, 'data');
  t.teardown(() => {
    stopEmbeddedServer(dataDir);
    rmSync(parent, { recursive: true, force: true });
  });
  const first = ensureEmbeddedServer(dataDir, await freePort());
  const again = ensureEmbeddedServer(dataDir, await freePort());
  t.equal(again.port, first.port, 'the running server keeps its port');
  const sql = connect(again.url);
  t.teardown(() => sql.end({ timeout: 1 }));
  const [row] = await sql<{ one: number }[]>`SELECT 1 AS one`;
  t.equal(row?.one, 1, 'and answers there');
});
