// Run work against a fresh scratch database and drop it afterwards, whatever happens.
// On abort or a signal the client is closed before the drop: postgres.js crashes the process when a backend
// it is waiting on is terminated under it (porsager/postgres#1208), so DROP ... WITH (FORCE) must find no client of ours.
import { connect, type Sql } from '../../core/postgres/database-url.js';
import { createScratchDatabase, type ScratchDatabase } from './scratch-database.js';
import { abortError, guardInterrupts } from './interrupt.js';

export async function withScratchDatabase<T>(
  serverUrl: string,
  signal: AbortSignal | undefined,
  work: (database: ScratchDatabase, sql: Sql) => Promise<T>,
): Promise<T> {
  if (signal?.aborted) throw abortError(signal);
  let sql: Sql | undefined;
  const creating = createScratchDatabase(serverUrl);
  const close = async (): Promise<void> => {
    await sql?.end({ timeout: 0 }).catch(() => undefined);
  };
  const guard = guardInterrupts(async () => {
    await close();
    await creating.then((database) => database.drop(), () => undefined);
  }, signal);
  let database: ScratchDatabase;
  try {
    database = await creating;
  } catch (error) {
    guard.dispose();
    throw error;
  }
  // One connection, no idle timeout: migrations run in explicit BEGIN/COMMIT on it. The scratch database is thrown
  // away, so its commits need not wait for the disk.
  sql = connect(database.url, { max: 1, fetch_types: false, idle_timeout: 0, connection: { synchronous_commit: 'off' } });
  try {
    if (guard.aborted) throw abortError(signal);
    return await work(database, sql);
  } catch (error) {
    throw guard.aborted ? abortError(signal) : error;
  } finally {
    await close();
    try {
      await database.drop();
    } finally {
      guard.dispose();
    }
  }
}
