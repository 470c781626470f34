import t from 'tap';
import { startTestServer } from './helpers/server.js';

t.test('a throwaway PostgreSQL 18 answers queries', async (t) => {
  const db = await startTestServer(t);
  const { sql } = await db.freshDatabase();
  const [row] = await sql<{ version: string }[]>`SELECT current_setting('server_version_num') AS version`;
  t.ok(Number(row?.version) >= 180000, 'server is PostgreSQL 18');
});
