// A baseline: the SQL of what existed before a folder's first migration (a schema dump, the roles and schemas a
// platform makes outside its migrations). `baseline` in verify-migrations.json names it per folder; the schema model
// replays it before the first migration and the executed proof runs it on the scratch database first.
import { FileTooLargeError, megabytes, NotRegularFileError, readRegularFile } from '../regular-file.js';
import { MAX_MIGRATION_BYTES } from './folder.js';
import type { SourceFile } from './layout.js';
import { fileContent } from './file-content.js';
import { loadParser, sourceFile } from './migration.js';

/** The migration name a baseline's objects are recorded under. */
export const BASELINE = '(baseline)';

/** Read and parse a baseline file; throws with one line naming the file when it cannot be read. */
export async function readBaseline(path: string, display: string = path): Promise<SourceFile> {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { maxBytes: MAX_MIGRATION_BYTES });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : error instanceof NotRegularFileError ? `it is ${error.kind}` : error instanceof FileTooLargeError ? `it is ${megabytes(error.bytes)}, more than the ${megabytes(error.maxBytes)} the parser can take` : (error as Error).message;
    throw new Error(`Cannot read the baseline ${display}: ${why}.`);
  }
  await loadParser();
  return sourceFile(display, fileContent(bytes));
}
