// Where the database comes from, and how to talk about it without leaking the password.
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

/** Remove every occurrence of the URL's password (raw and URL-decoded) from a text. */
export function scrubSecrets(text: string, url: string | undefined): string {
  if (!url) return text;
  let password = '';
  try {
    password = new URL(url).password;
  } catch {
    password = /\/\/[^:/@]*:([^@]*)@/.exec(url)?.[1] ?? '';
  }
  if (!password) return text;
  let out = text;
  for (const secret of new Set([password, safeDecode(password)])) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/** A postgres.js client that keeps notices quiet and never prints the URL. */
export function connect(url: string, options: postgres.Options<Record<string, postgres.PostgresType>> = {}): Sql {
  return postgres(url, {
    onnotice: () => undefined,
    max: 1,
    connect_timeout: 10,
    idle_timeout: 5,
    ...options,
  });
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
  };
  const advice = hint[code] ?? 'check DATABASE_URL, the server and your network';
  return `cannot connect to ${target}: ${raw.split('\n')[0]} (${advice})`;
}
