// Options for statements run many times: a named prepared statement, planned once. postgres.js sends a statement
// without parameters as a simple query (planned on every run) unless told `simple: false`, which its types omit.
export const PREPARED = { prepare: true, simple: false } as { prepare: boolean };
