// The PostgreSQL version the migrations target: --pg-version, else the config's postgresVersion, else the version of
// the server DATABASE_URL (else VERIFY_DATABASE_URL) names, else the oldest the runner supports. The server is asked
// once (server_version_num, 2 s connect timeout) and its answer kept for a day in the verifier's cache folder, per URL
// without its password, so the offline pre-commit run does not connect each time. A server that does not answer
// costs a one-line note, never the run.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectionErrorMessage, redactUrl } from '../core/postgres/url-text.js';
import { DEFAULT_POSTGRES_VERSION } from './rules/syntax-needs-newer-postgres.js';

export const SERVER_VERSION_FILE = 'server-versions.json';
/** How long a server's answer is kept. */
export const SERVER_VERSION_TTL_MS = 24 * 60 * 60 * 1000;
const CONNECT_TIMEOUT_S = 2;

export interface TargetVersion {
  readonly major: number;
  /** Where it came from, for --explain and the docs: 'flag', 'config', 'server', 'default'. */
  readonly source: 'flag' | 'config' | 'server' | 'default';
  /** One line for stderr when the server was asked and did not answer. */
  readonly note?: string;
}

interface Recorded {
  readonly major: number;
  readonly at: number;
}

function readRecord(path: string): Record<string, Recorded> {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Recorded>;
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** The major version of the server at `url` (cached per URL without its password in `cacheDir`), or a note why not. */
export async function serverMajor(url: string, cacheDir: string | undefined, now = Date.now()): Promise<{ major?: number; note?: string }> {
  const key = redactUrl(url);
  const path = cacheDir ? join(cacheDir, SERVER_VERSION_FILE) : undefined;
  const record = path ? readRecord(path) : {};
  const known = record[key];
  if (known && Number.isInteger(known.major) && now - known.at < SERVER_VERSION_TTL_MS && now >= known.at) return { major: known.major };
  let sql;
  try {
    // The driver loads only when a server must be asked: a run that never connects does not pay for it.
    const { connect } = await import('../core/postgres/database-url.js');
    sql = connect(url, { connect_timeout: CONNECT_TIMEOUT_S, max: 1, idle_timeout: 0, fetch_types: false, connection: { application_name: 'verify-migrations' } });
    const [row] = await sql<{ version: number }[]>`SELECT current_setting('server_version_num')::int AS version`;
    const major = Math.floor((row?.version ?? 0) / 10000);
    if (!major) return { note: `the server at ${key} gave no version` };
    if (path && cacheDir) {
      try {
        mkdirSync(cacheDir, { recursive: true });
        const temporary = `${path}.${process.pid}.tmp`;
        writeFileSync(temporary, JSON.stringify({ ...record, [key]: { major, at: now } }));
        renameSync(temporary, path);
      } catch {
        // Not kept: the next run asks again.
      }
    }
    return { major };
  } catch (error) {
    return { note: connectionErrorMessage(error, url) };
  } finally {
    await sql?.end({ timeout: 0 }).catch(() => undefined);
  }
}

/** The target version, from the most explicit source that gives one. */
export async function targetVersion(flag: number | undefined, config: number | undefined, env: NodeJS.ProcessEnv, cacheDir: string | undefined): Promise<TargetVersion> {
  if (flag !== undefined) return { major: flag, source: 'flag' };
  if (config !== undefined) return { major: config, source: 'config' };
  const variable = env.DATABASE_URL?.trim() ? 'DATABASE_URL' : env.VERIFY_DATABASE_URL?.trim() ? 'VERIFY_DATABASE_URL' : undefined;
  if (!variable) return { major: DEFAULT_POSTGRES_VERSION, source: 'default' };
  const answer = await serverMajor(env[variable]!.trim(), cacheDir);
  if (answer.major !== undefined) return { major: answer.major, source: 'server' };
  return {
    major: DEFAULT_POSTGRES_VERSION,
    source: 'default',
    note: `note: ${variable}'s server did not give its version (${answer.note}); the rules target PostgreSQL ${DEFAULT_POSTGRES_VERSION} (set postgresVersion in verify-migrations.json or --pg-version).`,
  };
}
