// Where the runner records what ran, and the lock that keeps two runs apart: shared by the runner and its parts.
export const MIGRATIONS_TABLE = 'pgmigrations';
export const MIGRATIONS_SCHEMA = 'public';

/** node-pg-migrate's advisory lock id: a run of its own CLI and ours exclude each other. */
export const ADVISORY_LOCK_ID = '7241865325823964';


/**
 * The second key of a run, held by the migration session itself (the first is held on a connection of its own that
 * migrations never touch). A migration session orphaned by a killed runner keeps it, so the next run waits for that
 * session instead of applying the same migration beside it.
 */
export const SESSION_LOCK_ID = '7241865325823965';
