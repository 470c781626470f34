#!/usr/bin/env node
// The command's entry: print the stored report when nothing the last identical run read has changed (report-store.ts),
// else load the whole CLI. Kept to node builtins and one small module, so a warm run costs little more than node itself.
import { storedReport } from './report-store.js';
import { exitQuietlyOnClosedPipe } from '../core/closed-pipe.js';

// `verify-migrations | head` closes the pipe early: end quietly, never with EPIPE's stack trace.
exitQuietlyOnClosedPipe();

const stored = storedReport(process.argv.slice(2));
if (stored) {
  process.stdout.write(stored.stdout);
  process.exitCode = stored.code;
} else {
  // Almost every run that gets here parses: start compiling the parser's WebAssembly now, on V8's background threads,
  // while the CLI's modules load (a run the result cache answers in full only pays for the import).
  const informational = process.argv.slice(2).some((arg) => arg === '--help' || arg === '-h' || arg === '--version');
  if (!informational) (await import('../core/migrations/parser-warmup.js')).warmUpParser();
  await import('./cli.js');
}
