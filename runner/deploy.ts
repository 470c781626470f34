// `make deploy`: preflight, backup, migrate, post-checks, as one command that stops at the first failed step and
// says where the database stands. It returns data and reports progress through a callback; scripts/deploy.ts prints.
// The runbook around it is docs/deploy.md: keep the two in step.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { backupDatabase, formatBytes, urlWithoutPassword } from './backup.js';
import { pitrRestoreHint, recordRecoveryPoint } from './pitr.js';
import { connect, connectionErrorMessage, describeTarget, redactUrl, scrubSecrets, type DatabaseTarget } from '../core/postgres/database-url.js';
import { MigrationError } from './errors.js';
import { checkMigrations, migrateUp, migrationStatus, RunLock, type MigrationStatus } from './runner.js';
import { timeoutsFromEnv, type SessionTimeouts } from './runtime-safety.js';
import { checkStandbys, readStandbys, ReplicaLag, replicaSettingsFromEnv, waitForStandbys, type ReplicaSettings, type Standby } from './replicas.js';
import { smokeChecks } from './post-checks.js';
import { describeRetry, type LockRetry } from './lock-retry.js';
import { checkLiveDatabase, preflightSettingsFromEnv, type PreflightSettings } from './preflight.js';
import { withDeployAudit } from './deploy-audit.js';

export type DeployStep = 'preflight' | 'backup' | 'migrate' | 'post-checks';
export const DEPLOY_STEPS: readonly DeployStep[] = ['preflight', 'backup', 'migrate', 'post-checks'];

export type DeployEvent = { readonly kind: 'step'; readonly step: DeployStep } | { readonly kind: 'ok' | 'info' | 'warn'; readonly text: string };

export interface DeployOptions {
  readonly dir: string;
  readonly target: DatabaseTarget;
  /**
   * 'auto': a backup is required for a DATABASE_URL target; for the embedded development server a backup that
   * cannot be made (pg_dump older than the server) is skipped with a warning. 'skip': no backup (BACKUP=skip).
   * 'pitr': no dump; WAL archiving is checked and the point to recover to recorded (runner/pitr.ts), else the deploy stops.
   */
  readonly backup: 'auto' | 'skip' | 'pitr';
  readonly backupDir: string;
  /** dist/verify/cli.js; found beside this module by default. */
  readonly verifyCli?: string;
  readonly timeouts?: SessionTimeouts;
  /** MAX_REPLICA_LAG and REPLICA_WAIT (runner/replicas.ts); from the environment by default. */
  readonly replicas?: ReplicaSettings;
  /** PREFLIGHT, MAX_TRANSACTION_AGE, DRIFT (runner/preflight.ts); default from the environment. */
  readonly preflight?: PreflightSettings;
  /** SIGINT/SIGTERM: the migration's running statement is cancelled on the server and the deploy stops with its state. */
  readonly signal?: AbortSignal;
  readonly report: (event: DeployEvent) => void;
}

export interface DeployResult {
  readonly ok: boolean;
  readonly failedStep?: DeployStep;
  /** What failed, one line. */
  readonly error?: string;
  /** Where the database stands now. */
  readonly state: string;
  /** Migrations this deploy applied, in order. */
  readonly applied: readonly string[];
  readonly backupFile?: string;
  /** Undo what this deploy applied (absent when it applied nothing). */
  readonly rollbackCommand?: string;
  /** Put the backup back (absent without a backup). */
  readonly restoreCommand?: string;
  readonly exitCode: 0 | 1 | 2;
}

class StepFailure extends Error {}

/** The command that undoes `steps` migrations on the same target; the password shows as ***. */
export function rollbackCommand(target: DatabaseTarget, dir: string, steps: number): string {
  const parts = target.source === 'env' ? [`DATABASE_URL='${redactUrl(target.url)}'`] : [];
  parts.push('make rollback', `STEPS=${steps}`);
  if (dir.replace(/\/+$/, '') !== 'sql') parts.push(`MIGRATIONS_DIR=${dir}`);
  return parts.join(' ');
}

