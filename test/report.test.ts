// The reporters: one VerifyReport (static + executed + drift) in, each format showing all of it that it can carry.
// SARIF is validated against the SARIF 2.1.0 schema, here on a hand-made report and below on real --execute and
// --drift runs against a throwaway PostgreSQL.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { formatGithub, formatJson, formatSarif, formatText, type VerifyReport } from '../verify/report/index.js';
import { BUILTIN_RULES } from '../verify/engine.js';
import { EXECUTED_RULES } from '../verify/execute/index.js';
import { rules } from '../verify/rules/index.js';
import { sarifSchemaErrors } from './helpers/sarif-schema.js';
import { startTestServer } from './helpers/server.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CLI = join(ROOT, 'dist/verify/cli.js');

interface SarifLog {
  runs: Array<{
    tool: { driver: { rules: Array<{ id: string; defaultConfiguration: { level: string } }> } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: Array<{
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: Array<{ physicalLocation?: { artifactLocation: { uri: string; uriBaseId: string }; region: Record<string, unknown> }; logicalLocations?: Array<{ fullyQualifiedName: string }> }>;
    }>;
    properties: Record<string, unknown>;
  }>;
}

const violation = (file: string, line: number, column: number, endColumn: number, rule: string, message: string, help?: string) =>
  ({ file, line, column, endLine: line, endColumn, rule, severity: 'error' as const, message, ...(help ? { help } : {}) });

/** A report with something of every part: a static violation, an executed one with locks, a drift difference. */
const REPORT: VerifyReport = {
  tool: { name: 'verify-migrations', version: '1.2.3' },
  root: '/work/repo with space',
  rules: [
    { id: 'require-concurrent-index-creation', description: 'Indexes are built CONCURRENTLY.', severity: 'error', category: 'lock-safety', help: ['Create the index CONCURRENTLY.'], doc: 'verify/rules/require-concurrent-index-creation.md' },
    { id: 'down-restores-schema', description: 'After up then down, the schema is not what it was.', severity: 'error', category: 'executed', help: ['Make the down undo the up.'] },
    { id: 'schema-drift', description: 'The target differs.', severity: 'error', category: 'executed', help: ['Capture the change in a migration.'] },
  ],
  static: {
    files: 2,
    layouts: [{ folder: 'sql', layout: 'golang-migrate', migrations: 1 }],
    violations: [violation('sql/1_add index.up.sql', 2, 1, 31, 'require-concurrent-index-creation', 'Building idx_a takes a SHARE lock.', 'Create the index CONCURRENTLY.')],
  },
  executed: {
    runs: [
      {
        database: 'verify_1',
        layout: 'golang-migrate',
        totalMs: 1500,
        failed: ['1_add_index'],
        notRun: [],
        rebuilds: { count: 1, fromCopy: 0, ms: 20 },
        outside: [],
        staleDropped: [],
        summary: ['Executed 1 migration (golang-migrate layout) up, down and up again in 1.5 s (1.5 s per migration): 0 passed, 1 failed.', 'Failed: 1_add_index.'],
        migrations: [{ name: '1_add_index', upMs: 12, downMs: 3, irreversible: false, verdict: 'failed', applied: true, locks: [{ file: 'sql/1_add index.up.sql', line: 2, statement: 'CREATE INDEX idx_a ON t (a)', locks: [{ relation: 't', mode: 'ShareLock' }] }] }],
        violations: [violation('sql/1_add index.down.sql', 1, 1, 10, 'down-restores-schema', 'Rolling back leaves the schema changed: index idx_a on t still exists.', 'Make the down undo the up.')],
      },
    ],
  },
  drift: {
    differences: ['index idx_b on t exists in the target but not in the migrations'],
    violations: [{ ...violation('127.0.0.1:5432/app', 0, 0, 0, 'schema-drift', 'The target schema differs from its migrations: index idx_b on t exists in the target but not in the migrations.'), endLine: 0 }],
  },
  // The verified text (say, the staged one), not what is on disk: the code frame shows it.
  sources: new Map([['sql/1_add index.up.sql', '-- why\nCREATE INDEX idx_a ON t (a);\n']]),
};

t.test('text: the layout header, code frames from the verified text, executed timings and locks', async (t) => {
  const text = formatText(REPORT, { color: false });
  const lines = text.split('\n');
  t.equal(lines[0], 'golang-migrate layout: 1 migration in sql');
  t.match(text, 'sql/1_add index.up.sql:2:1  error  require-concurrent-index-creation  Building idx_a takes a SHARE lock.\n  help: Create the index CONCURRENTLY.\n  2 | CREATE INDEX idx_a ON t (a);\n    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n');
  t.match(text, 'sql/1_add index.down.sql:1:1  error  down-restores-schema  Rolling back leaves the schema changed');
  t.match(text, '127.0.0.1:5432/app  error  schema-drift  The target schema differs', 'a drift violation has no :0:0');
  t.match(text, '2 files checked: 3 errors, 0 warnings.');
  t.match(text, /Locks taken, statement by statement[^\n]*\n  sql\/1_add index\.up\.sql:2\n {6}CREATE INDEX idx_a ON t \(a\)\n {4}locks: ShareLock on t\n/);
  t.match(text, 'Executed 1 migration (golang-migrate layout) up, down and up again in 1.5 s (1.5 s per migration): 0 passed, 1 failed.\nFailed: 1_add_index.\n', 'the run in words');
  t.notMatch(text, 'drift: index idx_b', 'a difference already said by a violation is not repeated');
});

t.test('JSON: every violation, the layouts, the executed run and the drift', async (t) => {
  const json = JSON.parse(formatJson(REPORT));
  t.same(Object.keys(json), ['files', 'layouts', 'violations', 'executed', 'drift']);
  t.same(json.layouts, [{ folder: 'sql', layout: 'golang-migrate', migrations: 1 }]);
  t.same(json.violations.map((v: { rule: string }) => v.rule), ['require-concurrent-index-creation', 'down-restores-schema', 'schema-drift']);
  t.same(json.executed.migrations, [{ name: '1_add_index', upMs: 12, downMs: 3, irreversible: false, verdict: 'failed', applied: true }]);
  t.match(json.executed.runs, [{ layout: 'golang-migrate', checked: 1, failed: ['1_add_index'], notRun: [], rebuilds: { count: 1 }, outside: [] }]);
  t.equal(json.executed.locks[0].statement, 'CREATE INDEX idx_a ON t (a)');
  t.same(json.drift, { differences: REPORT.drift!.differences, reconcile: [] });
  const none = JSON.parse(formatJson({ ...REPORT, executed: undefined, drift: undefined }));
  t.same([none.executed, none.drift], [null, null], 'absent parts are null: the shape does not change');
});

t.test('GitHub: an annotation per violation, executed and drift included; notices for the layout and the run', async (t) => {
  const lines = formatGithub(REPORT).trimEnd().split('\n');
  t.equal(lines[0], '::error file=sql/1_add index.up.sql,line=2,col=1,endLine=2,endColumn=31,title=require-concurrent-index-creation::Building idx_a takes a SHARE lock. Create the index CONCURRENTLY.');
  t.match(lines[1], /^::error file=sql\/1_add index\.down\.sql,line=1,col=1,endLine=1,endColumn=10,title=down-restores-schema::Rolling back/);
  t.equal(lines[2], '::error title=schema-drift (127.0.0.1%3A5432/app)::The target schema differs from its migrations: index idx_b on t exists in the target but not in the migrations.');
  t.ok(lines.includes('::notice title=verify-migrations::golang-migrate layout: 1 migration in sql'));
  t.ok(lines.includes('::notice title=verify-migrations --execute::Failed: 1_add_index.'), 'a notice per line of the run in words');
  t.ok(lines.every((l) => l.startsWith('::') || l.startsWith('  ')), 'nothing but workflow commands and the folded lock table');
});

t.test('SARIF: valid 2.1.0, a descriptor for every ruleId, URIs relative to %SRCROOT%', async (t) => {
  const sarif = JSON.parse(formatSarif(REPORT)) as SarifLog;
  t.same(sarifSchemaErrors(sarif), [], 'valid against the SARIF 2.1.0 schema');
  const run = sarif.runs[0]!;
  const ids = run.tool.driver.rules.map((r) => r.id);
  for (const result of run.results) t.equal(ids[result.ruleIndex], result.ruleId, `${result.ruleId} is described at its ruleIndex`);
  t.same(run.results.map((r) => r.ruleId), ['require-concurrent-index-creation', 'down-restores-schema', 'schema-drift']);
  t.equal(run.originalUriBaseIds.SRCROOT?.uri, 'file:///work/repo%20with%20space/');
  t.same(run.results[0]!.locations[0]!.physicalLocation!.artifactLocation, { uri: 'sql/1_add%20index.up.sql', uriBaseId: 'SRCROOT' });
  t.same(run.results[0]!.locations[0]!.physicalLocation!.region, { startLine: 2, startColumn: 1, endLine: 2, endColumn: 31, snippet: { text: 'CREATE INDEX idx_a ON t (a);' } });
  t.same(run.results[2]!.locations[0]!.logicalLocations, [{ fullyQualifiedName: '127.0.0.1:5432/app', kind: 'database' }], 'drift points at the database');
  t.same(run.properties.layouts, REPORT.static!.layouts);
  t.match(run.properties.executed, { totalMs: 1500, migrations: [{ name: '1_add_index' }] });
  t.same(run.properties.drift, { differences: REPORT.drift!.differences });

  const stray = JSON.parse(formatSarif({ ...REPORT, rules: [] })) as SarifLog;
  t.same(sarifSchemaErrors(stray), []);
  t.same(stray.runs[0]!.tool.driver.rules.map((r) => r.id), ['require-concurrent-index-creation', 'down-restores-schema', 'schema-drift'], 'a rule the report does not describe still gets a descriptor');
});

function cli(args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

t.test('the CLI describes every rule it can report: rules, engine checks and executed rules', async (t) => {
  const sarif = JSON.parse(cli(['test/fixtures/sets/broken', '--format', 'sarif']).stdout) as SarifLog;
  t.same(sarifSchemaErrors(sarif), []);
  const ids = sarif.runs[0]!.tool.driver.rules.map((r) => r.id).sort();
  t.same(ids, [...rules.map((r) => r.meta.name), ...Object.keys(BUILTIN_RULES), ...Object.keys(EXECUTED_RULES)].sort());
  t.same(sarif.runs[0]!.properties.layouts, [{ folder: 'test/fixtures/sets/broken', layout: 'paired', migrations: 2 }]);
  t.ok(sarif.runs[0]!.results.every((r) => r.locations[0]!.physicalLocation!.artifactLocation.uri.startsWith('test/fixtures/sets/broken/')));
});

t.test('--execute and --drift on a real PostgreSQL: executed and drift results in every format', async (t) => {
  const db = await startTestServer(t);
  const fixture = 'test/fixtures/execute/default-changed';
  const env = { VERIFY_DATABASE_URL: db.server.url };

  const sarifRun = cli([fixture, '--execute', '--format', 'sarif'], env);
  t.equal(sarifRun.code, 1, sarifRun.stderr);
  const sarif = JSON.parse(sarifRun.stdout) as SarifLog;
  t.same(sarifSchemaErrors(sarif), [], 'valid against the SARIF 2.1.0 schema');
  const executed = sarif.runs[0]!.results.find((r) => r.ruleId === 'down-restores-schema');
  t.ok(executed, 'the executed violation is a SARIF result');
  t.equal(sarif.runs[0]!.tool.driver.rules[executed!.ruleIndex]?.id, 'down-restores-schema');
  t.same(executed!.locations[0]!.physicalLocation!.artifactLocation, { uri: `${fixture}/20260101000100_default_product_name.down.sql`, uriBaseId: 'SRCROOT' });
  t.match(sarif.runs[0]!.properties.executed, { migrations: [{ name: '20260101000000_create_products' }, { name: '20260101000100_default_product_name' }] });

  const github = cli([fixture, '--execute', '--format', 'github'], env).stdout;
  t.match(github, /^::error file=test\/fixtures\/execute\/default-changed\/20260101000100_default_product_name\.down\.sql,line=2,col=1,[^\n]*title=down-restores-schema::/m);
  t.match(github, /^::notice title=verify-migrations --execute::Executed 2 migrations \(paired layout\) up, down and up again in [^\n]*: 1 passed, 1 failed\./m);

  const json = JSON.parse(cli([fixture, '--execute', '--format', 'json'], env).stdout);
  t.ok(json.violations.some((v: { rule: string }) => v.rule === 'down-restores-schema'));
  t.equal(json.executed.migrations.length, 2);

  const text = cli([fixture, '--execute'], env).stdout;
  t.match(text, /^paired layout: 2 migrations in test\/fixtures\/execute\/default-changed\n/);
  t.match(text, `${fixture}/20260101000100_default_product_name.down.sql:2:1  error  down-restores-schema`);
  t.match(text, /\n {2}2 \| [^\n]+\n/, 'with its code frame');

  const target = await db.freshDatabase('drifted');
  await target.sql.unsafe('CREATE TABLE by_hand (id int)');
  const drift = cli([fixture, '--drift', '--format', 'sarif'], { ...env, DATABASE_URL: target.url });
  t.equal(drift.code, 1, drift.stderr);
  const driftLog = JSON.parse(drift.stdout) as SarifLog;
  t.same(sarifSchemaErrors(driftLog), [], 'valid against the SARIF 2.1.0 schema');
  const drifted = driftLog.runs[0]!.results.filter((r) => r.ruleId === 'schema-drift');
  t.ok(drifted.some((r) => r.message.text.includes('by_hand')), 'the hand-made table is a schema-drift result');
  t.ok(drifted.every((r) => r.locations[0]!.logicalLocations?.[0]?.fullyQualifiedName.endsWith('/drifted')), 'located at the target database');
  t.equal(driftLog.runs[0]!.tool.driver.rules[drifted[0]!.ruleIndex]?.id, 'schema-drift');
  const driftText = cli([fixture, '--drift'], { ...env, DATABASE_URL: target.url }).stdout;
  t.match(driftText, /\/drifted {2}error {2}schema-drift {2}The target schema differs from its migrations: [^\n]*by_hand/);
  t.match(driftText, /Drift check: \d+ errors?, 0 warnings\./);
});
