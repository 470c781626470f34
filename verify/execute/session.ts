// Run work against a fresh scratch database and drop it (and every copy made of it) afterwards, whatever happens.
// On abort or a signal the client is closed before the drop: postgres.js crashes the process when a backend
// it is waiting on is terminated under it (porsager/postgres#1208), so DROP ... WITH (FORCE) must find no client of ours.
import { connect, type Sql } from '../../core/postgres/database-url.js';
import { ScratchServer } from './scratch-database.js';
import { abortError, guardInterrupts } from './interrupt.js';

/** The scratch database the work runs in, with one connection to it; it can be replaced by a fresh one or a copy. */
export interface Scratch {
  /** The first scratch database's name (every later one starts with it). */
  readonly name: string;
  readonly serverVersion: number;
  readonly server: ScratchServer;
  /** The connection to the current scratch database (changes after replace()). */
  readonly sql: Sql;
  /** Switch to a new database: empty, or a copy of `template`; the current one is dropped. */
  replace(template?: string): Promise<void>;
  /** Copy the current database to a new one nobody connects to (the connection is closed for the copy and reopened). */
  copy(): Promise<string>;
}

/** One connection, no idle timeout: migrations run in explicit BEGIN/COMMIT on it. The scratch database is thrown
 * away, so its commits need not wait for the disk. */
function open(server: ScratchServer, name: string): Sql {
  return connect(server.urlOf(name), { max: 1, fetch_types: false, idle_timeout: 0, connection: { synchronous_commit: 'off', application_name: server.runName } });
}

export async function withScratchDatabase<T>(
  serverUrl: string,
  signal: AbortSignal | undefined,
  work: (scratch: Scratch) => Promise<T>,
  /** Runs on the maintenance connection after the scratch databases are dropped (removing roles a migration made). */
  last?: (admin: Sql) => Promise<void>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  let sql: Sql | undefined;
  const opening = ScratchServer.open(serverUrl);
  const close = async (): Promise<void> => {
    await sql?.end({ timeout: 0 }).catch(() => undefined);
  };
  const guard = guardInterrupts(async () => {
    await close();
    await opening.then((server) => server.close(last), () => undefined);
  }, signal);
  let server: ScratchServer;
  let current: string;
  try {
    server = await opening;
    current = await server.create();
  } catch (error) {
    await opening.then((s) => s.close(), () => undefined);
    guard.dispose();
    throw error;
  }
  sql = open(server, current);
  const scratch: Scratch = {
    name: server.runName,
    serverVersion: server.serverVersion,
    server,
    get sql() {
      return sql!;
    },
    async replace(template) {
      await close();
      const previous = current;
      current = await server.create(template);
      // The old database is dropped on the maintenance connection while the work goes on in the new one;
      // a drop that fails is retried when the run closes.
      void server.drop(previous).catch(() => undefined);
      sql = open(server, current);
    },
    async copy() {
      await close();
      try {
        return await server.create(current);
      } finally {
        sql = open(server, current);
      }
    },
  };
  try {
    if (guard.aborted) throw abortError(signal);
    return await work(scratch);
  } catch (error) {
    throw guard.aborted ? abortError(signal) : error;
  } finally {
    await close();
    try {
      await server.close(last);
    } finally {
      guard.dispose();
    }
  }
}
