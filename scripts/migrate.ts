// The migration CLI: argv -> runner -> text -> exit code. The only place that prints.
// Exit codes: 0 ok, 1 migration or database failure, 2 usage error or bad migration files.
import { parseArgs } from 'node:util';
import { abortOnSignals } from '../runner/interruption.js';
import { describeTarget, resolveDatabase, scrubSecrets, type DatabaseTarget } from '../core/postgres/database-url.js';
import { branchOrderProblems, IntegrityError, migrationsAtRef } from '../runner/integrity.js';
import { MigrationError, MigrationFilesError } from '../runner/errors.js';
import {
  acceptMigrationChecksum,
  checkMigrations,
  migrateDown,
  migrateUp,
  migrationStatus,
  recordBaselineChecksums,
  redoLast,
  type MigrationStatus,
  type RunPlan,
  type RunResult,
} from '../runner/runner.js';
import { timeoutsFromEnv } from '../runner/runtime-safety.js';
import { describeRetry, type LockRetry } from '../runner/lock-retry.js';
import { describeImpact, type RollbackGuard } from '../runner/rollback-guard.js';
import { createInterface } from 'node:readline/promises';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';
import { printable } from '../core/printable.js';

const USAGE = `usage: migrate <command> [--dir DIR] [--dry-run]

commands:
  up                    apply every pending migration, each in its own transaction
  down [N|all]          roll back the last N applied migrations (default 1), or all of them
  redo                  roll back the last applied migration and apply it again
  status                list the applied migrations (run_on, checksum state), then the pending ones
  check                 check the migration files only; no database needed
  accept-checksum NAME  record the current checksums of an applied migration whose files were edited (logged)
  check-order           compare with the newest migration on a git ref (--base, default origin/main); no database
  baseline              record the checksums of applied migrations that have none, from their files as they are (logged)

options:
  --dir DIR       the migration folder (default: sql)
  --dry-run       up, down, redo: print the SQL that would run, in order, and change nothing
  --base REF      check-order: the branch the migrations merge into (default: origin/main)

The database is DATABASE_URL when set, else the embedded server in .pgdata/ (port 54329).
Each migration session runs with lock_timeout = MIGRATE_LOCK_TIMEOUT (default 5s) and
statement_timeout = MIGRATE_STATEMENT_TIMEOUT (default 15min), and starts from the same session settings.
down and redo first print what the downs drop (tables, columns, rows; the catalog's row estimates). On a server other
than the embedded one, down all, or a rollback that drops a table or column holding rows or deletes or truncates rows,
needs CONFIRM=<database name> (or the name typed when stdin is a terminal); a wrong CONFIRM is always refused.
SIGINT or SIGTERM cancels the running statement on the server, then the run stops and says where it stands.
Exit codes: 0 ok, 1 migration or database failure, 2 usage error or bad migration files.`;

type Command = 'up' | 'down' | 'redo' | 'status' | 'check' | 'accept-checksum' | 'check-order' | 'baseline';
const COMMANDS: readonly Command[] = ['up', 'down', 'redo', 'status', 'check', 'accept-checksum', 'check-order', 'baseline'];

interface CommandLine {
  readonly help: boolean;
  readonly command: Command;
  readonly dir: string;
  readonly count: number | 'all';
  readonly dryRun: boolean;
  readonly name?: string;
  readonly base: string;
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: CommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return fail(new MigrationError('USAGE', `${(error as Error).message}; run "migrate --help"`));
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { command, dir, count, dryRun } = parsed;

  // The files are checked before any server is started or contacted.
  const pairs = await checkMigrations(dir);
  if (command === 'check') {
    out(`${pairs.length} migration${plural(pairs.length)} in ${dir}: names, pairs and directives are fine`);
    return 0;
  }
  if (command === 'check-order') {
    const problems = branchOrderProblems(pairs, migrationsAtRef(dir, parsed.base), parsed.base);
    if (problems.length > 0) throw new IntegrityError(problems);
    out(`order is fine: every migration new on this branch sorts after the newest one on ${parsed.base}`);
    return 0;
  }

