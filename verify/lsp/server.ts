// The language server: `verify-migrations lsp [--stdio]`, on vscode-languageserver. The history an opened file belongs
// to is the folder that holds it; each folder is held in memory (verify/lsp/history.ts). On open and on every change
// the edited migration is checked against the schema before it (unsaved text included) and its diagnostics published
// with the rule, the range and the rule's doc; on save the later migrations that name what it changes are re-checked.
// Hover: the statement's locks; code actions: `-- verify:ignore <rule> <reason>` above the statement, --fix's safe
// rewrite of the finding, and "Draft the down" on a migration whose down is missing or still the template.
import { existsSync } from 'node:fs';
import { readRegularFile } from '../../core/regular-file.js';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  DidChangeWatchedFilesNotification,
  DiagnosticSeverity,
  ProposedFeatures,
  StreamMessageReader,
  StreamMessageWriter,
  TextDocumentSyncKind,
  TextDocuments,
  createConnection,
  type ClientCapabilities,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type Range,
  type TextEdit,
  type SnippetTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { SourceFile } from '../../core/migrations/layout.js';
import { LineIndex } from '../../core/migrations/source-position.js';
import { loadParser } from '../../core/migrations/parse.js';
import { BUILTIN_RULES } from '../builtin-rules.js';
import { UsageError } from '../engine.js';
import { CONFIG_FILE, readConfigFile, type Settings } from '../config.js';
import { rules as registry } from '../rules/index.js';
import type { Rule, Violation } from '../rule.js';
import { History, type HistorySettings } from './history.js';
import { hoverMarkdown } from './locks.js';
import { planFixes, type FixPlan } from '../fix/index.js';
import { downPathOf, draftDown, isTemplateDown } from '../draft-down.js';

export const SOURCE = 'verify-migrations';

export interface ServerOptions {
  readonly input?: NodeJS.ReadableStream;
  readonly output?: NodeJS.WritableStream;
  readonly rules?: readonly Rule[];
}

/** Start the server on stdio (editors' clients pass --stdio; it is the only transport, so it is accepted and implied). */
export function startLanguageServer(argv: readonly string[], options: ServerOptions = {}): Connection {
  const unknown = argv.find((arg) => arg !== '--stdio');
  if (unknown) throw new UsageError(`lsp: unknown option ${unknown} (the server speaks LSP over stdio; --stdio is accepted).`);
  const connection = createConnection(ProposedFeatures.all, new StreamMessageReader(options.input ?? process.stdin), new StreamMessageWriter(options.output ?? process.stdout));
  new LanguageServer(connection, options.rules ?? registry).listen();
  return connection;
}

