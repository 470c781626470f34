// Where the database comes from, and how to talk about it without leaking the password.
import { createConnection, type Socket } from 'node:net';
import postgres from 'postgres';
import { ensureEmbeddedServer } from './embedded-server.js';

export type Sql = postgres.Sql;

export interface DatabaseTarget {
  readonly url: string;
  /** 'env' when DATABASE_URL (or the variable named) was set, 'embedded' for the repo's own server. */
  readonly source: 'env' | 'embedded';
}

/** DATABASE_URL when set, otherwise the embedded server (started on demand). */
export function resolveDatabase(variable = 'DATABASE_URL'): DatabaseTarget {
  const fromEnv = process.env[variable];
  if (fromEnv && fromEnv.trim() !== '') return { url: fromEnv.trim(), source: 'env' };
  return { url: ensureEmbeddedServer().url, source: 'embedded' };
}

/** The URL with its password replaced by '***' (or unchanged when it has none). */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/(\/\/[^:/@]*:)[^@]*@/, '$1***@');
  }
}

/** "host:port/database" for messages. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || '(default database)';
    return `${parsed.hostname || 'localhost'}:${parsed.port || '5432'}/${database}`;
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}

/**
 * Remove the URL's password (raw and URL-decoded) from a text: in the user-info of any URL and in `password=`
 * parameters, and elsewhere as a whole token (not inside a longer word, so a password "app" leaves "applied" alone).
 * A password of fewer than 4 characters is scrubbed only inside URLs and parameters: as a token it would blank the
 * article "a" or a role name, and such a password is no secret anyway.
 */
export function scrubSecrets(text: string, url: string | undefined): string {
  if (!url) return text;
  let password = '';
  try {
    password = new URL(url).password || (new URL(url).searchParams.get('password') ?? '');
  } catch {
    password = /\/\/[^:/@]*:([^@]*)@/.exec(url)?.[1] ?? '';
  }
  if (!password) return text;
  const secrets = [...new Set([password, safeDecode(password), encodeURIComponent(safeDecode(password))])].filter(Boolean);
  let out = text
    // scheme://user:<password>@ : whatever stands there
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/@:]*:)([^\s@/]*)@/gi, (match, head: string, value: string) => (secrets.includes(value) || secrets.includes(safeDecode(value)) ? `${head}***@` : match))
    .replace(/([?&]password=)([^&\s#]*)/gi, (match, head: string, value: string) => (secrets.includes(value) || secrets.includes(safeDecode(value)) ? `${head}***` : match));
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    const token = new RegExp(`(?<![A-Za-z0-9_])${escapeRegExp(secret)}(?![A-Za-z0-9_])(?!:\\/\\/)`, 'g');
    out = out.replace(token, '***');
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export type ConnectOptions = postgres.Options<Record<string, postgres.PostgresType>> & {
  /**
   * Called when a connection's socket closes (server stopped, backend terminated, network lost). A reserved
   * connection must not be used after that: postgres.js crashes writing to it, outside any promise.
   */
  readonly onSocketClose?: () => void;
};

/** A postgres.js client that keeps notices quiet and never prints the URL. */
export function connect(url: string, options: ConnectOptions = {}): Sql {
  if (!/^postgres(?:ql)?:\/\//i.test(url)) {
    throw Object.assign(new Error('not a postgres:// URL'), { code: 'ERR_INVALID_URL' });
  }
  const { onSocketClose, ...rest } = options;
  const connectTimeout = rest.connect_timeout ?? 10;
  // `socket` is a documented postgres.js option its type declarations leave out.
  const socket = { socket: guardedSocket(connectTimeout, onSocketClose) } as postgres.Options<Record<string, postgres.PostgresType>>;
  return postgres(url, {
    onnotice: () => undefined,
    max: 1,
    connect_timeout: connectTimeout,
    idle_timeout: 5,
    ...socket,
    ...rest,
  });
}

/** Start-up closes in a row after which a peer is taken for something other than PostgreSQL. */
const MAX_STARTUP_CLOSES = 3;
/** A connection that lived longer than this was a real session: its close does not count as a start-up failure. */
const SESSION_MS = 2_000;

/**
 * postgres.js reconnects at once, forever, when the peer closes during start-up (an HTTP server on the port does
 * that): thousands of connections a second. This socket factory connects as postgres.js would, and gives up with
 * NOT_POSTGRES after a few such closes in a row.
 */
function guardedSocket(connectTimeoutSeconds: number, onSocketClose?: () => void): (options: { host: string[]; port: number[]; path?: string }) => Promise<Socket> {
  let quickCloses = 0;
  return async (options) => {
    if (quickCloses >= MAX_STARTUP_CLOSES) {
      throw Object.assign(new Error(`the server closed the connection during start-up ${quickCloses} times`), { code: 'NOT_POSTGRES' });
    }
    const socket = options.path ? createConnection(options.path) : createConnection(options.port[0] ?? 5432, options.host[0] ?? 'localhost');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(Object.assign(new Error('connect timeout'), { code: 'CONNECT_TIMEOUT' }));
      }, connectTimeoutSeconds * 1000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    const opened = Date.now();
    socket.once('close', () => {
      quickCloses = Date.now() - opened < SESSION_MS ? quickCloses + 1 : 0;
      onSocketClose?.();
    });
    return socket;
  };
}

/** A one-line, actionable message for a failure to connect; never contains the password. */
export function connectionErrorMessage(error: unknown, url: string): string {
  const target = describeTarget(url);
  const code = (error as { code?: string }).code ?? '';
  const raw = scrubSecrets(error instanceof Error ? error.message : String(error), url);
  const hint: Record<string, string> = {
    ECONNREFUSED: 'is the server running and listening there?',
    ENOTFOUND: 'check the host name in DATABASE_URL',
    EAI_AGAIN: 'check the host name in DATABASE_URL',
    ETIMEDOUT: 'check the host, port and any firewall',
    CONNECT_TIMEOUT: 'check the host, port and any firewall',
    '28P01': 'check the user name and password in DATABASE_URL',
    '28000': 'check pg_hba.conf and the user name in DATABASE_URL',
    '3D000': 'create the database or fix its name in DATABASE_URL',
    ERR_INVALID_URL: 'DATABASE_URL must look like postgres://user:password@host:5432/database',
    NOT_POSTGRES: 'check the port in DATABASE_URL: something other than PostgreSQL answers there',
  };
  const advice = hint[code] ?? 'check DATABASE_URL, the server and your network';
  return `cannot connect to ${target}: ${raw.split('\n')[0]} (${advice})`;
}
