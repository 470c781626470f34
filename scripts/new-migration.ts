// `make new NAME=add_products_barcode`: creates sql/<UTC YYYYMMDDHHMMSS>_<name>.up.sql and .down.sql and prints their paths.
// Exit codes: 0 created, 2 bad name or a clash with an existing migration.
import { parseArgs } from 'node:util';
import { createMigration, displayPath } from '../runner/migration-files.js';
import { MigrationError } from '../runner/errors.js';

function main(argv: readonly string[]): number {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { dir: { type: 'string' } } });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) {
      throw new MigrationError('USAGE', 'usage: make new NAME=<lower_snake_case_name> (or: node dist/scripts/new-migration.js <name> [--dir sql])');
    }
    const created = createMigration(values.dir ?? 'sql', name);
    process.stdout.write(`${displayPath(created.upFile)}\n${displayPath(created.downFile)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`error: ${message}\n`);
    return error instanceof MigrationError ? error.exitCode : 2;
  }
}

process.exitCode = main(process.argv.slice(2));
