// `make draft-down NAME=<version>_<slug>`: writes the migration's down file from its up (verify/draft-down.ts), in
// MIGRATIONS_DIR; refuses a down that holds more than the template. --print prints the draft instead.
// Exit codes: 0 written (or printed), 2 usage error, unknown migration, or a down that is already written.
import { parseArgs } from 'node:util';
import { DraftDownError, runDraftDown } from '../verify/draft-down.js';

async function main(argv: readonly string[]): Promise<number> {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { dir: { type: 'string' }, print: { type: 'boolean' } } });
    const [name, ...extra] = positionals;
    if (!name || extra.length > 0) throw new DraftDownError('usage: make draft-down NAME=<version>_<slug> (or: node dist/scripts/draft-down.js <version>_<slug> [--dir sql] [--print])');
    const { draft, written } = await runDraftDown(values.dir ?? 'sql', name, !values.print);
    if (written) {
      process.stdout.write(`${written}\n`);
      if (draft.irreversible.length) process.stderr.write(`${written}: ${draft.irreversible.length} verify:irreversible line(s) to complete: ${draft.irreversible[0]}\n`);
    } else process.stdout.write(draft.text);
    return 0;
  } catch (error) {
    if (!(error instanceof DraftDownError || (error instanceof Error && 'code' in error && String((error as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')))) throw error;
    process.stderr.write(`error: ${error.message.split('\n')[0]}\n`);
    return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
