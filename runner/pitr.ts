// BACKUP=pitr: point-in-time recovery instead of a dump, for databases too large to pg_dump on every deploy. It checks
// that WAL archiving works (archive_mode on, an archive_command or archive_library, pg_stat_archiver: a success within
// PITR_MAX_ARCHIVE_AGE and no failure since), then records the point to restore to (a named restore point when the role
// may create one, else pg_current_wal_insert_lsn()) with its time, printed and written to BACKUP_DIR/<database>-<UTC>.pitr
// (mode 0600). The base backups and the WAL archive are the platform's (pg_basebackup, pgBackRest, Barman, WAL-G): this
// mode checks that they are being fed, and names the point. docs/deploy.md has the restore.
import { chmodSync, mkdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { connect, connectionErrorMessage, describeTarget, type Sql } from '../core/postgres/database-url.js';
import { displayPath } from '../core/display-path.js';
import { backupFileName } from './backup.js';
import { MigrationError } from './errors.js';

/** How old the archiver's last success may be, by default (PITR_MAX_ARCHIVE_AGE). */
export const DEFAULT_MAX_ARCHIVE_AGE = '1h';

export interface PitrOptions {
  readonly databaseUrl: string;
  /** BACKUP_DIR: where the .pitr file goes. */
  readonly dir: string;
  /** PITR_MAX_ARCHIVE_AGE as a PostgreSQL interval ('1h', '15min', '90s'); default 1h. */
  readonly maxArchiveAge?: string;
  readonly now?: Date;
}

export interface PitrResult {
  /** The .pitr file, as shown (relative to the working directory when inside it). */
  readonly file: string;
  readonly database: string;
  /** The WAL position to recover to. */
  readonly lsn: string;
  /** The server's clock when it was taken (UTC, ISO 8601). */
  readonly time: string;
  /** The named restore point (pg_create_restore_point), when the role may create one. */
  readonly restorePoint?: string;
  /** Why there is no restore point (the role may not create one). */
  readonly noRestorePoint?: string;
  /** The WAL segment holding the point: the restore needs the archive to reach it. */
  readonly walFile: string;
  readonly timeline: number;
  /** pg_stat_archiver's last success: segment and time (UTC), and how long ago. */
  readonly lastArchived: { readonly wal: string; readonly time: string; readonly age: string };
  /** The recovery settings for the restore, one per line (restore_command left for the operator to fill in). */
  readonly recoverySettings: readonly string[];
}

interface ArchiverRow {
  archive_mode: string;
  archived_count: string;
  last_archived_wal: string | null;
  last_archived_time: string | null;
  last_archived_age: string | null;
  stale: boolean | null;
  failed_count: string;
  last_failed_wal: string | null;
  last_failed_time: string | null;
  failing: boolean;
  database: string;
  in_recovery: boolean;
}

/** Check archiving, record the point, write the .pitr file; BACKUP_FAILED with one line saying what is wrong otherwise. */
export async function recordRecoveryPoint(options: PitrOptions): Promise<PitrResult> {
  const url = options.databaseUrl;
  const where = describeTarget(url);
  const bound = options.maxArchiveAge ?? process.env.PITR_MAX_ARCHIVE_AGE ?? DEFAULT_MAX_ARCHIVE_AGE;
  const now = options.now ?? new Date();
  const sql = connect(url, { max: 1, idle_timeout: 1, prepare: false, connection: { application_name: 'skincare-backup' } });
  const refuse = (why: string): MigrationError => new MigrationError('BACKUP_FAILED', `BACKUP=pitr: ${why} on ${where}; no recovery point was recorded and nothing was migrated (docs/deploy.md#point-in-time-recovery)`);
  try {
    let row: ArchiverRow | undefined;
    try {
      [row] = await sql.unsafe<ArchiverRow[]>(
        `SELECT current_setting('archive_mode') AS archive_mode, archived_count::text, last_archived_wal,
                to_char(last_archived_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_archived_time,
                date_trunc('second', now() - last_archived_time)::text AS last_archived_age,
                now() - last_archived_time > $1::interval AS stale,
                failed_count::text, last_failed_wal,
                to_char(last_failed_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS last_failed_time,
                last_failed_time IS NOT NULL AND (last_archived_time IS NULL OR last_failed_time >= last_archived_time) AS failing,
                current_database() AS database, pg_is_in_recovery() AS in_recovery
         FROM pg_stat_archiver`,
        [bound],
      );
    } catch (error) {
      if ((error as { code?: string }).code === '22007') {
        throw new MigrationError('USAGE', `PITR_MAX_ARCHIVE_AGE=${bound} is not a PostgreSQL interval: write e.g. 1h, 15min or 90s`);
      }
      throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
    }
    if (!row) throw refuse('pg_stat_archiver returned nothing');
    if (row.in_recovery) throw refuse('the server is a standby (pg_is_in_recovery): record the point on the primary');
    if (row.archive_mode === 'off') {
      throw refuse('WAL archiving is off (archive_mode = off): set archive_mode = on (a restart) and an archive_command or archive_library that copies each WAL segment to your archive, or use BACKUP=auto for a pg_dump');
    }
    const command = await archiveCommand(sql);
    if (command === '') {
      throw refuse('archive_mode is on but archive_command and archive_library are empty, so WAL is kept, not archived: set archive_command (e.g. a copy to your archive) and reload');
    }
    if (row.failing) {
      const since = row.last_archived_time ? `the last success was ${row.last_archived_wal} at ${row.last_archived_time}` : 'nothing was ever archived';
      throw refuse(
        `WAL archiving is failing: archive_command failed on ${row.last_failed_wal} at ${row.last_failed_time} (${row.failed_count} failure${row.failed_count === '1' ? '' : 's'} in pg_stat_archiver) and ${since}: the server log says why; fix the archive_command and wait for pg_stat_archiver to show a success`,
      );
    }
    if (!row.last_archived_time || !row.last_archived_wal) {
      throw refuse('nothing has been archived yet (pg_stat_archiver.last_archived_time is empty): force a segment with SELECT pg_switch_wal() and check that pg_stat_archiver shows it archived');
    }
    if (row.stale) {
      throw refuse(
        `the last WAL segment was archived ${row.last_archived_age} ago (${row.last_archived_wal} at ${row.last_archived_time}), longer than PITR_MAX_ARCHIVE_AGE=${bound}: check that archiving still runs (SELECT pg_switch_wal(), then pg_stat_archiver); set archive_timeout so a quiet server still archives`,
      );
    }

    const name = restorePointName(row.database, now);
    let restorePoint: string | undefined;
    let noRestorePoint: string | undefined;
    let point: { lsn: string; time: string; wal: string; timeline: number } | undefined;
    try {
      point = await takePoint(sql, `pg_create_restore_point('${name}')`);
      restorePoint = name;
    } catch (error) {
      // Only superusers (or roles granted EXECUTE on it) may create restore points: the LSN alone then names the point.
      if ((error as { code?: string }).code !== '42501') throw error;
      noRestorePoint = 'the role may not run pg_create_restore_point (superuser, or GRANT EXECUTE ON FUNCTION pg_create_restore_point(text))';
    }
    // The insert position, not pg_current_wal_lsn() (the write position): with synchronous_commit = off a commit can
    // be inserted and not yet written, and the point must come after it.
    point ??= await takePoint(sql, 'pg_current_wal_insert_lsn()');
    const recoverySettings = [
      `restore_command = '<the inverse of your archive_command, e.g. cp /path/to/archive/%f %p>'`,
      restorePoint ? `recovery_target_name = '${restorePoint}'` : `recovery_target_lsn = '${point.lsn}'`,
      ...(restorePoint ? [`# or: recovery_target_lsn = '${point.lsn}'`] : []),
      `# or: recovery_target_time = '${point.time}'`,
      `recovery_target_timeline = '${point.timeline}'`,
      `recovery_target_action = 'pause'  # check the data, then SELECT pg_wal_replay_resume() ends recovery`,
    ];
    const result = {
      database: row.database,
      lsn: point.lsn,
      time: point.time,
      ...(restorePoint ? { restorePoint } : {}),
      ...(noRestorePoint ? { noRestorePoint } : {}),
      walFile: point.wal,
      timeline: point.timeline,
      lastArchived: { wal: row.last_archived_wal, time: row.last_archived_time, age: row.last_archived_age ?? '' },
      recoverySettings,
    };
    return { file: writePitrFile(options.dir, row.database, now, where, result), ...result };
  } catch (error) {
    if (error instanceof MigrationError) throw error;
    throw new MigrationError('BACKUP_FAILED', `BACKUP=pitr: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]} on ${where}; no recovery point was recorded`);
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

/** `skincare_pitr_<database>_<UTC stamp>`, at most 63 bytes (a restore point's name is at most 63 bytes). */
export function restorePointName(database: string, now: Date): string {
  const stamp = now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  const safe = database.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 63 - `skincare_pitr__${stamp}`.length);
  return `skincare_pitr_${safe}_${stamp}`;
}

/**
 * archive_command, else archive_library (PostgreSQL 15+): '' when both are empty; undefined when the role may not read
 * them (they are superuser-only settings unless pg_read_all_settings is granted): pg_stat_archiver then decides.
 */
async function archiveCommand(sql: Sql): Promise<string | undefined> {
  try {
    const [row] = await sql.unsafe<{ command: string; library: string | null }[]>(
      `SELECT current_setting('archive_command') AS command, current_setting('archive_library', true) AS library`,
    );
    return `${row?.command ?? ''}${row?.library ?? ''}`.trim();
  } catch (error) {
    if ((error as { code?: string }).code === '42501') return undefined;
    throw error;
  }
}

async function takePoint(sql: Sql, lsnExpression: string): Promise<{ lsn: string; time: string; wal: string; timeline: number }> {
  const [row] = await sql.unsafe<{ lsn: string; time: string; wal: string; timeline: number }[]>(
    `SELECT p.lsn::text AS lsn, to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US"+00"') AS time,
            pg_walfile_name(p.lsn) AS wal, ('x' || substr(pg_walfile_name(p.lsn), 1, 8))::bit(32)::int AS timeline
     FROM (SELECT ${lsnExpression} AS lsn) p`,
  );
  if (!row) throw new Error('the server returned no WAL position');
  return row;
}

function writePitrFile(dir: string, database: string, now: Date, where: string, point: Omit<PitrResult, 'file'>): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const final = join(dir, backupFileName(database, now).replace(/\.dump$/, '.pitr'));
  const partial = join(dir, `.${basename(final)}.partial`);
  const lines = [
    `# Point-in-time recovery target recorded by make backup / make deploy with BACKUP=pitr (docs/deploy.md#point-in-time-recovery).`,
    `# Restore: a base backup taken BEFORE this point, the WAL archive up to ${point.walFile}, and these settings in the`,
    `# restored cluster's postgresql.conf (or postgresql.auto.conf), with an empty recovery.signal in its data directory.`,
    `database = ${database}`,
    `server = ${where}`,
    `recorded_at = ${point.time}`,
    `lsn = ${point.lsn}`,
    `wal_file = ${point.walFile}`,
    `timeline = ${point.timeline}`,
    point.restorePoint ? `restore_point = ${point.restorePoint}` : `# no restore point: ${point.noRestorePoint}`,
    `last_archived = ${point.lastArchived.wal} at ${point.lastArchived.time}`,
    '',
    ...point.recoverySettings,
    '',
  ];
  try {
    writeFileSync(partial, lines.join('\n'), { mode: 0o600, flag: 'wx' });
    chmodSync(partial, 0o600);
    renameSync(partial, final);
  } catch (error) {
    try {
      unlinkSync(partial);
    } catch {
      // nothing was written
    }
    throw new MigrationError('BACKUP_FAILED', `cannot write ${displayPath(final)}: ${(error as Error).message}; no recovery point file was kept`);
  }
  return displayPath(final);
}

/** One line for the deploy's "to restore" advice: the recovery target and the file with the settings. */
export function pitrRestoreHint(point: PitrResult): string {
  const target = point.restorePoint ? `recovery_target_name = '${point.restorePoint}'` : `recovery_target_lsn = '${point.lsn}'`;
  return `point-in-time recovery from a base backup older than ${point.time}: restore_command and ${target} (all settings in ${point.file}; docs/deploy.md#point-in-time-recovery)`;
}
