// The scratch databases of one run: created under the run's name on the given server, used alone, always dropped.
// The run's maintenance connection carries the run's name as application_name for as long as the run lives: that is
// how the next run tells a scratch database left by a run that is gone (dropped) from one a live run is using (kept).
import { randomBytes } from 'node:crypto';
import { connect, scrubSecrets, type Sql } from '../../core/postgres/database-url.js';

export class ScratchDatabaseError extends Error {
  readonly code = 'SCRATCH_DATABASE';
}

/** `verify_<16 hex>` for a run, `verify_<16 hex>_<n>` for the databases it makes after the first. */
const SCRATCH_NAME = /^(verify_[0-9a-f]{16})(_\d+)?$/;

/** "host:port" of a URL, for messages; never the user or password. */
export function hostPort(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}`;
  } catch {
    return '(unparseable server URL)';
  }
}

export function reason(error: unknown, url: string): string {
  const text = error instanceof Error ? error.message : String(error);
  return scrubSecrets(text, url).split('\n')[0] ?? '';
}

/** The server side of a run: its maintenance connection, the databases it made, and their names. */
export class ScratchServer {
  private readonly created: string[] = [];
  private made = 0;
  private closing: Promise<void> | undefined;

  private constructor(
    readonly serverUrl: string,
    /** `verify_<16 hex>`: the first scratch database's name, and the application_name of the maintenance session. */
    readonly runName: string,
    readonly admin: Sql,
    /** server_version_num, e.g. 180001. */
    readonly serverVersion: number,
    /** Scratch databases of runs that were gone, dropped as this one started. */
    readonly staleDropped: readonly string[],
  ) {}

  /** Connect to the server's maintenance database, drop what dead runs left, and be ready to create databases. */
  static async open(serverUrl: string): Promise<ScratchServer> {
    const runName = `verify_${randomBytes(8).toString('hex')}`;
    try {
      new URL(serverUrl);
    } catch {
      throw new ScratchDatabaseError(`cannot create a scratch database on ${hostPort(serverUrl)}: the server URL does not parse`);
    }
    let admin: Sql | undefined;
    try {
      admin = connect(serverUrl, { max: 1, fetch_types: false, idle_timeout: 0, connection: { application_name: runName } });
      const [row] = await admin<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
      const stale = await dropStaleDatabases(admin);
      return new ScratchServer(serverUrl, runName, admin, row?.version ?? 0, stale);
    } catch (error) {
      await admin?.end({ timeout: 1 }).catch(() => undefined);
      throw new ScratchDatabaseError(`cannot create a scratch database on ${hostPort(serverUrl)}: ${reason(error, serverUrl)}`);
    }
  }

  /** The URL of one of this run's databases. */
  urlOf(name: string): string {
    const parsed = new URL(this.serverUrl);
    parsed.pathname = `/${name}`;
    return parsed.toString();
  }

  /** CREATE DATABASE, empty (template0) or as a copy of `template` (which nobody may be connected to). */
  async create(template?: string): Promise<string> {
    const name = this.made === 0 ? this.runName : `${this.runName}_${this.made}`;
    this.made++;
    try {
      await this.admin.unsafe(`CREATE DATABASE "${name}" TEMPLATE "${template ?? 'template0'}"`);
    } catch (error) {
      throw new ScratchDatabaseError(`cannot create a scratch database on ${hostPort(this.serverUrl)}: ${reason(error, this.serverUrl)}`);
    }
    this.created.push(name);
    return name;
  }

  /** Drop one of this run's databases (nobody of ours may be connected to it). */
  async drop(name: string): Promise<void> {
    const index = this.created.indexOf(name);
    if (index < 0) return;
    this.created.splice(index, 1);
    try {
      await dropDatabase(this.admin, name, this.serverVersion);
    } catch (error) {
      this.created.push(name);
      throw new ScratchDatabaseError(`cannot drop the scratch database ${name} on ${hostPort(this.serverUrl)}: ${reason(error, this.serverUrl)}; drop it by hand`);
    }
  }

  /** Drop every database of this run, run `last` (on the maintenance connection), then close it. Idempotent. */
  close(last?: (admin: Sql) => Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      try {
        for (const name of [...this.created].reverse()) await this.drop(name);
        await last?.(this.admin);
      } finally {
        await this.admin.end({ timeout: 1 }).catch(() => undefined);
      }
    })();
    return this.closing;
  }
}

/**
 * Scratch databases whose run is gone: nobody is connected to them and no session carries their run's name. A live run
 * keeps its maintenance session (named after it) from before its first CREATE DATABASE to after its last DROP, so its
 * databases are never taken for stale, even while it is between connections. Plain DROP (no FORCE): a session that
 * connects meanwhile makes the drop fail, and the database is kept.
 */
async function dropStaleDatabases(admin: Sql): Promise<string[]> {
  const rows = await admin<{ datname: string }[]>`
    SELECT d.datname FROM pg_database d
    WHERE d.datname LIKE 'verify\\_%'
      AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
    ORDER BY d.datname`;
  const names = rows.map((r) => r.datname).filter((name) => SCRATCH_NAME.test(name));
  if (names.length === 0) return [];
  const live = new Set((await admin<{ name: string }[]>`SELECT DISTINCT application_name AS name FROM pg_stat_activity WHERE application_name LIKE 'verify\\_%'`).map((r) => r.name));
  const dropped: string[] = [];
  for (const name of names) {
    if (live.has(SCRATCH_NAME.exec(name)![1]!)) continue;
    try {
      await admin.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
      dropped.push(name);
    } catch {
      // Somebody connected meanwhile, or we may not drop it: leave it.
    }
  }
  return dropped;
}

async function dropDatabase(admin: Sql, name: string, serverVersion: number): Promise<void> {
  if (serverVersion >= 130000) {
    await admin.unsafe(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    return;
  }
  await admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = ${name} AND pid <> pg_backend_pid()`;
  await admin.unsafe(`DROP DATABASE IF EXISTS "${name}"`);
}