  const timeouts = timeoutsFromEnv();
  const target = resolveTarget();
  out(`database: ${describeTarget(target.url)}${target.source === 'embedded' ? ' (embedded)' : ' (DATABASE_URL)'}`);
  // Ctrl-C and SIGTERM cancel a run's statement on the server; elsewhere they end the process as usual.
  const runs = (command === 'up' || command === 'down' || command === 'redo') && !dryRun;
  const onRetry = (retry: LockRetry): void => {
    process.stderr.write(`${scrubSecrets(`warning: ${describeRetry(retry)}`, process.env.DATABASE_URL)}\n`);
  };
  const guard = command === 'down' || command === 'redo' ? rollbackGuard(command === 'down' && count === 'all', target.source === 'embedded') : undefined;
  const options = { dir, databaseUrl: target.url, dryRun, timeouts, onRetry, ...(runs ? { signal: interruption() } : {}), ...(guard ? { rollbackGuard: guard } : {}) };
  switch (command) {
    case 'up':
      printRun(await migrateUp(options), pairs.length);
      return 0;
    case 'down':
      printRun(await migrateDown({ ...options, count }), pairs.length);
      return 0;
    case 'redo': {
      const { down, up } = await redoLast(options);
      if (down.migrations.length === 0 && !(down.plan?.migrations.length)) {
        out('nothing to redo: no migration is applied');
        return 0;
      }
      if (dryRun) {
        printPlan(down, 'down', false);
        printPlan(up, 'up', true);
        return 0;
      }
      printRun(down, pairs.length);
      printRun(up, pairs.length);
      return 0;
    }
    case 'status':
      printStatus(await migrationStatus(options));
      return 0;
    case 'baseline': {
      const recorded = await recordBaselineChecksums(options);
      for (const name of recorded) out(`baseline  ${name}`);
      out(
        recorded.length
          ? `recorded the checksums of ${recorded.length} applied migration${plural(recorded.length)} from their files as they are now; logged as baseline in pgmigrations_checksum_log`
          : 'nothing to record: every applied migration has its checksum',
      );
      return 0;
    }
    case 'accept-checksum': {
      const { changed, accepted } = await acceptMigrationChecksum({ ...options, name: parsed.name! });
      if (!changed) {
        out(`nothing to accept: the recorded checksums of ${accepted.name} match its files`);
        return 0;
      }
      for (const side of ['up', 'down'] as const) {
        const before = accepted.old?.[side];
        const after = accepted.new[side];
        out(`${side.padEnd(4)} ${accepted.name}.${side}.sql  ${before === after ? `unchanged ${short(after)}` : `${before ? short(before) : '(none recorded)'} -> ${short(after)}`}`);
      }
      out(`accepted the current files of ${accepted.name}: logged in pgmigrations_checksum_log by ${accepted.actor} at ${accepted.at}`);
      out('the database keeps the schema the old text made: the edit itself never runs here; put schema changes in a new migration');
      return 0;
    }
  }
  return 0;
}

function parseCommandLine(argv: readonly string[]): CommandLine {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      dir: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      'dry-run': { type: 'boolean' },
      base: { type: 'string' },
    },
  });
  const dir = values.dir ?? 'sql';
  const dryRun = values['dry-run'] ?? false;
  const base = values.base ?? 'origin/main';
  if (values.help) return { help: true, command: 'status', dir, count: 1, dryRun, base };
  const [command, argument, ...extra] = positionals;
  if (!command) throw new Error('no command given (up, down, redo, status, check, accept-checksum or check-order)');
  if (!COMMANDS.includes(command as Command)) throw new Error(`unknown command "${command}"`);
  const takesArgument = command === 'down' || command === 'accept-checksum';
  if (extra.length > 0 || (argument !== undefined && !takesArgument)) {
    throw new Error(`unexpected argument "${takesArgument ? extra[0] : argument}" for ${command}`);
  }
  if (dryRun && !['up', 'down', 'redo'].includes(command)) throw new Error(`--dry-run applies to up, down and redo, not ${command}`);
  if (values.base !== undefined && command !== 'check-order') throw new Error(`--base applies to check-order only`);
  if (command === 'accept-checksum') {
    if (!argument) throw new Error('accept-checksum needs the migration name (make accept-checksum NAME=20260105090100_create_users)');
    return { help: false, command, dir, count: 1, dryRun, name: argument, base };
  }
  let count: number | 'all' = 1;
  if (argument !== undefined) {
    if (argument === 'all') count = 'all';
    else if (/^[1-9]\d*$/.test(argument)) count = Number(argument);
    else throw new Error(`down takes a positive number of steps or "all", not "${argument}"`);
  }
  return { help: false, command: command as Command, dir, count, dryRun, base };
}

