// The language server through the protocol, as an editor drives it: `verify-migrations lsp --stdio` spawned, then
// initialize, didOpen, didChange (unsaved text), didSave, hover and codeAction over JSON-RPC with
// vscode-languageserver's protocol types. Diagnostics are checked for rule, range and doc link, and against verify().
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DidChangeWatchedFilesNotification, FileChangeType, type CodeAction, type Diagnostic, type MarkupContent } from 'vscode-languageserver/node';
import { LspClient } from '../bench/lsp-client.js';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const PRODUCTS = '20260101000000_create_products';
const INDEX = '20260102000000_index_barcode';
const RETYPE = '20260103000000_barcode_text';
const ORDERS = '20260104000000_create_orders';

/** A history of four migrations: products, an index on it (flagged), a type change on it, an unrelated table. */
function history(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lsp-test-'));
  const write = (name: string, up: string, down: string): void => {
    writeFileSync(join(dir, `${name}.up.sql`), up);
    writeFileSync(join(dir, `${name}.down.sql`), down);
  };
  write(PRODUCTS, '-- Products.\nCREATE TABLE products (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    barcode text\n);\n', '-- Undo.\nDROP TABLE products;\n');
  write(INDEX, '-- Find products by barcode.\nCREATE INDEX idx_products_barcode ON products (barcode);\n', '-- Undo.\n-- verify:ignore require-concurrent-index-deletion the index is new and small\nDROP INDEX idx_products_barcode;\n');
  write(RETYPE, '-- Barcodes are text.\nALTER TABLE products ALTER COLUMN barcode TYPE text;\n', '-- verify:irreversible text is what it was\n');
  write(ORDERS, '-- Orders.\nCREATE TABLE orders (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY\n);\n', '-- Undo.\nDROP TABLE orders;\n');
  return dir;
}

const rulesOf = (diagnostics: readonly Diagnostic[]): string[] => diagnostics.map((d) => String(d.code)).sort();

t.test('initialize announces sync, hover and code actions', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  const { capabilities, serverInfo } = client.initialize;
  t.equal(serverInfo?.name, 'verify-migrations');
  t.same(capabilities.textDocumentSync, { openClose: true, change: 2, save: { includeText: false } });
  t.equal(capabilities.hoverProvider, true);
  t.same(capabilities.codeActionProvider, { codeActionKinds: ['quickfix'] });
  t.equal(await client.stop(), 0, 'exit after shutdown is code 0');
  t.equal(client.stderr, '');
});

t.test('open: diagnostics with rule, range, severity and doc link, the same as verify() finds', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const file = join(dir, `${INDEX}.up.sql`);
  const { diagnostics, version } = await client.open(file);
  t.equal(version, 1);
  t.equal(diagnostics.length, 1);
  const [d] = diagnostics;
  t.equal(d!.code, 'require-concurrent-index-creation');
  t.equal(d!.source, 'verify-migrations');
  t.equal(d!.severity, 1, 'error');
  t.same(d!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 55 } });
  t.match(d!.message, /^Building index idx_products_barcode takes a SHARE lock on products/);
  const href = d!.codeDescription?.href ?? '';
  t.match(href, /^file:\/\/.*\/verify\/rules\/require-concurrent-index-creation\.md$/);
  t.ok(existsSync(fileURLToPath(href)), 'the doc link points at the rule doc');

  // The CLI's engine on the same folder reports the same rule at the same place.
  const result = await verify({ paths: [file], rules, cache: false });
  t.same(
    result.violations.map((v) => [v.rule, v.line - 1, v.column - 1, v.endLine - 1, v.endColumn - 1]),
    diagnostics.map((x) => [x.code, x.range.start.line, x.range.start.character, x.range.end.line, x.range.end.character]),
  );
});

