#!/usr/bin/env node
// The command's entry: print the stored report when nothing the last identical run read has changed (report-store.ts),
// else load the whole CLI. Kept to node builtins and one small module, so a warm run costs little more than node itself.
import { storedReport } from './report-store.js';

const stored = storedReport(process.argv.slice(2));
if (stored) {
  process.stdout.write(stored.stdout);
  process.exitCode = stored.code;
} else {
  await import('./cli.js');
}
