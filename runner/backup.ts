// `make backup`: pg_dump's custom format into BACKUP_DIR/<database>-<UTC YYYYMMDDTHHMMSSZ>.dump (mode 0600), checked
// with pg_restore --list. The password never reaches a command line: pg_dump gets it through PGPASSWORD in its own
// environment, and everything it prints is scrubbed. A failed backup leaves no file behind.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { connect, connectionErrorMessage, describeTarget, scrubSecrets } from '../core/postgres/database-url.js';
import { displayPath } from '../core/display-path.js';
import { MigrationError } from './errors.js';

export interface BackupOptions {
  readonly databaseUrl: string;
  /** The folder for dumps (BACKUP_DIR, default backups). */
  readonly dir: string;
  /** The pg_dump to run (PG_DUMP, default pg_dump on PATH); pg_restore is taken from beside it. */
  readonly pgDump?: string;
  readonly pgRestore?: string;
  readonly now?: Date;
}

export interface BackupResult {
  /** As shown to the user (relative to the working directory when inside it). */
  readonly file: string;
  readonly bytes: number;
  /** TOC entries pg_restore --list read back. */
  readonly entries: number;
  readonly database: string;
  readonly pgDump: { readonly path: string; readonly version: string };
  readonly serverVersion: string;
  readonly milliseconds: number;
}

export interface Tools {
  readonly pgDump: string;
  readonly pgRestore: string;
}

/** PG_DUMP / PG_RESTORE, else the binaries on PATH; pg_restore beside an explicit pg_dump. */
export function backupTools(env: NodeJS.ProcessEnv = process.env, pgDump?: string, pgRestore?: string): Tools {
  const dump = pgDump ?? env.PG_DUMP ?? 'pg_dump';
  const restore = pgRestore ?? env.PG_RESTORE ?? (dump.includes('/') ? join(dirname(dump), 'pg_restore') : 'pg_restore');
  return { pgDump: dump, pgRestore: restore };
}

/** `pg_dump --version` → its version ('15.18') and major (15); BACKUP_FAILED when it cannot run. */
export function toolVersion(tool: string): { version: string; major: number } {
  const result = spawnSync(tool, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error || result.status !== 0) {
    const missing = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
    throw new MigrationError(
      'BACKUP_FAILED',
      missing
        ? `${basename(tool)} not found${tool.includes('/') ? ` at ${tool}` : ' on PATH'}: install the PostgreSQL client (postgresql-client-<server major>) or set PG_DUMP to a pg_dump binary; no backup was written`
        : `${tool} --version failed: ${(result.stderr || result.error?.message || '').trim().split('\n')[0]}; no backup was written`,
    );
  }
  const match = /(\d+)(?:\.(\d+))?/.exec(result.stdout);
  if (!match) throw new MigrationError('BACKUP_FAILED', `cannot read the version of ${tool} from "${result.stdout.trim()}"; no backup was written`);
  return { version: match[2] !== undefined ? `${match[1]}.${match[2]}` : match[1]!, major: Number(match[1]) };
}

/** `<database>-<UTC YYYYMMDDTHHMMSSZ>.dump`, the database name made safe for a file name. */
export function backupFileName(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `${database.replace(/[^A-Za-z0-9_.-]/g, '_')}-${stamp}.dump`;
}

/** The URL without its password (libpq takes the password from PGPASSWORD), for pg_dump's and pg_restore's -d. */
export function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*):[^@]*@/, '$1@');
  }
}

/** The child's environment: PGPASSWORD when the URL has a password, never prompting. */
export function childEnvironment(url: string, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env, PGAPPNAME: 'skincare-backup', PGCONNECT_TIMEOUT: env.PGCONNECT_TIMEOUT ?? '10' };
  delete child.DATABASE_URL;
  let password = '';
  try {
    password = decodeURIComponent(new URL(url).password);
  } catch {
    password = '';
  }
  if (password) child.PGPASSWORD = password;
  return child;
}