t.test('change: unsaved text is checked against the schema before it, ranges in UTF-16', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const file = join(dir, `${INDEX}.up.sql`);
  const onDisk = readFileSync(file, 'utf8');
  await client.open(file);

  // Fixed in the buffer only: CONCURRENTLY in a no-transaction migration.
  let published = await client.change(file, '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_barcode ON products (barcode);\n');
  t.same(published.diagnostics, [], 'the fix clears the diagnostic');
  t.equal(published.version, 2);
  t.equal(readFileSync(file, 'utf8'), onDisk, 'nothing was written');

  // A column type change needs the schema of the earlier migration: products.barcode is text there.
  published = await client.change(file, '-- é😀 comment\nALTER TABLE products ALTER COLUMN barcode TYPE int8 USING barcode::int8;\n');
  t.ok(rulesOf(published.diagnostics).includes('changing-column-type'), rulesOf(published.diagnostics).join());
  const retype = published.diagnostics.find((d) => d.code === 'changing-column-type')!;
  t.match(retype.message, 'Changing products.barcode from text to int8 rewrites products');

  // A syntax error after a line with an astral character: the column counts UTF-16 code units.
  published = await client.change(file, '-- x\nSELECT \'😀\', ,;\n');
  t.same(rulesOf(published.diagnostics), ['syntax-error']);
  t.same(published.diagnostics[0]!.range.start, { line: 1, character: 13 }, 'after the two code units of 😀');

  // Incremental changes are applied to the buffer: back to the flagged statement by editing one range.
  await client.change(file, '-- Find products by barcode.\nCREATE INDEX CONCURRENTLY idx_products_barcode ON products (barcode);\n');
  published = await client.change(file, [{ range: { start: { line: 1, character: 12 }, end: { line: 1, character: 25 } }, text: '' }]);
  t.same(rulesOf(published.diagnostics), ['require-concurrent-index-creation']);
});

t.test('hover: the locks a statement takes, on which table, and whether it rewrites or scans', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const file = join(dir, `${INDEX}.up.sql`);
  await client.open(file);
  let hover = await client.hover(file, 1, 10);
  let value = (hover?.contents as MarkupContent).value;
  t.match(value, '`ShareLock` on `products`');
  t.match(value, '[require-concurrent-index-creation](file://');
  t.same(hover?.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 55 } });
  t.equal(await client.hover(file, 0, 3), null, 'a comment is no statement');

  await client.change(file, '-- Retype.\nALTER TABLE products ALTER COLUMN barcode TYPE int8 USING barcode::int8;\n');
  hover = await client.hover(file, 1, 3);
  value = (hover?.contents as MarkupContent).value;
  t.match(value, '`AccessExclusiveLock` on `products`: blocks reads and writes');
  t.match(value, '**Rewrites the table:** yes');
  t.match(value, 'changing-column-type');

  // A statement a directive allows still takes its lock.
  await client.change(file, '-- Check.\n-- verify:ignore constraint-missing-not-valid small table\nALTER TABLE products ADD CONSTRAINT barcode_length CHECK (length(barcode) < 40);\n');
  hover = await client.hover(file, 2, 3);
  value = (hover?.contents as MarkupContent).value;
  t.match(value, '**Scans the table:** yes');
  t.match(value, 'constraint-missing-not-valid');
});

t.test('code action: add -- verify:ignore <rule> <reason> above the statement, the reason a placeholder', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, `${INDEX}.up.sql`);

  t.test('with snippets', async (t) => {
    const client = await LspClient.start(dir, { workspace: { workspaceEdit: { snippetEditSupport: true } } });
    t.teardown(() => client.stop());
    const { diagnostics } = await client.open(file);
    const actions = (await client.codeActions(file, diagnostics[0]!.range, diagnostics)) as CodeAction[];
    t.same(actions.map((a) => a.title), ['Add -- verify:ignore require-concurrent-index-creation <reason> above the statement', 'Fix: Create the index CONCURRENTLY in a no-transaction migration.']);
    const [action] = actions;
    t.equal(action!.title, 'Add -- verify:ignore require-concurrent-index-creation <reason> above the statement');
    t.equal(action!.kind, 'quickfix');
    const change = action!.edit!.documentChanges![0] as { textDocument: { version: number }; edits: Array<{ range: unknown; snippet?: { value: string } }> };
    t.equal(change.textDocument.version, 1);
    t.same(change.edits[0]!.range, { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } });
    t.equal(change.edits[0]!.snippet?.value, '-- verify:ignore require-concurrent-index-creation ${1:reason}\n');

    // Apply it with a reason typed: the diagnostic goes.
    const published = await client.change(file, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: '-- verify:ignore require-concurrent-index-creation the table is empty\n' }]);
    t.same(published.diagnostics, []);
  });

  t.test('without snippets the reason is left empty, and the verifier asks for it', async (t) => {
    const client = await LspClient.start(dir);
    t.teardown(() => client.stop());
    const text = 'SELECT 1; CREATE INDEX idx_products_barcode ON products (barcode);\n';
    const { diagnostics } = await client.open(file, text);
    const flagged = diagnostics.filter((d) => d.code === 'require-concurrent-index-creation');
    const actions = (await client.codeActions(file, flagged[0]!.range, flagged)) as CodeAction[];
    const change = actions[0]!.edit!.documentChanges![0] as { edits: Array<{ range: { start: { line: number; character: number } }; newText: string }> };
    // After another statement on its line: the comment gets a line of its own.
    t.same(change.edits[0]!.range.start, { line: 0, character: 10 });
    t.equal(change.edits[0]!.newText, '\n-- verify:ignore require-concurrent-index-creation \n');
    const published = await client.change(file, 'SELECT 1; \n-- verify:ignore require-concurrent-index-creation \nCREATE INDEX idx_products_barcode ON products (barcode);\n');
    t.ok(rulesOf(published.diagnostics).includes('invalid-directive'), 'a directive without its reason is reported');
  });
});