/** pg_restore of the backup into the same database; libpq takes the password from PGPASSWORD or ~/.pgpass. */
export function restoreCommand(target: DatabaseTarget, file: string): string {
  return `pg_restore --clean --if-exists --single-transaction -d '${urlWithoutPassword(target.url)}' ${file}`;
}

/** The deploy between its two entries in the audit trail (runner/deploy-audit.ts). */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  return withDeployAudit(options, (deployId) => deployOnce(options, deployId));
}

async function deployOnce(options: DeployOptions, deployId: string): Promise<DeployResult> {
  const { target, dir, report } = options;
  const url = target.url;
  const timeouts = options.timeouts ?? timeoutsFromEnv();
  const replicaSettings = options.replicas ?? replicaSettingsFromEnv();
  const where = describeTarget(url);
  const scrub = (text: string): string => scrubSecrets(text, url);
  const say = (kind: 'ok' | 'info' | 'warn', text: string): void => report({ kind, text: scrub(text) });
  let step: DeployStep = 'preflight';
  let backupFile: string | undefined;
  /** BACKUP=pitr: how to recover to the point recorded before migrating (instead of a pg_restore command). */
  let pitrRestore: string | undefined;
  let applied: string[] = [];
  let pendingNames: string[] = [];
  let noTransaction = new Set<string>();

  const failed = (error: unknown, state: string, extra: Partial<DeployResult> = {}): DeployResult => {
    const message = scrub(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
    return {
      ok: false,
      failedStep: step,
      error: message,
      state: scrub(state),
      applied,
      ...(backupFile ? { backupFile, restoreCommand: pitrRestore ?? restoreCommand(target, backupFile) } : {}),
      exitCode: error instanceof MigrationError && error.exitCode === 2 ? 2 : 1,
      ...extra,
    };
  };

  /** Steps 2 and 3, under the lock; a DeployResult when one of them failed. */
  async function backupAndMigrate(lock: RunLock): Promise<DeployResult | undefined> {
    // ---- 2. backup ----
    step = 'backup';
    report({ kind: 'step', step });
    if (options.backup === 'skip') {
      say('warn', 'BACKUP=skip: NO BACKUP WAS TAKEN. Only a rollback (the down files) can undo this deploy, and it cannot bring back data a migration drops.');
    } else if (options.backup === 'pitr') {
      try {
        const point = await recordRecoveryPoint({ databaseUrl: url, dir: options.backupDir });
        backupFile = point.file;
        pitrRestore = pitrRestoreHint(point);
        say('ok', `WAL archiving works: ${point.lastArchived.wal} archived ${point.lastArchived.age} ago, no failure since`);
        say('ok', `recovery point: ${point.restorePoint ? `restore point ${point.restorePoint} at ` : ''}LSN ${point.lsn}, ${point.time}; written to ${point.file} (mode 0600)`);
        if (point.noRestorePoint) say('info', `no named restore point: ${point.noRestorePoint}; the LSN and time name the point`);
      } catch (error) {
        return failed(error, 'Nothing was migrated: the database is as it was before the deploy. Fix WAL archiving (the line above says what is wrong), or use BACKUP=auto for a pg_dump.');
      }
    } else {
      try {
        const backup = await backupDatabase({ databaseUrl: url, dir: options.backupDir });
        backupFile = backup.file;
        say('ok', `${backup.file} (${formatBytes(backup.bytes)}, mode 0600, pg_dump ${backup.pgDump.version}); pg_restore --list reads ${backup.entries} entries`);
      } catch (error) {
        const message = scrub(error instanceof Error ? error.message : String(error));
        if (target.source !== 'embedded') {
          return failed(error, 'Nothing was migrated: the database is as it was before the deploy. Fix the backup, or (only if you accept deploying without one) re-run with BACKUP=skip.');
        }
        say('warn', `NO BACKUP: ${message}`);
        say('warn', 'continuing WITHOUT A BACKUP only because the target is the embedded development server; a DATABASE_URL target stops here unless BACKUP=skip is given.');
      }
    }

    // ---- 3. migrate ----
    step = 'migrate';
    report({ kind: 'step', step });
    try {
      const onRetry = (retry: LockRetry): void => say('warn', describeRetry(retry));
      const result = await migrateUp({ dir, databaseUrl: url, timeouts, lock, onRetry, audit: { command: 'deploy', deployId }, ...(options.signal ? { signal: options.signal } : {}) });
      applied = result.migrations.map((m) => m.name);
      if (result.baseline?.length) say('info', `recorded the checksums of ${result.baseline.length} migrations applied before checksums were kept`);
      for (const name of applied) say('ok', `applied ${name}`);
      say('ok', `${applied.length} migration${applied.length === 1 ? '' : 's'} applied in ${result.milliseconds} ms`);
    } catch (error) {
      // Only what this run committed counts: never what another run applied meanwhile.
      const runState = error instanceof MigrationError ? error.runState : undefined;
      applied = (runState?.committed ?? []).map((m) => m.name);
      const state = [
        runState
          ? `${applied.length} of the ${pendingNames.length} pending migrations were applied and committed by this deploy${applied.length ? ` (${applied.join(', ')})` : ''}. ${capitalize(runState.summary.replace(/^this run applied and committed nothing; /, '').replace(/^applied and committed by this run: [^;]*; /, ''))}`
          : `This deploy applied no migration (${scrub(error instanceof Error ? error.message : String(error)).split('\n')[0]}).`,
        applied.length > 0 ? `To return to where the deploy started: ${rollbackCommand(target, dir, applied.length)}.` : '',
      ]
        .filter(Boolean)
        .join(' ');
      return failed(error, state, applied.length > 0 ? { rollbackCommand: rollbackCommand(target, dir, applied.length) } : {});
    }
    return undefined;
  }

  // ---- 1. preflight: nothing is written ----
  report({ kind: 'step', step });
  let before: MigrationStatus;
  try {
    say('ok', `health: ${await healthCheck(url)}`);
    // Every check runs, so one deploy attempt lists every problem; then the first one stops it.
    const failures: string[] = [];
    const standbys: readonly Standby[] = await readStandbys(url);
    const replicas = checkStandbys(standbys, replicaSettings.maxLag);
    for (const line of replicas.lines) say(line.kind, line.text);
    try {
      // With standbys, the verifier also warns about ACCESS EXCLUSIVE locks that cancel reads on them (--standbys).
      say('ok', `make verify: ${runVerifier(options.verifyCli ?? defaultVerifyCli(), dir, standbys.length > 0)}`);
    } catch (error) {
      if (!(error instanceof StepFailure)) throw error;
      say('warn', error.message);
      failures.push(error.message);
    }
    before = await migrationStatus({ dir, databaseUrl: url });
    if (before.problems.length > 0) {
      for (const problem of before.problems) say('warn', problem.message);
      const n = before.problems.length;
      failures.push(`${n} problem${n === 1 ? '' : 's'} with the applied history or the indexes (listed above); fix ${n === 1 ? 'it' : 'them'} first (docs/deploy.md says how)`);
    } else {
      const tracked = before.applied.filter((a) => a.state === 'ok').length;
      say('ok', `history: ${before.applied.length} applied (${tracked} with unchanged checksums), no INVALID index, order ok`);
    }
    // A standby far behind or disconnected refuses a deploy that would change the schema; with nothing pending it is a warning.
    if (replicas.refusal && before.pending.length > 0) failures.push(replicas.refusal);
    if (failures.length > 0) throw new StepFailure(failures.join('; '));
    pendingNames = before.pending.map((p) => p.name);
    const pairs = await checkMigrations(dir);
    noTransaction = new Set(pairs.filter((p) => p.noTransaction).map((p) => p.name));
    if (pendingNames.length === 0) {
      say('info', `nothing pending: all ${before.applied.length} migrations are applied; no backup taken, nothing to migrate`);
    } else {
      say('info', `${pendingNames.length} pending, in this order:`);
      for (const p of before.pending) say('info', `  ${p.name}${noTransaction.has(p.name) ? '  (no transaction)' : ''}`);
    }
    // The live database: drift from the applied migrations, sessions in the way of the pending ones.
    const live = await checkLiveDatabase({
      url,
      dir,
      pending: pairs.filter((p) => pendingNames.includes(p.name)),
      appliedCount: before.applied.length,
      settings: options.preflight ?? preflightSettingsFromEnv(),
      timeouts,
      verifyCli: options.verifyCli ?? defaultVerifyCli(),
      say,
    });
    if (live.length > 0) throw new StepFailure(live.join('; '));
  } catch (error) {
    return failed(error, 'Nothing was changed: no backup was taken and no migration ran.');
  }

  if (pendingNames.length > 0) {
    // The backup and the migration happen under this deploy's lock: a deploy that loses the race backs up nothing
    // (its dump would catch the winner half-way) and applies nothing.
    let lock: RunLock;
    try {
      lock = await RunLock.acquire(url);
    } catch (error) {
      step = 'backup';
      return failed(
        error,
        'Nothing was changed by this deploy: another deploy or migration run holds the lock on this database, so this deploy took no backup and applied no migration (0 applied: there is nothing of its own to roll back). Wait for that run to finish, then re-run make deploy: its preflight will show what is still pending.',
      );
    }
    try {
      // What is pending may have changed while the lock was free: read it again, now that nobody else can change it.
      const now = await migrationStatus({ dir, databaseUrl: url });
      if (now.problems.length > 0) {
        for (const problem of now.problems) say('warn', problem.message);
        return failed(new StepFailure(`${now.problems.length} problem(s) appeared before the lock was taken (listed above)`), 'Nothing was changed by this deploy: no backup was taken and no migration ran.');
      }
      if (now.pending.map((p) => p.name).join() !== pendingNames.join()) {
        say('info', `while this deploy waited for the lock another run changed the database: ${now.pending.length} pending now`);
        pendingNames = now.pending.map((p) => p.name);
        before = now;
      }
      if (pendingNames.length > 0) {
        const stopped = await backupAndMigrate(lock);
        if (stopped) return stopped;
      }
    } finally {
      await lock.release();
    }
  }

  // ---- 4. post-checks: read-only ----
  step = 'post-checks';
  report({ kind: 'step', step });
  const undo = applied.length > 0 ? { rollbackCommand: rollbackCommand(target, dir, applied.length) } : {};
  try {
    const after = await migrationStatus({ dir, databaseUrl: url });
    // 'untracked' (applied before checksums were kept) can remain only when nothing ran: the next migrate records them.
    const notOk = after.applied.filter((a) => a.state !== 'ok' && a.state !== 'untracked');
    const untracked = after.applied.filter((a) => a.state === 'untracked').length;
    if (after.pending.length > 0 || after.problems.length > 0 || notOk.length > 0) {
      for (const problem of after.problems) say('warn', problem.message);
      throw new StepFailure(
        `status after migrating: ${after.pending.length} pending, ${after.problems.length} problem(s), ${notOk.length} applied migration(s) not ok${notOk.length ? ` (${notOk.map((a) => `${a.name}: ${a.state}`).join(', ')})` : ''}`,
      );
    }
    say('ok', `status: ${after.applied.length} applied, 0 pending, every recorded checksum matches its files${untracked ? ` (${untracked} applied before checksums were kept have none yet)` : ''}`);
    say('ok', `smoke: ${(await smokeChecks(url)).summary}`);
    say('ok', `health: ${await healthCheck(url)}`);
    if (applied.length > 0) await waitForStandbys(url, replicaSettings, say, options.signal);
  } catch (error) {
    if (error instanceof ReplicaLag) {
      const what = applied.length === 1 ? 'The migration of this deploy is' : `All ${applied.length} migrations of this deploy are`;
      return failed(error, `${what} applied and committed on the primary, and every other post-check passed; ${error.state}`, undo);
    }
    return failed(
      error,
      `All ${applied.length} migration${applied.length === 1 ? '' : 's'} of this deploy are applied; a post-check failed. Investigate before traffic relies on it${applied.length ? `; to undo: ${rollbackCommand(target, dir, applied.length)}` : ''}.`,
      undo,
    );
  }
  return {
    ok: true,
    state:
      applied.length > 0
        ? `${applied.length} migration${applied.length === 1 ? '' : 's'} applied to ${where}; all checks passed.`
        : `Nothing to deploy: ${where} has every migration applied; all checks passed.`,
    applied,
    ...(backupFile ? { backupFile, restoreCommand: pitrRestore ?? restoreCommand(target, backupFile) } : {}),
    ...undo,
    exitCode: 0,
  };
}

function defaultVerifyCli(): string {
  const beside = join(dirname(fileURLToPath(import.meta.url)), '..', 'verify', 'cli.js');
  return existsSync(beside) ? beside : join(process.cwd(), 'dist', 'verify', 'cli.js');
}

/** `make verify` (the verifier CLI over the folder): its summary line, or StepFailure with its report. */
function runVerifier(cli: string, dir: string, standbys: boolean): string {
  if (!existsSync(cli)) throw new StepFailure(`the verifier is not built (${cli} is missing): run make build`);
  const result = spawnSync(process.execPath, [cli, dir, ...(standbys ? ['--standbys'] : [])], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, NO_COLOR: '1' } });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  const summary = output.split('\n').filter(Boolean).pop() ?? '';
  if (result.status !== 0) {
    const violations = output.split('\n').filter((line) => /\s(error|warning)\s/.test(line)).slice(0, 5);
    throw new StepFailure(`make verify failed (exit ${result.status ?? result.signal}): ${[...violations.map((v) => v.trim()), summary].join(' | ')}`);
  }
  return summary;
}

