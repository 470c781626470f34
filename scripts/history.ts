// `make history`: the audit trail of the database (DATABASE_URL, else the embedded server), newest first: every
// apply, rollback, redo, accept-checksum, baseline, deploy start and end, and failed migration (runner/audit.ts).
// Exit codes: 0 printed (also when there is no trail yet), 1 the database failed, 2 usage error.
import { parseArgs } from 'node:util';
import { describeTarget, resolveDatabase } from '../core/postgres/database-url.js';
import { AUDIT_TABLE, formatHistory, migrationHistory } from '../runner/audit.js';
import { MigrationError } from '../runner/errors.js';
import { out, runMain } from './lib/entry.js';

const USAGE = `usage: history [--name <version>_<slug>] [--limit N] [--json]

  --name NAME   only the events of that migration (and the deploys they were part of)
  --limit N     the newest N events (default 50)
  --json        one JSON array, every column, instead of the table

The database is DATABASE_URL when set, else the embedded server. Read-only.`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { name?: string; limit?: string; json?: boolean; help?: boolean };
  let limit = 50;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: { name: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
    if (values.limit !== undefined && values.limit !== '') {
      if (!/^[1-9]\d{0,6}$/.test(values.limit)) throw new Error(`--limit takes a positive number, not "${values.limit}"`);
      limit = Number(values.limit);
    }
    if (values.name !== undefined && values.name !== '' && !/^(?:.*\/)?\d{14}_[a-z0-9_]+(?:\.(?:up|down)\.sql)?$/.test(values.name)) {
      throw new Error(`--name takes a migration's <version>_<slug> (make history NAME=20260105090100_create_users), not "${values.name}"`);
    }
  } catch (error) {
    throw new MigrationError('USAGE', `${(error as Error).message}; run "history --help"`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let target;
  try {
    target = resolveDatabase();
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot start the embedded PostgreSQL: ${(error as Error).message}`);
  }
  const entries = await migrationHistory(target.url, { ...(values.name ? { name: values.name } : {}), limit });
  if (values.json) {
    out(JSON.stringify(entries ?? [], null, 2));
    return 0;
  }
  out(`database: ${describeTarget(target.url)}${target.source === 'embedded' ? ' (embedded)' : ' (DATABASE_URL)'}`);
  if (!entries) {
    out(`no audit trail yet: ${AUDIT_TABLE} does not exist; the next migrate, rollback or deploy creates it`);
    return 0;
  }
  if (entries.length === 0) {
    out(values.name ? `no event for ${values.name} in ${AUDIT_TABLE}` : `${AUDIT_TABLE} is empty`);
    return 0;
  }
  for (const line of formatHistory(entries)) out(line);
  out(`${entries.length} event${entries.length === 1 ? '' : 's'}, newest first${entries.length === limit ? ` (the newest ${limit}: LIMIT=N shows more)` : ''}`);
  return 0;
}

runMain(main);
