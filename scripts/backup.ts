// `make backup`: dump the database (DATABASE_URL, else the embedded server) into BACKUP_DIR (default backups/) as
// <database>-<UTC YYYYMMDDTHHMMSSZ>.dump, mode 0600, read back with pg_restore --list; with --mode pitr (BACKUP=pitr), no
// dump: WAL archiving is checked and the point to recover to written there as <database>-<UTC>.pitr (runner/pitr.ts).
// Exit codes: 0 written and verified, 1 failed (no file left), 2 usage error.
import { parseArgs } from 'node:util';
import { backupDatabase, formatBytes, urlWithoutPassword } from '../runner/backup.js';
import { recordRecoveryPoint } from '../runner/pitr.js';
import { describeTarget, resolveDatabase } from '../core/postgres/database-url.js';
import { MigrationError } from '../runner/errors.js';
import { out, runMain } from './lib/entry.js';

async function main(argv: readonly string[]): Promise<number> {
  let dir: string;
  let mode: string;
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { dir: { type: 'string' }, mode: { type: 'string' } } });
    if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
    dir = values.dir ?? process.env.BACKUP_DIR ?? 'backups';
    mode = values.mode || 'auto';
    if (mode === 'skip') throw new Error('BACKUP=skip takes no backup: make backup takes BACKUP=auto (pg_dump) or BACKUP=pitr');
    if (mode !== 'auto' && mode !== 'pitr') throw new Error(`--mode takes auto or pitr, not "${mode}"`);
  } catch (error) {
    throw new MigrationError('USAGE', `${(error as Error).message} (usage: backup [--dir DIR] [--mode auto|pitr]; or BACKUP_DIR, PG_DUMP, PITR_MAX_ARCHIVE_AGE)`);
  }
  let target;
  try {
    target = resolveDatabase();
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot start the embedded PostgreSQL: ${(error as Error).message}`);
  }
  out(`database: ${describeTarget(target.url)}${target.source === 'embedded' ? ' (embedded)' : ' (DATABASE_URL)'}`);
  if (mode === 'pitr') {
    const point = await recordRecoveryPoint({ databaseUrl: target.url, dir });
    out(`WAL archiving works: ${point.lastArchived.wal} archived at ${point.lastArchived.time} (${point.lastArchived.age} ago), no failure since`);
    out(`recovery point: ${point.restorePoint ? `restore point ${point.restorePoint}, ` : ''}LSN ${point.lsn} (WAL ${point.walFile}, timeline ${point.timeline}) at ${point.time}`);
    if (point.noRestorePoint) out(`no named restore point: ${point.noRestorePoint}; the LSN and time name the point`);
    out(`wrote ${point.file} (mode 0600)`);
    out('restore: a base backup taken before this point, the WAL archive, and in the restored cluster (with recovery.signal):');
    for (const line of point.recoverySettings) out(`  ${line}`);
    return 0;
  }
  const result = await backupDatabase({ databaseUrl: target.url, dir });
  out(`pg_dump ${result.pgDump.version} (${result.pgDump.path}), server PostgreSQL ${result.serverVersion}`);
  out(`wrote ${result.file} (${formatBytes(result.bytes)}, mode 0600) in ${result.milliseconds} ms`);
  out(`verified: pg_restore --list reads ${result.entries} entries`);
  out(`restore with: pg_restore --clean --if-exists --single-transaction -d '${urlWithoutPassword(target.url)}' ${result.file}`);
  return 0;
}

runMain(main);