class LanguageServer {
  private readonly documents = new TextDocuments(TextDocument);
  /** Open documents' text by absolute path: what the histories read instead of the disk. */
  private readonly overlay = new Map<string, string>();
  private readonly histories = new Map<string, History>();
  /** Documents changed since their last check, checked on the next turn of the event loop (the newest text only). */
  private readonly pending = new Set<string>();
  private flushing: Promise<void> | undefined;
  /** Names each migration's files mentioned at the last save or open, by up path: what later files may depend on. */
  private readonly savedNames = new Map<string, Set<string>>();
  private config!: HistorySettings;
  /** Folders whose history starts from an empty database (verify-migrations.json's startsEmpty), absolute. */
  private startsEmpty: readonly string[] = [];
  private capabilities: ClientCapabilities = {};
  private readonly lockRules: readonly Rule[];
  private readonly docs: string | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly rules: readonly Rule[],
  ) {
    this.lockRules = rules.filter((r) => r.meta.lock !== undefined);
    this.docs = ruleDocsFolder();
  }

  listen(): void {
    const { connection, documents } = this;
    connection.onInitialize(async (params) => {
      // The parser is loaded once and kept: every check after this one only parses.
      await loadParser();
      this.capabilities = params.capabilities;
      const root = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
      this.config = this.readSettings(root ? fileURLToPath(root) : process.cwd());
      return {
        capabilities: {
          textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
          hoverProvider: true,
          codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        },
        serverInfo: { name: SOURCE },
      };
    });
    documents.onDidOpen(({ document }) => {
      const path = pathOf(document.uri);
      if (!path) return;
      this.overlay.set(path, document.getText());
      try {
        const history = this.historyFor(path);
        history.sync();
        const index = history.indexOf(path);
        if (index !== -1) this.savedNames.set(history.filesOf(index)[0]!, history.namesOf(index));
      } catch (error) {
        this.fail(error);
      }
    });
    documents.onDidChangeContent(({ document }) => {
      const path = pathOf(document.uri);
      if (!path) return;
      this.overlay.set(path, document.getText());
      this.schedule(path);
    });
    documents.onDidSave(({ document }) => {
      const path = pathOf(document.uri);
      if (path) void this.saved(path).catch((error: unknown) => this.fail(error));
    });
    documents.onDidClose(({ document }) => {
      const path = pathOf(document.uri);
      if (!path) return;
      this.overlay.delete(path);
      this.pending.delete(path);
      this.histories.get(folderOf(path))?.edited(path);
    });
    connection.onInitialized(() => {
      // Files changed outside the editor (git checkout, make new): read the folder again when the client can tell.
      if (this.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration) {
        void connection.client.register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/*.{sql,toml,sum}' }] });
      }
    });
    connection.onDidChangeWatchedFiles(({ changes }) => {
      const folders = new Set(changes.filter((c) => c.uri.startsWith('file:')).flatMap((c) => [dirname(fileURLToPath(c.uri)), folderOf(fileURLToPath(c.uri))]));
      for (const folder of folders) {
        const history = this.histories.get(folder);
        if (!history) continue;
        history.sync();
        for (const document of documents.all()) {
          const path = pathOf(document.uri);
          if (path && folderOf(path) === folder) this.schedule(path);
        }
      }
    });
    connection.onHover(async ({ textDocument, position }) => {
      await this.flush();
      const document = documents.get(textDocument.uri);
      const path = pathOf(textDocument.uri);
      if (!document || !path) return null;
      const history = this.historyFor(path);
      const index = history.indexOf(path);
      if (index === -1) return null;
      const offset = Buffer.byteLength(document.getText().slice(0, document.offsetAt(position)));
      const found = await history.inspect(index, this.lockRules);
      if (!found) return null;
      const at = statementAt(found.migration, path, offset);
      if (!at) return null;
      const { file, statement } = at;
      const start = file.lines.position(statement.start);
      const end = file.lines.position(statement.end);
      const inside = found.violations.filter((v) => v.file === path && afterOrAt(v.line, v.column, start.line, start.column) && afterOrAt(end.line, end.column, v.line, v.column));
      const range = { start: this.toPosition(path, start.line, start.column), end: this.toPosition(path, end.line, end.column) };
      return { contents: { kind: 'markdown', value: hoverMarkdown(statement, inside, this.rules, (rule) => this.docLink(rule), (name) => history.indexTable(name)) }, range };
    });
    connection.onCodeAction(async ({ textDocument, context }) => {
      await this.flush();
      const document = documents.get(textDocument.uri);
      const path = pathOf(textDocument.uri);
      if (!document || !path) return [];
      const history = this.historyFor(path);
      const index = history.indexOf(path);
      const migration = index === -1 ? undefined : history.migration(index);
      if (!migration) return [];
      const ruleNames = new Set(this.rules.map((r) => r.meta.name));
      const actions: CodeAction[] = [];
      for (const diagnostic of context.diagnostics) {
        const rule = typeof diagnostic.code === 'string' ? diagnostic.code : undefined;
        if (diagnostic.source !== SOURCE || !rule || !ruleNames.has(rule)) continue;
        const offset = Buffer.byteLength(document.getText().slice(0, document.offsetAt(diagnostic.range.start)));
        const at = statementAt(migration, path, offset);
        if (!at) continue;
        const edit = this.ignoreEdit(document, at.file, at.statement.start, rule);
        actions.push({
          title: `Add -- verify:ignore ${rule} <reason> above the statement`,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          edit: { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits: [edit] }] },
        });
      }
      actions.push(...(await this.fixActions(history, index, path, context.diagnostics)));
      const draft = this.draftAction(history, index, path);
      if (draft) actions.push(draft);
      return actions;
    });
    documents.listen(connection);
    connection.listen();
  }

  /** --fix's rewrite of each diagnostic that has one, as a quick fix on it (the edits and the new files). */
  private async fixActions(history: History, index: number, path: string, diagnostics: readonly Diagnostic[]): Promise<CodeAction[]> {
    const ours = diagnostics.filter((d) => d.source === SOURCE && typeof d.code === 'string');
    if (ours.length === 0) return [];
    const violations = await history.check(index);
    const migrations = history.migrations();
    const actions: CodeAction[] = [];
    for (const diagnostic of ours) {
      const violation = violations.find((v) => v.rule === diagnostic.code && v.file === path && sameRange(this.toDiagnostic(path, v).range, diagnostic.range));
      if (!violation) continue;
      const plan = planFixes(migrations, [violation]);
      if (plan.fixed.length === 0) continue;
      actions.push({ title: `Fix: ${violation.help ?? `rewrite for ${violation.rule}`}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], isPreferred: true, edit: this.planEdit(history, plan) });
    }
    return actions;
  }

  /** A fix plan (byte edits per file, new files) as a WorkspaceEdit. */
  private planEdit(history: History, plan: FixPlan): WorkspaceEdit {
    const changes: NonNullable<WorkspaceEdit['documentChanges']> = [];
    for (const path of [...new Set(plan.edits.map((e) => e.path))]) {
      const uri = pathToFileURL(path).href;
      const lines = new LineIndex(this.documents.get(uri)?.getText() ?? history.textOf(path.slice(history.directory.length + 1)) ?? readRegularFile(path).toString('utf8'));
      const at = (offset: number): { line: number; character: number } => {
        const p = lines.position(offset);
        return this.toPosition(path, p.line, p.column, lines);
      };
      const edits = plan.edits.filter((e) => e.path === path).map((e) => ({ range: { start: at(e.start), end: at(e.end) }, newText: e.text }));
      changes.push({ textDocument: { uri, version: this.documents.get(uri)?.version ?? null }, edits });
    }
    for (const file of plan.created) {
      const uri = pathToFileURL(file.path).href;
      changes.push({ kind: 'create', uri, options: { ignoreIfExists: true } }, { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: file.text }] });
    }
    return { documentChanges: changes };
  }

  /** "Draft the down": on a migration whose down file is missing or holds only the template, the drafted down written into it. */
  private draftAction(history: History, index: number, path: string): CodeAction | undefined {
    const pair = history.pairOf(index);
    const downPath = pair.singleFile ? undefined : (pair.downPath ?? downPathOf(pair));
    if (!downPath) return undefined;
    const absolute = history.absolute(downPath);
    const uri = pathToFileURL(absolute).href;
    const existing = this.documents.get(uri)?.getText() ?? (pair.downPath ? history.textOf(pair.downPath) : undefined);
    if (existing !== undefined && !isTemplateDown(existing)) return undefined;
    const migrations = history.migrations();
    const at = migrations.findIndex((m) => m.name === pair.name);
    if (at < 0) return undefined;
    const { text, irreversible } = draftDown(migrations, at);
    const title = `Draft the down from the up (${downPath.split('/').pop()})${irreversible.length ? `: ${irreversible.length} verify:irreversible line(s) to complete` : ''}`;
    if (existing === undefined) {
      return { title, kind: CodeActionKind.QuickFix, edit: { documentChanges: [{ kind: 'create', uri, options: { ignoreIfExists: true } }, { textDocument: { uri, version: null }, edits: [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, newText: text }] }] } };
    }
    const lines = new LineIndex(existing);
    const end = lines.position(Buffer.byteLength(existing));
    const range = { start: { line: 0, character: 0 }, end: this.toPosition(absolute, end.line, end.column, lines) };
    return { title, kind: CodeActionKind.QuickFix, edit: { documentChanges: [{ textDocument: { uri, version: this.documents.get(uri)?.version ?? null }, edits: [{ range, newText: text }] }] } };
  }

  private readSettings(root: string): HistorySettings {
    const known = new Set([...this.rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES)]);
    let settings: Settings = { rules: {}, allowDestructive: false, startsEmpty: [], baselines: {} };
    try {
      settings = readConfigFile(join(root, CONFIG_FILE), known, false);
    } catch (error) {
      void this.connection.window.showErrorMessage(`${SOURCE}: ${(error as Error).message} The defaults apply.`);
    }
    this.startsEmpty = settings.startsEmpty;
    return { rules: this.rules, settings: settings.rules, options: { allowDestructive: settings.allowDestructive }, known };
  }

  private historyFor(path: string): History {
    const directory = folderOf(path);
    let history = this.histories.get(directory);
    if (!history) {
      // A folder listed in startsEmpty: what its history never created does not exist (object-missing).
      const startsEmpty = this.startsEmpty.includes(resolve(directory));
      history = new History(directory, this.overlay, startsEmpty ? { ...this.config, options: { ...this.config.options, startsEmpty } } : this.config);
      this.histories.set(directory, history);
    }
    return history;
  }

  private schedule(path: string): void {
    this.pending.add(path);
    if (this.pending.size === 1 && !this.flushing) setImmediate(() => void this.flush().catch((error: unknown) => this.fail(error)));
  }

  /** Check every document changed since its last check, once each, with its newest text. */
  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.pending.size === 0) return Promise.resolve();
    const run = async (): Promise<void> => {
      while (this.pending.size) {
        const [path] = this.pending;
        this.pending.delete(path!);
        await this.checkDocument(path!);
      }
    };
    const flushing = run().finally(() => {
      this.flushing = undefined;
    });
    this.flushing = flushing;
    return flushing;
  }

  private async checkDocument(path: string): Promise<void> {
    const history = this.historyFor(path);
    const index = history.edited(path);
    if (index === -1) {
      // A .sql file in a folder without migrations is not ours to judge.
      this.publish(path, history.size ? history.problemsOf(path) : []);
      return;
    }
    this.publishMigration(history, index, await history.check(index));
  }

  /** Saved: the disk now holds the text; re-check the file and the later migrations that name what it changes. */
  private async saved(path: string): Promise<void> {
    await this.flush();
    const history = this.historyFor(path);
    history.sync();
    const index = history.indexOf(path);
    if (index === -1) {
      this.publish(path, history.size ? history.problemsOf(path) : []);
      return;
    }
    const key = history.filesOf(index)[0]!;
    const previous = this.savedNames.get(key) ?? new Set<string>();
    this.savedNames.set(key, history.namesOf(index));
    this.publishMigration(history, index, await history.check(index));
    for (const [later, violations] of await history.checkLater(index, history.dependents(index, previous))) this.publishMigration(history, later, violations);
  }

  private publishMigration(history: History, index: number, violations: readonly Violation[]): void {
    const migration = history.migration(index);
    for (const file of history.filesOf(index)) {
      const parsed = [migration?.up, migration?.down].find((f) => f?.path === file);
      this.publish(file, violations.filter((v) => v.file === file), parsed?.lines);
    }
  }

  /** `lines`: the file as parsed, for the positions of a file the editor does not have open (else read from disk). */
  private publish(path: string, violations: readonly Violation[], lines?: LineIndex): void {
    const uri = pathToFileURL(path).href;
    const diagnostics = violations.map((v) => this.toDiagnostic(path, v, lines));
    void this.connection.sendDiagnostics({ uri, version: this.documents.get(uri)?.version, diagnostics });
  }

  private toDiagnostic(path: string, v: Violation, lines?: LineIndex): Diagnostic {
    const href = this.docLink(v.rule);
    const range: Range = { start: this.toPosition(path, v.line, v.column, lines), end: this.toPosition(path, v.endLine, v.endColumn, lines) };
    return {
      range,
      severity: v.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
      code: v.rule,
      ...(href ? { codeDescription: { href } } : {}),
      source: SOURCE,
      message: v.help ? `${v.message}\n${v.help}` : v.message,
    };
  }

  private docLink(rule: string): string | undefined {
    if (!this.docs) return undefined;
    const file = join(this.docs, `${rule}.md`);
    return existsSync(file) ? pathToFileURL(file).href : undefined;
  }

  /** The verifier's 1-based line and code-point column → LSP's 0-based line and UTF-16 character. */
  private toPosition(path: string, line: number, column: number, lines?: LineIndex): { line: number; character: number } {
    const text = this.lineText(path, line, lines);
    let character = 0;
    let seen = 1;
    for (const ch of text) {
      if (seen >= column) break;
      character += ch.length;
      seen++;
    }
    // Past the end of the line's text (a line ending): the column counts on.
    return { line: line - 1, character: character + Math.max(0, column - seen) };
  }

  private lineText(path: string, line: number, lines?: LineIndex): string {
    const document = this.documents.get(pathToFileURL(path).href);
    if (document) return document.getText({ start: { line: line - 1, character: 0 }, end: { line, character: 0 } }).replace(/\r?\n$/, '');
    if (lines) return lines.lineText(line);
    try {
      return new LineIndex(readRegularFile(path).toString('utf8')).lineText(line);
    } catch {
      return '';
    }
  }

  /** `-- verify:ignore <rule> <reason>` on its own line above the statement, the reason a snippet placeholder when the client takes snippets. */
  private ignoreEdit(document: TextDocument, file: SourceFile, statementStart: number, rule: string): TextEdit | SnippetTextEdit {
    const start = file.lines.position(statementStart);
    const lineText = document.getText({ start: { line: start.line - 1, character: 0 }, end: { line: start.line, character: 0 } });
    const at = this.toPosition(file.path, start.line, start.column);
    const before = lineText.slice(0, at.character);
    const indent = /^\s*/.exec(lineText)![0].replace(/\r?\n$/, '');
    const snippets = this.capabilities.workspace?.workspaceEdit?.snippetEditSupport === true;
    // Without snippets the reason is left empty: the verifier reports the directive until a reason is typed.
    const reason = snippets ? '${1:reason}' : '';
    const comment = `-- verify:ignore ${rule} ${reason}`;
    // The statement starts its line: the comment goes on the line above. After another statement: a line of its own.
    const alone = before.trim() === '';
    const range = alone ? { start: { line: start.line - 1, character: 0 }, end: { line: start.line - 1, character: 0 } } : { start: at, end: at };
    const text = alone ? `${indent}${comment}\n` : `\n${indent}${comment}\n${indent}`;
    return snippets ? { range, snippet: { kind: 'snippet', value: text } } : { range, newText: text };
  }

  private fail(error: unknown): void {
    const message = `${SOURCE}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
    this.connection.console.error(message);
    process.stderr.write(`${message}\n`);
  }
}

function sameRange(a: Range, b: Range): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The history a file belongs to: the folder that holds it (diesel's up.sql, down.sql, metadata.toml: the folder above). */
function folderOf(path: string): string {
  return /^(up\.sql|down\.sql|metadata\.toml)$/.test(basename(path)) ? dirname(dirname(path)) : dirname(path);
}

function pathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  const path = fileURLToPath(uri);
  return /\.(sql|toml)$/i.test(path) ? path : undefined;
}

function afterOrAt(line: number, column: number, otherLine: number, otherColumn: number): boolean {
  return line > otherLine || (line === otherLine && column >= otherColumn);
}

/** The statement of the migration's file at `path` that holds a byte offset (its semicolon included). */
function statementAt(migration: { up: SourceFile; down?: SourceFile }, path: string, offset: number): { file: SourceFile; statement: SourceFile['parsed']['statements'][number] } | undefined {
  for (const file of [migration.up, migration.down]) {
    if (!file || file.path !== path) continue;
    const statement = file.parsed.statements.find((s) => s.start <= offset && offset <= s.end + 1);
    if (statement) return { file, statement };
  }
  return undefined;
}

/** verify/rules/ with the rules' .md docs: beside this file's rules when run from source, else in the repository. */
function ruleDocsFolder(): string | undefined {
  // The last candidate serves the bundle (dist/verify/verify-migrations-*.mjs, one folder up from dist/verify/lsp).
  for (const candidate of ['../rules/', '../../../verify/rules/', '../../verify/rules/']) {
    const folder = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(join(folder, 'require-concurrent-index-creation.md'))) return folder;
  }
  return undefined;
}
