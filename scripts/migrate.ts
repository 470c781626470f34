// The migration CLI: argv -> runner -> text -> exit code. The only place that prints.
// Exit codes: 0 ok, 1 migration or database failure, 2 usage error or bad migration files.
import { parseArgs } from 'node:util';
import { describeTarget, resolveDatabase, scrubSecrets, type DatabaseTarget } from './lib/database-url.js';
import { MigrationError, MigrationFilesError } from './lib/runner-errors.js';
import {
  checkMigrations,
  migrateDown,
  migrateUp,
  migrationStatus,
  redoLast,
  type MigrationStatus,
  type RunResult,
} from './lib/runner.js';

const USAGE = `usage: migrate <command> [--dir DIR]

commands:
  up              apply every pending migration, each in its own transaction
  down [N|all]    roll back the last N applied migrations (default 1), or all of them
  redo            roll back the last applied migration and apply it again
  status          list the applied migrations (with run_on), then the pending ones
  check           check the migration files only; no database needed

options:
  --dir DIR       the migration folder (default: sql)

The database is DATABASE_URL when set, else the embedded server in .pgdata/ (port 54329).
Exit codes: 0 ok, 1 migration or database failure, 2 usage error or bad migration files.`;

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseCommandLine>;
  try {
    parsed = parseCommandLine(argv);
  } catch (error) {
    return fail(new MigrationError('USAGE', `${(error as Error).message}; run "migrate --help"`));
  }
  if (parsed.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { command, dir, count } = parsed;

  // The files are checked before any server is started or contacted.
  const pairs = await checkMigrations(dir);
  if (command === 'check') {
    out(`${pairs.length} migration${plural(pairs.length)} in ${dir}: names, pairs and directives are fine`);
    return 0;
  }

  const target = resolveTarget();
  out(`database: ${describeTarget(target.url)}${target.source === 'embedded' ? ' (embedded)' : ' (DATABASE_URL)'}`);
  const options = { dir, databaseUrl: target.url };
  switch (command) {
    case 'up':
      printRun(await migrateUp(options), pairs.length);
      return 0;
    case 'down':
      printRun(await migrateDown({ ...options, count }), pairs.length);
      return 0;
    case 'redo': {
      const { down, up } = await redoLast(options);
      if (down.migrations.length === 0) {
        out('nothing to redo: no migration is applied');
        return 0;
      }
      printRun(down, pairs.length);
      printRun(up, pairs.length);
      return 0;
    }
    case 'status':
      printStatus(await migrationStatus(options));
      return 0;
  }
}

type Command = 'up' | 'down' | 'redo' | 'status' | 'check';

function parseCommandLine(argv: readonly string[]): { help: boolean; command: Command; dir: string; count: number | 'all' } {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { dir: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const dir = values.dir ?? 'sql';
  if (values.help) return { help: true, command: 'status', dir, count: 1 };
  const [command, argument, ...extra] = positionals;
  if (!command) throw new Error('no command given (up, down, redo, status or check)');
  if (!['up', 'down', 'redo', 'status', 'check'].includes(command)) throw new Error(`unknown command "${command}"`);
  if (extra.length > 0 || (argument !== undefined && command !== 'down')) {
    throw new Error(`unexpected argument "${command === 'down' ? extra[0] : argument}" for ${command}`);
  }
  let count: number | 'all' = 1;
  if (argument !== undefined) {
    if (argument === 'all') count = 'all';
    else if (/^[1-9]\d*$/.test(argument)) count = Number(argument);
    else throw new Error(`down takes a positive number of steps or "all", not "${argument}"`);
  }
  return { help: false, command: command as Command, dir, count };
}

function resolveTarget(): DatabaseTarget {
  try {
    return resolveDatabase();
  } catch (error) {
    throw new MigrationError('CONNECTION_FAILED', `cannot start the embedded PostgreSQL: ${(error as Error).message}`);
  }
}

function printRun(result: RunResult, total: number): void {
  const verb = result.direction === 'up' ? 'applied' : 'rolled back';
  if (result.migrations.length === 0) {
    out(result.direction === 'up' ? `nothing to apply: all ${total} migration${plural(total)} are applied` : 'nothing to roll back: no migration is applied');
    return;
  }
  for (const migration of result.migrations) out(`${verb.padEnd(11)}  ${migration.name}`);
  const n = result.migrations.length;
  out(`${n} migration${plural(n)} ${verb} in ${result.milliseconds} ms`);
}

function printStatus(status: MigrationStatus): void {
  for (const a of status.applied) out(`applied  ${a.runOn}  ${a.name}${a.hasFiles ? '' : '  (files missing)'}`);
  for (const p of status.pending) out(`pending  ${''.padEnd(19)}  ${p.name}${p.outOfOrder ? '  (older than an applied migration: up refuses it)' : ''}`);
  out(`${status.applied.length} applied, ${status.pending.length} pending`);
}

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function plural(n: number): string {
  return n === 1 ? '' : 's';
}

/** Print `error: <message>` (one line per bad file) and return the exit code; never a stack trace, never a password. */
function fail(error: unknown): number {
  const url = process.env.DATABASE_URL;
  if (error instanceof MigrationFilesError) {
    for (const problem of error.problems) process.stderr.write(`error: ${scrubSecrets(problem.message, url)}\n`);
    return error.exitCode;
  }
  if (error instanceof MigrationError) {
    process.stderr.write(`error: ${scrubSecrets(error.message, url)}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${scrubSecrets(message, url).split('\n')[0]}\n`);
  return 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.exitCode = fail(error);
  },
);
