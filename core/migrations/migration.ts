// A paired migration as every reader sees it: its files parsed into statements with byte spans, their directives,
// how the layout's runner runs each side, and whether it is marked irreversible.
import { readDirectives, type Directive } from './directives.js';
import { type FileContent } from './file-content.js';
import type { MigrationFolder } from './folder.js';
import { dieselRunsInTransaction, flywayRunsInTransaction, LAYOUTS, sourcegraphRunsInTransaction, type Migration, type PairedFiles, type SourceFile, type TransactionMode } from './layout.js';
import { changesetSections, splitSections, type Sections } from './sections.js';
import { loadParser, parseSql } from './parse.js';
import { LineIndex } from './source-position.js';

export { loadParser };

/**
 * Parse a file's content into a SourceFile (call and await loadParser() first). `section` is the text of one section
 * of a single-file migration (the rest blanked byte for byte), whose positions are those of the whole file.
 */
export function sourceFile(path: string, content: FileContent, section?: string): SourceFile {
  const text = section ?? content.text;
  // A BOM is not whitespace to PostgreSQL: blank it (one byte for three keeps no offsets, so keep its width).
  const clean = text.charCodeAt(0) === 0xfeff ? ` ${text.slice(1)}` : text;
  const bytes = Buffer.from(clean, 'utf8');
  const lines = section === undefined && !content.encodingError ? new LineIndex(clean, bytes) : new LineIndex(content.text, content.bytes);
  if (content.encodingError) {
    // Nothing of a file whose bytes cannot be sent as they are is parsed or run.
    return { path, text: clean, lines, parsed: { statements: [], comments: [], error: content.encodingError }, directives: [] };
  }
  const parsed = parseSql(clean, bytes);
  return { path, text: clean, lines, parsed, directives: readDirectives(parsed.comments, parsed.statements, bytes) };
}

/**
 * The Migration of a pair of the folder; undefined when its up cannot be read (the folder's problems say why).
 * `display` turns a path inside the folder into the path shown in messages.
 */
export function toMigration(folder: MigrationFolder, pair: PairedFiles, display: (path: string) => string = (path) => path): Migration | undefined {
  const upContent = folder.content(pair.upPath);
  if (!upContent) return undefined;
  let up: SourceFile;
  let down: SourceFile | undefined;
  if (!pair.singleFile) {
    up = sourceFile(display(pair.upPath), upContent);
    const downContent = pair.downPath ? folder.content(pair.downPath) : undefined;
    down = downContent && pair.downPath ? sourceFile(display(pair.downPath), downContent) : undefined;
  } else {
    let sections: Sections | undefined;
    let changesetLine = '';
    if (upContent.encodingError || pair.repeatable) sections = undefined;
    else if (pair.changeset !== undefined) ({ changesetLine, ...sections } = changesetSections(upContent.text, pair.changeset));
    else sections = splitSections(upContent.text, pair.layout);
    // A single file without section markers is an up-only migration (and a Flyway repeatable one is all up).
    up = sourceFile(display(pair.upPath), upContent, sections?.up);
    down = sections?.down === undefined ? undefined : sourceFile(display(pair.upPath), upContent, sections.down);
    if (changesetLine) return finish(pair, up, down, /\brunInTransaction:false\b/i.test(changesetLine) ? 'none' : 'per-migration');
  }
  const metadata = pair.metadataPath ? folder.content(pair.metadataPath)?.text : undefined;
  return finish(pair, up, down, undefined, metadata, upContent.text);
}

