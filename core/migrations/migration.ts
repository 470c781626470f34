// A paired migration as every reader sees it: its files parsed into statements with byte spans, their directives,
// how the layout's runner runs each side, and whether it is marked irreversible.
import { readDirectives, type Directive } from './directives.js';
import { type FileContent } from './file-content.js';
import type { MigrationFolder } from './folder.js';
import { dieselRunsInTransaction, splitSections, type Migration, type PairedFiles, type SourceFile, type TransactionMode } from './layout.js';
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
    const sections = upContent.encodingError ? undefined : splitSections(upContent.text);
    // A single file without section markers is an up-only migration.
    up = sourceFile(display(pair.upPath), upContent, sections?.up);
    down = sections?.down === undefined ? undefined : sourceFile(display(pair.upPath), upContent, sections.down);
  }
  const metadata = pair.metadataPath ? folder.content(pair.metadataPath)?.text : undefined;
  const transaction = transactionOf(pair, metadata, up, down);
  const noTransaction = transaction.up === 'none' || transaction.down === 'none';
  const irreversible = irreversibleDirective(down);
  return {
    version: pair.version,
    name: pair.name,
    up,
    down,
    layout: pair.layout,
    transaction,
    noTransaction,
    downLabel: downLabelOf(pair),
    ...(irreversible ? { irreversible: irreversible.reason } : {}),
  };
}

/**
 * `-- verify:irreversible <reason>` in the down (its file, or its section): the migration cannot be rolled back. One
 * meaning everywhere: the runner refuses to roll it back, the executed proof applies its up only, and the static
 * check does not ask its down to restore the schema.
 */
export function irreversibleDirective(down: SourceFile | undefined): Directive | undefined {
  return down?.directives.find((d) => d.kind === 'irreversible');
}

/** How the layout's runner runs each side (see TransactionMode for the facts behind each). */
function transactionOf(pair: PairedFiles, metadata: string | undefined, up: SourceFile, down: SourceFile | undefined): Migration['transaction'] {
  const both = (mode: TransactionMode) => ({ up: mode, down: mode });
  switch (pair.layout) {
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

function downLabelOf(pair: PairedFiles): string {
  switch (pair.layout) {
    case 'diesel':
      return `${pair.name}/down.sql`;
    case 'dbmate':
      return 'a -- migrate:down section';
    case 'node-pg-migrate':
      return 'a -- Down Migration section';
    default:
      return `${pair.name}.down.sql`;
  }
}

/** The text of a statement as it is sent: the bytes from its first token to just before its semicolon. */
export function statementText(file: SourceFile, statement: { readonly start: number; readonly end: number }): string {
  return file.lines.textBetween(statement.start, statement.end);
}
