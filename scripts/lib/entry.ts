// What every script's entry point does the same way: print a line with DATABASE_URL's password scrubbed, and run
// main() so that a closed pipe ends quietly, its number is the exit code, and an error is one scrubbed line on stderr
// (exit code 1, or a MigrationError's own). Lines carry file names: what a terminal would act on is escaped.
import { scrubSecrets } from '../../core/postgres/database-url.js';
import { exitQuietlyOnClosedPipe } from '../../core/closed-pipe.js';
import { MigrationError } from '../../runner/errors.js';
import { printable } from '../../core/printable.js';

export function out(line: string): void {
  // Line by line: a report may span lines on purpose (make history's JSON); anything else a terminal acts on is escaped.
  process.stdout.write(`${scrubSecrets(line, process.env.DATABASE_URL).split('\n').map(printable).join('\n')}\n`);
}

/** `describe` turns an error into the lines to print (default: its message's first line); each gets `error: `. */
export function runMain(main: (argv: readonly string[]) => Promise<number>, describe?: (error: unknown) => readonly string[] | undefined): void {
  exitQuietlyOnClosedPipe();
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const lines = describe?.(error) ?? [(error instanceof Error ? error.message : String(error)).split('\n')[0] ?? ''];
      for (const line of lines) process.stderr.write(`error: ${printable(scrubSecrets(line, process.env.DATABASE_URL))}\n`);
      process.exitCode = error instanceof MigrationError ? error.exitCode : 1;
    },
  );
}
