// How to talk about a database URL without leaking its password: no driver, no network, so a command that never
// connects can load it.

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