/** The health check query: reachable, a primary, writable, version 15 or newer. Returns a one-line summary. */
export async function healthCheck(url: string): Promise<string> {
  const sql = connect(url, { max: 1, idle_timeout: 1, connection: { application_name: 'skincare-deploy' } });
  try {
    let row: { version: string; num: number; replica: boolean; read_only: string; database: string; role: string; size: string; sessions: number } | undefined;
    try {
      [row] = await sql.unsafe<NonNullable<typeof row>[]>(`
        SELECT current_setting('server_version') AS version, current_setting('server_version_num')::int AS num,
               pg_is_in_recovery() AS replica, current_setting('transaction_read_only') AS read_only,
               current_database() AS database, current_user AS role,
               pg_size_pretty(pg_database_size(current_database())) AS size,
               (SELECT count(*) FROM pg_stat_activity WHERE datname = current_database())::int AS sessions`);
    } catch (error) {
      throw new MigrationError('CONNECTION_FAILED', connectionErrorMessage(error, url));
    }
    if (!row) throw new StepFailure('the health check query returned nothing');
    if (row.replica) throw new StepFailure(`${describeTarget(url)} is a standby (pg_is_in_recovery): point DATABASE_URL at the primary`);
    if (row.read_only === 'on') throw new StepFailure(`${describeTarget(url)} is read-only (default_transaction_read_only): migrations cannot run there`);
    if (row.num < 150000) throw new StepFailure(`${describeTarget(url)} runs PostgreSQL ${row.version}; the migrations need 15 or newer`);
    return `${describeTarget(url)} as ${row.role}: PostgreSQL ${row.version.split(' ')[0]}, primary, read-write, ${row.size}, ${row.sessions} session${row.sessions === 1 ? '' : 's'}`;
  } finally {
    await sql.end({ timeout: 1 }).catch(() => undefined);
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