/** Dump the database, verify the dump, and return what was written; BACKUP_FAILED (no file left) otherwise. */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const url = options.databaseUrl;
  const tools = backupTools(process.env, options.pgDump, options.pgRestore);
  const dumpVersion = toolVersion(tools.pgDump);
  const server = await serverInfo(url);
  if (dumpVersion.major < server.major) {
    throw new MigrationError(
      'BACKUP_FAILED',
      `pg_dump ${dumpVersion.version} (${tools.pgDump}) cannot dump ${describeTarget(url)}, a PostgreSQL ${server.version} server: pg_dump refuses servers of a newer major version. ` +
        `Install postgresql-client-${server.major} (PostgreSQL's own apt repository has it) or set PG_DUMP to a pg_dump ${server.major} binary (PG_DUMP=/usr/lib/postgresql/${server.major}/bin/pg_dump); no backup was written`,
    );
  }
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const final = join(options.dir, backupFileName(server.database, options.now ?? new Date()));
  const partial = join(options.dir, `.${basename(final)}.partial`);
  let entries: number;
  try {
    await runDump(tools.pgDump, url, partial);
    chmodSync(partial, 0o600);
    entries = listEntries(tools.pgRestore, partial, url);
    renameSync(partial, final);
  } catch (error) {
    try {
      unlinkSync(partial);
    } catch {
      // nothing was written
    }
    throw error;
  }
  const bytes = statSync(final).size;
  return {
    file: displayPath(final),
    bytes,
    entries,
    database: server.database,
    pgDump: { path: tools.pgDump, version: dumpVersion.version },
    serverVersion: server.version,
    milliseconds: Date.now() - started,
  };
}

async function serverInfo(url: string): Promise<{ version: string; major: number; database: string }> {
  const sql = connect(url, { max: 1, idle_timeout: 1, connection: { application_name: 'skincare-backup' } });
  try {
    const [row] = await sql.unsafe<{ version: string; num: string; database: string }[]>(
      `SELECT current_setting('server_version') AS version, current_setting('server_version_num') AS num, current_database() AS database`,
    );
    const num = Number(row?.num ?? 0);
    return { version: (row?.version ?? '').split(' ')[0] ?? '', major: Math.floor(num / 10000), database: row?.database ?? 'database' };
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** pg_dump -Fc to stdout, into a file created 0600; stderr is kept (scrubbed) for the error. */
function runDump(pgDump: string, url: string, path: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const out = createWriteStream(path, { flags: 'wx', mode: 0o600 });
    const child = spawn(pgDump, ['--format=custom', '--no-password', '--lock-wait-timeout=60s', `--dbname=${urlWithoutPassword(url)}`], {
      env: childEnvironment(url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.pipe(out);
    let failed = false;
    let exited = false;
    let written = false;
    const settle = (): void => {
      if (exited && written && !failed) resolvePromise();
    };
    out.on('close', () => {
      written = true;
      settle();
    });
    const fail = (message: string): void => {
      if (failed) return;
      failed = true;
      child.kill();
      const error = new MigrationError('BACKUP_FAILED', `${scrubSecrets(message, url)}; no backup was written`);
      // The file may still be opening: reject once the stream has closed it, so the caller's unlink finds it.
      if (out.closed) reject(error);
      else {
        out.once('close', () => reject(error));
        out.destroy();
      }
    };
    child.on('error', (error) => fail(`cannot run ${pgDump}: ${error.message}`));
    out.on('error', (error) => fail(`cannot write ${displayPath(path)}: ${error.message}`));
    child.on('close', (code, signal) => {
      if (failed) return;
      if (code !== 0) {
        fail(`pg_dump failed${signal ? ` (${signal})` : ` (exit ${code})`}: ${lastLines(stderr)}`);
        return;
      }
      exited = true;
      settle();
    });
  });
}

/** pg_restore --list reads the dump back: the number of TOC entries; BACKUP_FAILED when it cannot. */
function listEntries(pgRestore: string, path: string, url: string): number {
  const result = spawnSync(pgRestore, ['--list', path], { encoding: 'utf8', timeout: 120_000, maxBuffer: 256 * 1024 * 1024 });
  if (result.error || result.status !== 0) {
    const reason = result.error ? result.error.message : lastLines(result.stderr ?? '');
    throw new MigrationError('BACKUP_FAILED', `pg_restore --list cannot read the dump: ${scrubSecrets(reason, url)}; no backup was kept`);
  }
  return result.stdout.split('\n').filter((line) => line.trim() !== '' && !line.startsWith(';')).length;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function lastLines(text: string): string {
  const lines = text.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.slice(-2).join(' / ') || 'no message';
}
