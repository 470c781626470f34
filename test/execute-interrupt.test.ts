// Ctrl-C and SIGTERM during a slow migration: the child drops its scratch database, then exits 130 / 143.
import t from 'tap';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect } from '../core/postgres/database-url.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');

t.test('an interrupted run leaves no scratch database', async (t) => {
  const db = await startTestServer(t);
  const admin = connect(db.server.url);
  t.teardown(() => admin.end({ timeout: 1 }));
  const scratch = async (): Promise<{ datname: string; sleeping: boolean }[]> =>
    admin`SELECT d.datname, EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname AND a.query LIKE '%pg_sleep%') AS sleeping
          FROM pg_database d WHERE d.datname LIKE 'verify\\_%'`;

  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    await t.test(`${signal} drops the scratch database and exits ${code}`, async (t) => {
      // The child runs TypeScript through the same loader tap gives this process.
      const loader = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
      const child = spawn(process.execPath, [...loader, join(FIXTURES, 'interrupt-child.ts'), db.server.url, join(FIXTURES, 'slow')], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      // Wait until the migration is inside pg_sleep in its scratch database.
      const deadline = Date.now() + 30_000;
      let during: { datname: string; sleeping: boolean }[] = [];
      while (Date.now() < deadline) {
        during = await scratch();
        if (during.some((d) => d.sleeping)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      t.equal(during.length, 1, 'the scratch database exists while the migration runs');
      t.ok(during[0]?.sleeping, 'the slow statement is running');
      child.kill(signal);
      const [exitCode] = await exited;
      t.equal(exitCode, code, `exit code (stderr: ${stderr.trim()})`);
      t.match(stdout, /started/);
      t.notMatch(stdout, /finished/);
      t.same(await scratch(), [], 'no verify_% database is left');
    });
  }
});
