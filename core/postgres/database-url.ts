// Where the database comes from, and how to talk about it without leaking the password.
import { createConnection, type Socket } from 'node:net';
import postgres from 'postgres';
import { ensureEmbeddedServer } from './embedded-server.js';
import { describeTarget, scrubSecrets } from './url-text.js';

// Pure text about URLs, kept where a command that never connects can load it without the driver.
export { connectionErrorMessage, describeTarget, redactUrl, scrubSecrets } from './url-text.js';

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

