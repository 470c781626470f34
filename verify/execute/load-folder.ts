// A folder of <version>_<slug>.up.sql/.down.sql files as ExecutableMigrations (for scripts and tests;
// the CLI builds them from its own parsed set).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classifyFiles, pairFiles } from '../../core/migrations/layout.js';
import type { ExecutableMigration } from './types.js';

const NO_TRANSACTION = /^\s*--\s*migrate:no-transaction\b/m;
const IRREVERSIBLE = /^\s*--\s*verify:irreversible\s+\S/m;

/** The header comments of a file: everything before the first line that is not blank or a `--` comment. */
function header(text: string): string {
  const lines = text.split('\n');
  const end = lines.findIndex((line) => line.trim() !== '' && !line.trim().startsWith('--'));
  return (end < 0 ? lines : lines.slice(0, end)).join('\n');
}

export function toExecutable(name: string, upPath: string, upText: string, downPath?: string, downText?: string): ExecutableMigration {
  return {
    name,
    upPath,
    upText,
    ...(downPath !== undefined && downText !== undefined ? { downPath, downText } : {}),
    noTransaction: NO_TRANSACTION.test(header(upText)) || (downText !== undefined && NO_TRANSACTION.test(header(downText))),
    irreversible: downText !== undefined && IRREVERSIBLE.test(downText),
  };
}

/** Read and pair a migration folder, in version order. Badly named files are skipped (the static rules report them). */
export function readMigrationFolder(directory: string): ExecutableMigration[] {
  const { files } = classifyFiles(readdirSync(directory).map((name) => join(directory, name)));
  return pairFiles(files).pairs.map((pair) =>
    toExecutable(pair.name, pair.upPath, readFileSync(pair.upPath, 'utf8'), pair.downPath, pair.downPath === undefined ? undefined : readFileSync(pair.downPath, 'utf8')),
  );
}
