// The environment a test gives a CLI it spawns: not tap's loaders (NODE_OPTIONS, TAP*), and none of the developer's
// database or tool settings, so a test runs the same in a shell with DATABASE_URL or MIGRATE_LOCK_TIMEOUT set.

const SETTINGS = ['NODE_OPTIONS', 'DATABASE_URL', 'PGPASSWORD', 'PG_DUMP', 'PG_RESTORE', 'BACKUP', 'BACKUP_DIR', 'MIGRATIONS_DIR', 'STEPS', 'CONFIRM', 'PITR_MAX_ARCHIVE_AGE', 'MAKEFLAGS', 'MFLAGS', 'MAKELEVEL'];

export function childEnv(extra: Readonly<Record<string, string | undefined>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !SETTINGS.includes(key) && !key.startsWith('MIGRATE_') && !/^(MAX_REPLICA_LAG|REPLICA_WAIT)$/.test(key) && !key.startsWith('TAP') && !key.startsWith('_TAPJS')),
  );
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  // A CLI that needs a scratch server (deploy's drift check, --execute) uses the test's own server, never the
  // checkout's embedded one, which other test files start and use at the same time.
  if (extra.DATABASE_URL && !('VERIFY_DATABASE_URL' in extra) && URL.canParse(extra.DATABASE_URL)) {
    const scratch = new URL(extra.DATABASE_URL);
    scratch.pathname = '/postgres';
    env.VERIFY_DATABASE_URL = scratch.toString();
  }
  return env;
}
