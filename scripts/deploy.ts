// `make deploy`: preflight (health check, make verify, pending list, checksums, order, INVALID indexes, drift, live
// sessions), backup, migrate (with lock-timeout retries), post-checks (status, catalog estimates and a LIMIT 1 read of
// every table, health check), then the exact rollback and restore
// commands. docs/deploy.md is the runbook around it.
// Exit codes: 0 deployed (or nothing to deploy), 1 a step failed (the output says where the database stands), 2 usage error.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { abortOnSignals } from '../runner/interruption.js';
import { describeTarget, redactUrl, resolveDatabase, scrubSecrets } from '../core/postgres/database-url.js';
import { deploy, DEPLOY_STEPS, type DeployEvent } from '../runner/deploy.js';
import { MigrationError, MigrationFilesError } from '../runner/errors.js';
import { checkMigrations } from '../runner/runner.js';
import { timeoutsFromEnv } from '../runner/runtime-safety.js';
import { replicaSettingsFromEnv } from '../runner/replicas.js';
import { preflightSettingsFromEnv } from '../runner/preflight.js';
import { lockRetriesFromEnv } from '../runner/lock-retry.js';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';

const USAGE = `usage: deploy [--dir DIR] [--backup auto|skip|pitr] [--backup-dir DIR]

  --dir DIR          the migration folder (default: sql)
  --backup auto      (default) a DATABASE_URL target must be backed up first; the embedded dev server is
                     backed up when pg_dump can, else skipped with a warning
  --backup skip      deploy without a backup (BACKUP=skip); say so in the deployment log
  --backup pitr      no dump: check that WAL archiving works (a success within PITR_MAX_ARCHIVE_AGE, default 1h,
                     no failure since) and record the point to recover to in BACKUP_DIR (BACKUP=pitr)
  --backup-dir DIR   where the dump goes (default: BACKUP_DIR, else backups)
  --result-file FILE also write the result as JSON there (make deploy TARGETS=... reads it: runner/fleet.ts)

Exit codes: 0 deployed, 1 a step failed (the output says where the database stands), 2 usage error.`;

async function main(argv: readonly string[]): Promise<number> {
  let values: { dir?: string; backup?: string; 'backup-dir'?: string; 'result-file'?: string; help?: boolean };
  try {
    const parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      options: { dir: { type: 'string' }, backup: { type: 'string' }, 'backup-dir': { type: 'string' }, 'result-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    });
    values = parsed.values;
    const backup = values.backup ?? 'auto';
    if (backup !== 'auto' && backup !== 'skip' && backup !== 'pitr' && backup !== '') throw new Error(`--backup takes auto, skip or pitr, not "${backup}"`);
  } catch (error) {
    throw new MigrationError('USAGE', `${(error as Error).message}; run "deploy --help"`);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const dir = values.dir ?? 'sql';
  const timeouts = timeoutsFromEnv();
  const replicas = replicaSettingsFromEnv();
  const preflight = preflightSettingsFromEnv();
  const retries = lockRetriesFromEnv();
  await checkMigrations(dir);
  let target;
  try {
    target = resolveDatabase();
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot start the embedded PostgreSQL: ${(error as Error).message}`);
  }
  const started = Date.now();
  out(`deploy ${dir} to ${describeTarget(target.url)}${target.source === 'embedded' ? ' (the embedded development server)' : ' (DATABASE_URL)'}`);
  out(`session: lock_timeout ${timeouts.lockTimeout}, statement_timeout ${timeouts.statementTimeout}; after a lock timeout, ${retries.retries} retr${retries.retries === 1 ? 'y' : 'ies'} (first wait ~${retries.baseDelayMs} ms, doubling)`);
  out(`replicas: MAX_REPLICA_LAG ${replicas.maxLag.text}, REPLICA_WAIT ${replicas.waitText}`);
  out(`preflight: PREFLIGHT=${preflight.sessions}, MAX_TRANSACTION_AGE=${preflight.maxTransactionAge}, DRIFT=${preflight.drift}`);
  const result = await deploy({
    dir,
    target,
    backup: values.backup === 'skip' || values.backup === 'pitr' ? values.backup : 'auto',
    backupDir: values['backup-dir'] ?? (process.env.BACKUP_DIR || 'backups'),
    timeouts,
    replicas,
    preflight,
    signal: interruption(),
    report: print,
  });
  if (values['result-file']) writeFileSync(values['result-file'], JSON.stringify({ ok: result.ok, failedStep: result.failedStep, error: result.error, applied: result.applied }), { mode: 0o600 });
  out('');
  if (result.ok) {
    out(`deploy done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${result.state}`);
  } else {
    err(`deploy FAILED at ${result.failedStep}: ${result.error}`);
    err(`state: ${result.state}`);
  }
  if (result.rollbackCommand) {
    out(`to roll back what this deploy applied:  ${result.rollbackCommand}`);
    if (target.source === 'env' && redactUrl(target.url) !== target.url) out('  (*** stands for the password of DATABASE_URL: run it with the same DATABASE_URL)');
  }
  if (result.restoreCommand) {
    out(`to restore the backup taken before it:  ${result.restoreCommand}`);
    if (!result.backupFile?.endsWith('.pitr')) out('  (the password comes from PGPASSWORD or ~/.pgpass; see docs/deploy.md before restoring over a migrated database)');
  }
  return result.exitCode;
}

/** SIGINT/SIGTERM: the running migration statement is cancelled on the server; the deploy then stops and prints its state. */
function interruption(): AbortSignal {
  return abortOnSignals(out, err);
}

function print(event: DeployEvent): void {
  if (event.kind === 'step') {
    out(`== ${DEPLOY_STEPS.indexOf(event.step) + 1}/${DEPLOY_STEPS.length} ${event.step}`);
    return;
  }
  const label = event.kind === 'warn' ? 'WARN' : event.kind;
  out(`   ${label.padEnd(5)} ${event.text}`);
}

function out(line: string): void {
  process.stdout.write(`${scrubSecrets(line, process.env.DATABASE_URL)}\n`);
}

function err(line: string): void {
  process.stderr.write(`${scrubSecrets(line, process.env.DATABASE_URL)}\n`);
}

exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const url = process.env.DATABASE_URL;
    if (error instanceof MigrationFilesError) {
      for (const problem of error.problems) err(`error: ${scrubSecrets(problem.message, url)}`);
    } else {
      err(`error: ${scrubSecrets(error instanceof Error ? error.message : String(error), url).split('\n')[0]}`);
    }
    process.exitCode = error instanceof MigrationError ? error.exitCode : 1;
  },
);
