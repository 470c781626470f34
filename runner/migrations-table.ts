// Where the runner records what ran, and the lock that keeps two runs apart: shared by the runner and its parts.
export const MIGRATIONS_TABLE = 'pgmigrations';
export const MIGRATIONS_SCHEMA = 'public';

/** node-pg-migrate's advisory lock id: a run of its own CLI and ours exclude each other. */
export const ADVISORY_LOCK_ID = '7241865325823964';