function resolveTarget(): DatabaseTarget {
  try {
    return resolveDatabase();
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot start the embedded PostgreSQL: ${(error as Error).message}`);
  }
}

/**
 * down and redo print what the downs drop first; on a server other than the embedded one a rollback of every migration
 * or one that loses data needs CONFIRM=<database>, or the name typed here when stdin is a terminal.
 */
function rollbackGuard(all: boolean, embedded: boolean): RollbackGuard {
  const confirm = process.env.CONFIRM;
  return {
    all,
    embedded,
    ...(confirm ? { confirm } : {}),
    show: (impact) => describeImpact(impact).forEach((line) => out(line)),
    ...(process.stdin.isTTY
      ? {
          ask: async (question: string) => {
            const terminal = createInterface({ input: process.stdin, output: process.stderr });
            try {
              return await terminal.question(question);
            } finally {
              terminal.close();
            }
          },
        }
      : {}),
  };
}

/**
 * SIGINT and SIGTERM abort the run: the runner cancels the running statement on the server, waits for it, and stops
 * with the true state. A second signal exits at once (the server may still be running the statement).
 */
function interruption(): AbortSignal {
  return abortOnSignals(out, (line) => process.stderr.write(`${line}\n`));
}

function printRun(result: RunResult, total: number): void {
  if (result.plan) {
    printPlan(result, result.direction, true);
    return;
  }
  for (const note of result.notes ?? []) out(`note: ${note}`);
  if (result.baseline?.length) {
    const n = result.baseline.length;
    out(`recorded the checksums of ${n} migration${plural(n)} applied before checksums were kept (from the files as they are now; logged as baseline)`);
  }
  const verb = result.direction === 'up' ? 'applied' : 'rolled back';
  if (result.migrations.length === 0) {
    out(result.direction === 'up' ? `nothing to apply: all ${total} migration${plural(total)} are applied` : 'nothing to roll back: no migration is applied');
    return;
  }
  for (const migration of result.migrations) out(`${verb.padEnd(11)}  ${migration.name}`);
  const n = result.migrations.length;
  out(`${n} migration${plural(n)} ${verb} in ${result.milliseconds} ms`);
}

/** A dry run: the SQL in the order it would be sent, with the transaction boundaries; nothing was sent. */
function printPlan(result: RunResult, direction: 'up' | 'down', last: boolean): void {
  const plan: RunPlan = result.plan ?? { session: [], setup: [], migrations: [] };
  const verb = direction === 'up' ? 'applied' : 'rolled back';
  if (plan.session.length) {
    out('-- dry run: nothing below is sent; the session starts with (and is restored to this before each migration and its bookkeeping)');
    for (const line of plan.session) out(line);
  }
  if (plan.setup.length) {
    out('');
    out('-- the first run creates the bookkeeping tables');
    for (const line of plan.setup) out(line);
  }
  for (const migration of plan.migrations) {
    out('');
    const statements = migration.statements.flatMap((line, i) =>
      migration.changesSession[i] ? ['-- changes the session for what follows (the runner restores it before the bookkeeping and the next migration):', line] : [line],
    );
    if (migration.noTransaction) {
      out(`-- ${migration.file} (${direction}): no transaction (-- migrate:no-transaction): each statement commits on its own`);
      for (const line of statements) out(line);
      out('BEGIN;');
      for (const line of migration.bookkeeping) out(line);
      out('COMMIT;');
    } else {
      out(`-- ${migration.file} (${direction})`);
      out('BEGIN;');
      for (const line of [...statements, ...migration.bookkeeping]) out(line);
      out('COMMIT;');
    }
  }
  if (last || plan.migrations.length === 0) {
    out('');
    const n = plan.migrations.length;
    out(n === 0 ? `-- dry run: nothing would be ${verb}` : `-- dry run: ${n} migration${plural(n)} would be ${verb}; nothing was changed`);
  }
}

function printStatus(status: MigrationStatus): void {
  for (const a of status.applied) out(`applied  ${a.runOn}  ${a.name}  ${describeState(a)}`);
  for (const p of status.pending) out(`pending  ${''.padEnd(19)}  ${p.name}${p.outOfOrder ? '  (older than an applied migration: up refuses it)' : ''}`);
  for (const problem of status.problems.filter((p) => p.code === 'INVALID_INDEX')) out(`warning: ${problem.message}`);
  out(`${status.applied.length} applied, ${status.pending.length} pending`);
}

function describeState(a: MigrationStatus['applied'][number]): string {
  switch (a.state) {
    case 'changed':
      return `changed (${a.changed.map((side) => `${side}.sql`).join(', ')} edited since it was applied: up, down and redo refuse to run)`;
    case 'missing':
      return 'missing (files gone)';
    case 'renamed':
      return `renamed (its files are now ${a.renamedTo})`;
    case 'untracked':
      return 'untracked (applied before checksums were kept; the next migrate records them)';
    default:
      return 'ok';
  }
}

function short(sha: string): string {
  return `${sha.slice(0, 12)}…`;
}

function out(line: string): void {
  // Line by line: a report may span lines on purpose (make history's JSON); anything else a terminal acts on is escaped.
  process.stdout.write(`${scrubSecrets(line, process.env.DATABASE_URL).split('\n').map(printable).join('\n')}\n`);
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/**
 * Print `error: <message>` (one line per problem) and return the exit code; never a stack trace, never a password.
 * A run that stopped part-way first prints, on stdout, what it committed and one `state:` line.
 */
function fail(error: unknown): number {
  const url = process.env.DATABASE_URL;
  const state = error instanceof MigrationError ? error.runState : undefined;
  if (state) {
    const verb = state.direction === 'up' ? 'applied' : 'rolled back';
    for (const step of state.committed) out(`${verb.padEnd(11)}  ${step.name}`);
    out(`state: ${state.summary}`);
  }
  if (error instanceof MigrationFilesError || error instanceof IntegrityError) {
    for (const problem of error.problems) process.stderr.write(`error: ${printable(scrubSecrets(problem.message, url))}\n`);
    return error.exitCode;
  }
  if (error instanceof MigrationError) {
    process.stderr.write(`error: ${printable(scrubSecrets(error.message, url))}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${printable(scrubSecrets(message, url).split('\n')[0] ?? '')}\n`);
  return 1;
}

exitQuietlyOnClosedPipe();

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
