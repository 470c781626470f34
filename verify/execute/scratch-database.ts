// The scratch database: created under a random name on the given server, used alone, always dropped.
import { randomBytes } from 'node:crypto';
import { connect, scrubSecrets, type Sql } from '../../core/postgres/database-url.js';

export class ScratchDatabaseError extends Error {
  readonly code = 'SCRATCH_DATABASE';
}

export interface ScratchDatabase {
  readonly name: string;
  /** The server URL with the scratch database in its path. */
  readonly url: string;
  /** server_version_num, e.g. 180001. */
  readonly serverVersion: number;
  /** Drop the database (idempotent; concurrent calls share one drop). */
  drop(): Promise<void>;
}

/** "host:port" of a URL, for messages; never the user or password. */
export function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return '(unparseable server URL)';
  }
}

function reason(error: unknown, url: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return scrubSecrets(text, url).split('\n')[0] ?? '';
}

/** CREATE DATABASE verify_<hex> on the server the URL names, through its maintenance database. */
export async function createScratchDatabase(serverUrl: string): Promise<ScratchDatabase> {
  const name = `verify_${randomBytes(8).toString('hex')}`;
  let url: string;
  try {
    const parsed = new URL(serverUrl);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
  } catch (error) {
    throw new ScratchDatabaseError(`cannot create a scratch database on ${hostPort(serverUrl)}: the server URL does not parse`);
  }
  const admin = connect(serverUrl, { max: 1, fetch_types: false });
  let serverVersion = 0;
  try {
    const [row] = await admin<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
    serverVersion = row?.version ?? 0;
    await admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE template0`);
  } catch (error) {
    await admin.end({ timeout: 1 }).catch(() => undefined);
    throw new ScratchDatabaseError(`cannot create a scratch database on ${hostPort(serverUrl)}: ${reason(error, serverUrl)}`);
  }
  let dropping: Promise<void> | undefined;
  return {
    name,
    url,
    serverVersion,
    drop() {
      dropping ??= dropDatabase(admin, name, serverVersion).then(
        () => admin.end({ timeout: 1 }).catch(() => undefined),
        async (error: unknown) => {
          await admin.end({ timeout: 1 }).catch(() => undefined);
          throw new ScratchDatabaseError(`cannot drop the scratch database ${name} on ${hostPort(serverUrl)}: ${reason(error, serverUrl)}; drop it by hand`);
        },
      );
      return dropping;
    },
  };
}

async function dropDatabase(admin: Sql, name: string, serverVersion: number): Promise<void> {
  if (serverVersion >= 130000) {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return;
  }
  await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`;
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
}