function finish(pair: PairedFiles, up: SourceFile, down: SourceFile | undefined, mode?: TransactionMode, metadata?: string, text = ''): Migration {
  const transaction = mode ? { up: mode, down: mode } : transactionOf(pair, metadata, up, down, text);
  const noTransaction = transaction.up === 'none' || transaction.down === 'none';
  const irreversible = pair.repeatable ? { reason: 'a Flyway repeatable migration is applied again whenever it changes and never rolled back' } : irreversibleDirective(up, down);
  return {
    version: pair.version,
    name: pair.name,
    up,
    down,
    layout: pair.layout,
    transaction,
    noTransaction,
    downLabel: LAYOUTS[pair.layout].downLabel(pair.name),
    ...(irreversible ? { irreversible: irreversible.reason } : {}),
  };
}

/**
 * `-- verify:irreversible <reason>` in the down (its file, or its section), or in the up: the migration cannot be
 * rolled back. One meaning everywhere: the runner refuses to roll it back, the executed proof applies its up only, and
 * the static check does not ask its down to restore the schema.
 */
export function irreversibleDirective(up: SourceFile, down: SourceFile | undefined): Directive | undefined {
  return down?.directives.find((d) => d.kind === 'irreversible') ?? up.directives.find((d) => d.kind === 'irreversible');
}

/** How the layout's runner runs each side (see TransactionMode for the facts behind each). */
function transactionOf(pair: PairedFiles, metadata: string | undefined, up: SourceFile, down: SourceFile | undefined, text: string): Migration['transaction'] {
  const both = (mode: TransactionMode) => ({ up: mode, down: mode });
  switch (pair.layout) {
    case 'popx':
      // popx runs a file named .autocommit. outside a transaction, as one query.
      return { up: pair.autocommit?.up ? 'implicit-per-file' : 'per-migration', down: pair.autocommit?.down ? 'implicit-per-file' : 'per-migration' };
    case 'sourcegraph':
      return both(metadata !== undefined && !sourcegraphRunsInTransaction(metadata) ? 'implicit-per-file' : 'per-migration');
    case 'flyway':
      return both(metadata !== undefined && !flywayRunsInTransaction(metadata) ? 'none' : 'per-migration');
    case 'sqitch':
      // Sqitch hands each script to psql: statement by statement, in whatever BEGIN/COMMIT the script writes.
      return both('none');
    case 'goose':
      // goose runs each statement of a file with -- +goose NO TRANSACTION on its own, else all in one transaction.
      return both(/^[ \t]*--[ \t]*\+goose[ \t]+NO[ \t]+TRANSACTION\b/im.test(text) ? 'none' : 'per-migration');
    case 'sql-migrate': {
      const off = (side: 'Up' | 'Down'): TransactionMode => (new RegExp(`^[ \\t]*--[ \\t]*\\+migrate[ \\t]+${side}\\b.*\\bnotransaction\\b`, 'im').test(text) ? 'none' : 'per-migration');
      return { up: off('Up'), down: off('Down') };
    }
    case 'golang-migrate':
      // Its postgres driver opens no transaction and sends the whole file as one query (Run → runStatement).
      return both('implicit-per-file');
    case 'diesel':
      return both(metadata !== undefined && !dieselRunsInTransaction(metadata) ? 'implicit-per-file' : 'per-migration');
    case 'dbmate': {
      // Each section has its own options: `-- migrate:up transaction:false` runs the up section as one query.
      const mode = (file: SourceFile | undefined, side: 'up' | 'down'): TransactionMode =>
        file?.directives.some((d) => d.kind === 'no-transaction' && d.marker === side) ? 'implicit-per-file' : 'per-migration';
      return { up: mode(up, 'up'), down: mode(down, 'down') };
    }
    default: {
      // Ours and node-pg-migrate: `-- migrate:no-transaction` in either file runs both directions statement by statement.
      const off = [up, down].some((f) => f?.directives.some((d) => d.kind === 'no-transaction' && d.marker === undefined));
      return both(off ? 'none' : 'per-migration');
    }
  }
}

/** The text of a statement as it is sent: the bytes from its first token to just before its semicolon. */
export function statementText(file: SourceFile, statement: { readonly start: number; readonly end: number }): string {
  return file.lines.textBetween(statement.start, statement.end);
}
