// The agreement harness: over one or more migration histories (any layout the verifier reads), the static rule
// down-reverses-up against an independent judge on PostgreSQL 15 (pg_dump before the up and after the down). Prints,
// per migration, TP/FP/FN/TN, then precision and recall of the static claims; --markdown adds the table rows of
// docs/reversibility.md. Code in bench/agreement/.
// Usage: node dist/bench/agreement.js [--limit N] [--setup FILE] [--verbose] [--json FILE] [--markdown] [--executed] DIR...
// --draft-downs replaces every down by the one make draft-down drafts and counts how many restore the schema.
// --executed also measures the executed proof (verify/execute, on VERIFY_DATABASE_URL's server or the embedded one).
import { writeFileSync } from 'node:fs';
import { statSync } from 'node:fs';
import { NoSuchFolderError } from '../core/migrations/folder.js';
import { startJudgeServer, JudgeServerError } from './agreement/pg15.js';
import { formatHistory, tableRow, TABLE_HEADER, type HistoryResult } from './agreement/report.js';
import { runHistory } from './agreement/run.js';
import { DRAFT_TABLE_HEADER, draftTableRow, formatDraftResult, runDraftDowns, type DraftResult } from './agreement/draft-downs.js';

const USAGE = 'usage: node dist/bench/agreement.js [--limit N] [--setup FILE] [--verbose] [--json FILE] [--markdown] [--executed] [--draft-downs] DIR...';

interface Arguments {
  readonly directories: string[];
  limit?: number;
  setup?: string;
  json?: string;
  verbose: boolean;
  markdown: boolean;
  executed: boolean;
  draftDowns: boolean;
}

class UsageError extends Error {}

function parseArguments(argv: readonly string[]): Arguments {
  const args: Arguments = { directories: [], verbose: false, markdown: false, executed: false, draftDowns: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string => {
      const next = argv[++i];
      if (next === undefined) throw new UsageError(`${arg} needs a value`);
      return next;
    };
    if (arg === '--limit') {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 1) throw new UsageError('--limit takes a positive whole number');
      args.limit = n;
    } else if (arg === '--setup') args.setup = value();
    else if (arg === '--json') args.json = value();
    else if (arg === '--verbose') args.verbose = true;
    else if (arg === '--markdown') args.markdown = true;
    else if (arg === '--executed') args.executed = true;
    else if (arg === '--draft-downs') args.draftDowns = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else args.directories.push(arg);
  }
  if (args.directories.length === 0) throw new UsageError('name at least one migration folder');
  if (args.setup && args.directories.length > 1) throw new UsageError('--setup applies to one folder; for several, put <folder>.setup.sql beside each');
  for (const directory of args.directories) {
    let isDirectory = false;
    try {
      isDirectory = statSync(directory).isDirectory();
    } catch {
      // reported below
    }
    if (!isDirectory) throw new UsageError(`${directory}: no such migrations folder`);
  }
  return args;
}

async function main(): Promise<number> {
  let args: Arguments;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n${USAGE}`);
    return 2;
  }
  const server = await startJudgeServer();
  if (args.draftDowns) return draftDownsMain(args, server);
  const results: HistoryResult[] = [];
  try {
    for (const [index, directory] of args.directories.entries()) {
      const result = await runHistory(directory, {
        server,
        database: `agreement_${index}`,
        ...(args.limit ? { limit: args.limit } : {}),
        ...(args.setup ? { setupFile: args.setup } : {}),
        executed: args.executed,
        onMigration: (_judged, i, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${directory}: ${i + 1}/${total}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      results.push(result);
      console.log(formatHistory(result, args.verbose));
      console.log('');
    }
  } finally {
    server.stop();
  }
  if (args.markdown || results.length > 1) console.log([...TABLE_HEADER, ...results.map(tableRow)].join('\n'));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

async function draftDownsMain(args: Arguments, server: Awaited<ReturnType<typeof startJudgeServer>>): Promise<number> {
  const results: DraftResult[] = [];
  try {
    for (const [index, directory] of args.directories.entries()) {
      const result = await runDraftDowns(directory, {
        server,
        database: `agreement_draft_${index}`,
        executed: args.executed,
        ...(args.limit ? { limit: args.limit } : {}),
        ...(args.setup ? { setupFile: args.setup } : {}),
        onMigration: (i, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\r${directory}: ${i + 1}/${total}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      results.push(result);
      console.log(formatDraftResult(result, args.verbose));
      console.log('');
    }
  } finally {
    server.stop();
  }
  if (args.markdown || results.length > 1) console.log([...DRAFT_TABLE_HEADER, ...results.map(draftTableRow)].join('\n'));
  if (args.json) writeFileSync(args.json, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof JudgeServerError || error instanceof NoSuchFolderError) {
      console.error(`error: ${error.message}`);
      process.exit(2);
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`error: ${message.split('\n')[0]}`);
    process.exit(1);
  },
);