t.test('save: the later files that name what the saved one changes are re-checked', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const file = join(dir, `${PRODUCTS}.up.sql`);
  await client.open(file);
  // barcode becomes an integer: the later ALTER ... TYPE text now rewrites the table.
  const text = readFileSync(file, 'utf8').replace('barcode text', 'barcode bigint');
  await client.change(file, text);
  writeFileSync(file, text);
  const retype = client.nextDiagnostics(join(dir, `${RETYPE}.up.sql`));
  await client.save(file);
  const published = await retype;
  t.same(rulesOf(published.diagnostics), ['changing-column-type', 'destructive-needs-flag']);
  t.match(published.diagnostics.find((d) => d.code === 'changing-column-type')!.message, 'Changing products.barcode from int8 to text rewrites products');
  // The request after the save is answered once the dependents are published: the unrelated orders never was.
  await client.hover(file, 1, 1);
  const published_ = client.published.map((p) => p.uri.split('/').pop());
  t.ok(published_.includes(`${INDEX}.up.sql`), 'the index on products is re-checked too');
  t.notOk(published_.includes(`${ORDERS}.up.sql`), 'orders does not depend on products');
});

t.test('a file changed outside the editor (git checkout): the open files of its folder are checked again', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const retype = join(dir, `${RETYPE}.up.sql`);
  t.same((await client.open(retype)).diagnostics, [], 'text to text rewrites nothing');
  const products = join(dir, `${PRODUCTS}.up.sql`);
  writeFileSync(products, readFileSync(products, 'utf8').replace('barcode text', 'barcode bigint'));
  const next = client.nextDiagnostics(retype);
  await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes: [{ uri: pathToFileURL(products).href, type: FileChangeType.Changed }] });
  t.same(rulesOf((await next).diagnostics), ['changing-column-type', 'destructive-needs-flag']);
});

t.test('a .sql file in a folder without migrations gets no diagnostics', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'lsp-test-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const report = join(dir, 'monthly report.sql');
  writeFileSync(report, 'SELECT count(*) FROM orders;\n');
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  t.same((await client.open(report)).diagnostics, []);
});

t.test('lsp: --stdio is accepted; another option is a one-line usage error, exit 2', async (t) => {
  const result = spawnSync(process.execPath, [join(ROOT, 'dist/verify/cli.js'), 'lsp', '--tcp'], { encoding: 'utf8' });
  t.equal(result.status, 2);
  t.equal(result.stderr, 'verify-migrations: lsp: unknown option --tcp (the server speaks LSP over stdio; --stdio is accepted).\n');
  t.equal(result.stdout, '');
});

