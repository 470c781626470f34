// A minimal LSP client over vscode-languageserver's protocol types, for the protocol test and the edit benchmark:
// spawns `verify-migrations lsp --stdio` and speaks JSON-RPC to it over its stdin and stdout, like an editor.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionRequest,
  DidChangeTextDocumentNotification,
  DidOpenTextDocumentNotification,
  DidSaveTextDocumentNotification,
  ExitNotification,
  HoverRequest,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  createProtocolConnection,
  type ClientCapabilities,
  type CodeAction,
  type Command,
  type Diagnostic,
  type Hover,
  type InitializeResult,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Range,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver/node';

/** The built CLI: dist/verify/cli.js from dist/bench/, or from the repository root when run from source. */
function cliPath(): string {
  const fromDist = fileURLToPath(new URL('../verify/cli.js', import.meta.url));
  if (fromDist.includes('/dist/')) return fromDist;
  return join(fileURLToPath(new URL('..', import.meta.url)), 'dist/verify/cli.js');
}

export class LspClient {
  private readonly versions = new Map<string, number>();
  private readonly waiters = new Map<string, Array<(params: PublishDiagnosticsParams) => void>>();
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  stderr = '';

  private constructor(
    readonly child: ChildProcess,
    readonly connection: ProtocolConnection,
    readonly initialize: InitializeResult,
  ) {}

  static async start(root: string, capabilities: ClientCapabilities = {}, args: readonly string[] = ['--stdio']): Promise<LspClient> {
    const child = spawn(process.execPath, [cliPath(), 'lsp', ...args], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const pending: PublishDiagnosticsParams[] = [];
    let client: LspClient | undefined;
    connection.onNotification(PublishDiagnosticsNotification.type, (params: PublishDiagnosticsParams) => {
      if (client) client.received(params);
      else pending.push(params);
    });
    connection.listen();
    const result = await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: pathToFileURL(root).href,
      workspaceFolders: [{ uri: pathToFileURL(root).href, name: 'root' }],
      capabilities,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    client = new LspClient(child, connection, result);
    client.stderr = stderr;
    child.stderr!.on('data', (chunk: Buffer) => (client!.stderr += chunk.toString()));
    for (const params of pending) client.received(params);
    return client;
  }

  private received(params: PublishDiagnosticsParams): void {
    this.published.push(params);
    const waiting = this.waiters.get(params.uri) ?? [];
    this.waiters.delete(params.uri);
    for (const resolve of waiting) resolve(params);
  }

  /** The next publishDiagnostics for a file (call before the request that causes it). */
  nextDiagnostics(path: string, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const uri = pathToFileURL(path).href;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no diagnostics for ${path} within ${timeoutMs} ms${this.stderr ? `; stderr: ${this.stderr}` : ''}`)), timeoutMs);
      const list = this.waiters.get(uri) ?? [];
      list.push((params) => {
        clearTimeout(timer);
        resolve(params);
      });
      this.waiters.set(uri, list);
    });
  }

  async open(path: string, text = readFileSync(path, 'utf8')): Promise<PublishDiagnosticsParams> {
    const next = this.nextDiagnostics(path);
    this.versions.set(path, 1);
    await this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri: pathToFileURL(path).href, languageId: 'sql', version: 1, text } });
    return next;
  }

  /** Replace the whole text (unsaved), or apply incremental changes; resolves with the diagnostics that follow. */
  async change(path: string, change: string | TextDocumentContentChangeEvent[]): Promise<PublishDiagnosticsParams> {
    const next = this.nextDiagnostics(path);
    await this.sendChange(path, change);
    return next;
  }

  async sendChange(path: string, change: string | TextDocumentContentChangeEvent[]): Promise<void> {
    const version = (this.versions.get(path) ?? 1) + 1;
    this.versions.set(path, version);
    const contentChanges = typeof change === 'string' ? [{ text: change }] : change;
    await this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri: pathToFileURL(path).href, version }, contentChanges });
  }

  async save(path: string): Promise<void> {
    await this.connection.sendNotification(DidSaveTextDocumentNotification.type, { textDocument: { uri: pathToFileURL(path).href } });
  }

  hover(path: string, line: number, character: number): Promise<Hover | null> {
    return this.connection.sendRequest(HoverRequest.type, { textDocument: { uri: pathToFileURL(path).href }, position: { line, character } });
  }

  codeActions(path: string, range: Range, diagnostics: Diagnostic[]): Promise<Array<Command | CodeAction> | null> {
    return this.connection.sendRequest(CodeActionRequest.type, { textDocument: { uri: pathToFileURL(path).href }, range, context: { diagnostics } });
  }

  /** shutdown, exit; resolves with the server's exit code. */
  async stop(): Promise<number | null> {
    const exited = new Promise<number | null>((resolve) => this.child.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest(ShutdownRequest.type);
    await this.connection.sendNotification(ExitNotification.type);
    const code = await exited;
    this.connection.dispose();
    return code;
  }
}
