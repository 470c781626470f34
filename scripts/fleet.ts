// `make deploy TARGETS=<file> [PARALLEL=N]`: deploy the chain to every database the file lists (runner/fleet.ts): the
// first line is the canary and runs alone, then the rest N at a time; after a failure no new target starts. Each
// target is a `make deploy` of its own (dist/scripts/deploy.js), its output prefixed with the target; a summary
// table ends the run. docs/deploy.md#fleets is the runbook.
// Exit codes: 0 every target deployed, 1 a target failed or was not started, 2 usage error, bad targets file or bad
// migration files (then nothing ran anywhere).
import { existsSync } from 'node:fs';
import { NotRegularFileError, readRegularFile } from '../core/regular-file.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';
import { scrubSecrets } from '../core/postgres/database-url.js';
import { MigrationError, MigrationFilesError } from '../runner/errors.js';
import { fleetCounts, formatSummary, parseTargets, runFleet, type FleetEvent, type FleetTarget } from '../runner/fleet.js';
import { checkMigrations } from '../runner/runner.js';

const USAGE = `usage: fleet --targets FILE [--parallel N] [deploy options...]

  --targets FILE     one postgres:// URL or environment variable name per line (# comments, blank lines);
                     the first one is the canary: it is deployed alone, first
  --parallel N       targets deployed at once after the canary (default: PARALLEL, else 1)
  deploy options     passed to each target's deploy (dist/scripts/deploy.js --help); --backup-dir DIR becomes
                     DIR/<host>_<port>_<database> per target

Exit codes: 0 every target deployed, 1 a target failed or was not started, 2 usage error or a bad targets file.`;

interface Arguments {
  readonly targets: string;
  readonly parallel: number;
  readonly dir: string;
  readonly backupDir: string;
  /** The deploy options, without --backup-dir (set per target). */
  readonly deployArgs: readonly string[];
}

function usage(message: string): never {
  throw new MigrationError('USAGE', `${message}; run "fleet --help"`);
}

/** Our own options; every other one is a deploy option, passed on as given. */
function parse(argv: readonly string[]): Arguments | 'help' {
  let targets: string | undefined;
  let parallel = process.env.PARALLEL?.trim() || '1';
  let dir = 'sql';
  let backupDir = process.env.BACKUP_DIR || 'backups';
  const deployArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[++i];
      if (next === undefined) usage(`${flag} needs a value`);
      return next;
    };
    if (flag === '--help' || flag === '-h') return 'help';
    else if (flag === '--targets') targets = value();
    else if (flag === '--parallel') parallel = value();
    else if (flag === '--backup-dir') backupDir = value();
    else if (flag === '--dir') {
      dir = value();
      deployArgs.push('--dir', dir);
    } else deployArgs.push(arg);
  }
  if (!targets) usage('--targets FILE is required (make deploy TARGETS=<file>)');
  if (!/^[1-9]\d{0,3}$/.test(parallel.trim())) usage(`PARALLEL must be a whole number from 1, not "${parallel}"`);
  return { targets, parallel: Number(parallel), dir, backupDir, deployArgs };
}

async function main(argv: readonly string[]): Promise<number> {
  const args = parse(argv);
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let text: string;
  try {
    text = readRegularFile(args.targets).toString('utf8');
  } catch (error) {
    const why = error instanceof NotRegularFileError ? `it is ${error.kind}` : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
    throw new MigrationError('USAGE', `cannot read the targets file ${args.targets}: ${why}`);
  }
  // Everything that can be refused is refused before any target is touched: the file, then the migrations.
  const { targets, problems } = parseTargets(text, args.targets);
  secrets = [...targets.map((t) => t.url), ...(process.env.DATABASE_URL ? [process.env.DATABASE_URL] : [])];
  if (problems.length > 0) {
    for (const problem of problems) err(`error: ${problem}`);
    err(`error: nothing was deployed: fix ${args.targets} (docs/deploy.md#fleets)`);
    return 2;
  }
  await checkMigrations(args.dir);
  const deployJs = join(dirname(fileURLToPath(import.meta.url)), 'deploy.js');
  if (!existsSync(deployJs)) throw new MigrationError('USAGE', `${deployJs} is missing: run make build`);

  const width = Math.max(...targets.map((t) => t.name.length));
  const prefix = (target: FleetTarget): string => `[${target.name.padEnd(width)}]`;
  out(`fleet: ${targets.length} target${targets.length === 1 ? '' : 's'} from ${args.targets}: ${targets[0]!.name} first (canary), then ${args.parallel} at a time`);
  const fleet = runFleet({
    targets,
    parallel: args.parallel,
    command: (target, resultFile) => ({
      file: process.execPath,
      args: [deployJs, ...args.deployArgs, '--backup-dir', join(args.backupDir, target.folder), '--result-file', resultFile],
    }),
    report: (event: FleetEvent) => {
      switch (event.kind) {
        case 'start':
          out(`${prefix(event.target)} -- started${event.canary ? ' (canary)' : ''}, ${event.running} running${event.target.variable ? `; from ${event.target.variable}` : ''}`);
          break;
        case 'line':
          (event.stream === 'stdout' ? out : err)(`${prefix(event.target)} ${event.text}`);
          break;
        case 'end':
          out(`${prefix(event.outcome.target)} -- ${event.outcome.state === 'done' ? 'done' : 'FAILED'} in ${((event.outcome.milliseconds ?? 0) / 1000).toFixed(1)} s`);
          break;
        case 'halt':
          // A signal was already announced by onSignal below.
          if (event.cause === 'failure') err(`fleet: ${event.reason}: no new target is started${event.running ? `; waiting for the ${event.running} running to finish` : ''}`);
          break;
      }
    },
  });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) err(`fleet: ${signal}: no new target is started; the running deploys cancel their statement and stop`);
    else if (signals === 2) err(`fleet: ${signal} again: the running deploys exit without waiting for the cancel`);
    else process.exit(1);
    fleet.interrupt(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const result = await fleet.done;

  out('');
  out(`fleet summary (${targets.length} targets, PARALLEL=${result.parallel}, ${(result.milliseconds / 1000).toFixed(1)} s):`);
  for (const line of formatSummary(result)) out(`  ${line}`);
  const failed = result.outcomes.some((o) => o.state !== 'done');
  if (!failed) {
    out(`fleet done: ${fleetCounts(result)}`);
    return 0;
  }
  err(`fleet FAILED: ${fleetCounts(result)}${result.halted ? ` (stopped: ${result.halted})` : ''}`);
  err(`next: read the failed target's own lines above (its state and rollback command), fix it, then run the same make deploy TARGETS=${args.targets} again: targets already done have nothing pending (docs/deploy.md#fleets)`);
  return 1;
}

/** Every target's password is scrubbed from what this process prints, whoever wrote the line. */
let secrets: readonly string[] = [];

function scrub(line: string): string {
  return secrets.reduce((text, url) => scrubSecrets(text, url), line);
}

function out(line: string): void {
  process.stdout.write(`${scrub(line)}\n`);
}

function err(line: string): void {
  process.stderr.write(`${scrub(line)}\n`);
}

exitQuietlyOnClosedPipe();
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof MigrationFilesError) {
      for (const problem of error.problems) err(`error: ${problem.message}`);
      err('error: nothing was deployed: fix the migration files first');
    } else {
      err(`error: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`);
    }
    process.exitCode = error instanceof MigrationError ? error.exitCode : 1;
  },
);