t.test('code action: --fix\'s rewrite as a quick fix on its diagnostic, edits in both files', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const file = join(dir, `${INDEX}.up.sql`);
  const { diagnostics } = await client.open(file);
  const actions = (await client.codeActions(file, diagnostics[0]!.range, diagnostics)) as CodeAction[];
  const fix = actions.find((a) => a.title.startsWith('Fix: '));
  t.ok(fix?.isPreferred, 'the rewrite is the preferred quick fix');
  t.same(fix?.diagnostics?.map((d) => d.code), ['require-concurrent-index-creation']);
  const changes = fix!.edit!.documentChanges as Array<{ textDocument: { uri: string; version: number | null }; edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }> }>;
  const byFile = new Map(changes.map((c) => [fileURLToPath(c.textDocument.uri), c]));
  t.same([...byFile.keys()].sort(), [join(dir, `${INDEX}.down.sql`), file].sort(), 'the up and its down are edited');
  t.equal(byFile.get(file)!.textDocument.version, 1, 'the open up is edited at its version');
  t.equal(byFile.get(join(dir, `${INDEX}.down.sql`))!.textDocument.version, null, 'the down is not open');
  // Apply the edits to the texts: both files say CONCURRENTLY, the up runs outside a transaction, and the finding goes.
  const apply = (text: string, edits: (typeof changes)[number]['edits']): string => {
    const lines = text.split('\n');
    const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
    let out = text;
    for (const e of [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start))) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
    return out;
  };
  const up = apply(readFileSync(file, 'utf8'), byFile.get(file)!.edits);
  const down = apply(readFileSync(join(dir, `${INDEX}.down.sql`), 'utf8'), byFile.get(join(dir, `${INDEX}.down.sql`))!.edits);
  t.match(up, /-- migrate:no-transaction/);
  t.match(up, /CREATE INDEX CONCURRENTLY/);
  t.match(down, /DROP INDEX CONCURRENTLY/);
  writeFileSync(join(dir, `${INDEX}.down.sql`), down);
  const published = await client.change(file, up);
  t.same(rulesOf(published.diagnostics), [], 'the rewritten migration passes');
});

t.test('code action: "Draft the down" fills a template down, or creates a missing one', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const TAGS = '20260105000000_create_tags';
  const NOTE = '20260106000000_add_orders_note';
  writeFileSync(join(dir, `${TAGS}.up.sql`), '-- Tags.\nCREATE TABLE tags (id int PRIMARY KEY, product_id bigint REFERENCES products (id));\n');
  writeFileSync(join(dir, `${TAGS}.down.sql`), '-- Undoes it: <one line>\n\n-- Write the SQL that restores exactly the schema before the up file.\n');
  writeFileSync(join(dir, `${NOTE}.up.sql`), '-- A note.\nALTER TABLE orders ADD COLUMN note text;\n');
  const client = await LspClient.start(dir);
  t.teardown(() => client.stop());
  const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

  const tags = join(dir, `${TAGS}.up.sql`);
  await client.open(tags);
  const actions = (await client.codeActions(tags, whole, [])) as CodeAction[];
  const draft = actions.find((a) => a.title.startsWith('Draft the down'));
  t.equal(draft?.title, `Draft the down from the up (${TAGS}.down.sql)`);
  const [change] = draft!.edit!.documentChanges as Array<{ textDocument: { uri: string }; edits: Array<{ range: unknown; newText: string }> }>;
  t.equal(fileURLToPath(change!.textDocument.uri), join(dir, `${TAGS}.down.sql`));
  t.same(change!.edits[0]!.range, { start: { line: 0, character: 0 }, end: { line: 3, character: 0 } }, 'the whole template is replaced');
  t.match(change!.edits[0]!.newText, /^DROP TABLE tags;$/m);

  const note = join(dir, `${NOTE}.up.sql`);
  await client.open(note);
  const created = ((await client.codeActions(note, whole, [])) as CodeAction[]).find((a) => a.title.startsWith('Draft the down'));
  const [create, fill] = created!.edit!.documentChanges as Array<{ kind?: string; uri?: string; edits?: Array<{ newText: string }> }>;
  t.equal(create!.kind, 'create');
  t.equal(fileURLToPath(create!.uri!), join(dir, `${NOTE}.down.sql`));
  t.match(fill!.edits![0]!.newText, /^ALTER TABLE orders DROP COLUMN note;$/m);

  // A down with SQL in it is the author's: no draft is offered.
  const index = join(dir, `${INDEX}.up.sql`);
  await client.open(index);
  t.notOk(((await client.codeActions(index, whole, [])) as CodeAction[]).some((a) => a.title.startsWith('Draft the down')));
});
