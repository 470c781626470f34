// The executed proof runs the whole history in one run: every failure is reported, the scratch state is rebuilt to
// "after this up" and the run goes on; roles a migration makes outside the database are removed; scratch databases of
// dead runs are dropped, those of live runs kept.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';
import { connect } from '../core/postgres/database-url.js';
import { executeMigrations, executedSummary, type ExecuteReport } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';

const ROOT = new URL('..', import.meta.url).pathname;
const CHAIN = join(import.meta.dirname, 'fixtures', 'execute', 'chain');

function found(report: ExecuteReport): string[] {
  return report.violations.map((v) => `${relative(CHAIN, v.file)}:${v.line}:${v.column} ${v.rule} ${v.message}`);
}

const EXPECTED = [
  // A down that fails inside its transaction: rolled back, the chain goes on from the up.
  '20260101000100_add_products_price.down.sql:2:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column "prize" of relation "products" does not exist.',
  // A no-transaction down that fails halfway (one index already dropped): rebuilt, so comment_orders finds the index.
  '20260101000300_index_orders.down.sql:4:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: index "orders_prices_idx" does not exist.',
  '20260101000400_add_orders_note.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column orders.note still exists.',
  '20260101000400_add_orders_note.up.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column "note" of relation "orders" already exists.',
  // An up that fails is skipped; the migrations after it run on the chain without it.
  '20260101000500_create_order_view.up.sql:3:16 up-fails The deploy stops here because PostgreSQL rejects this statement: column "total" does not exist.',
  // A no-transaction up that fails after its first index committed: rebuilt without it, so create_audit can make that index.
  '20260101000550_index_orders_note.up.sql:4:1 up-fails The deploy stops here because PostgreSQL rejects this statement: column "missing" does not exist.',
  // The down leaves the role (outside the database) behind: the roles are compared too, and the second up fails;
  // rebuilt, the grant is back for create_audit.
  '20260101000700_create_chain_reader.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: role chain_reader still exists.',
  '20260101000700_create_chain_reader.up.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: role "chain_reader" already exists.',
];
const FAILED = ['20260101000100_add_products_price', '20260101000300_index_orders', '20260101000400_add_orders_note', '20260101000500_create_order_view', '20260101000550_index_orders_note', '20260101000700_create_chain_reader'];

t.test('the whole history in one run', async (t) => {
  const db = await startTestServer(t);
  const admin = connect(db.server.url);
  t.teardown(() => admin.end({ timeout: 1 }));
  const scratchDatabases = async (): Promise<string[]> => (await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%' ORDER BY 1`).map((r) => r.datname);
  const roleExists = async (name: string): Promise<boolean> => (await admin`SELECT 1 FROM pg_roles WHERE rolname = ${name}`).length > 0;
  const migrations = await migrationsOf(CHAIN);

  for (const rebuild of ['auto', 'reapply', 'copy'] as const) {
    await t.test(`several bad downs and a failed up are all reported, rebuilding by ${rebuild}`, async (t) => {
      const report = await executeMigrations(migrations, { url: db.server.url, rebuild });
      t.same(found(report), EXPECTED);
      t.same(report.failed, FAILED);
      t.same(report.notRun, []);
      t.same(
        report.migrations.map((m) => m.verdict),
        ['passed', 'failed', 'passed', 'failed', 'failed', 'failed', 'failed', 'passed', 'failed', 'passed'],
        'comment_orders and create_audit pass: the rebuilt chain holds what their ups need',
      );
      t.same(report.migrations.filter((m) => !m.applied).map((m) => m.name), ['20260101000500_create_order_view', '20260101000550_index_orders_note']);
      t.equal(report.rebuilds.count, 3, 'rebuilt after index_orders (half a down committed), index_orders_note (half an up committed) and create_chain_reader (the grant revoked)');
      if (rebuild === 'reapply') t.equal(report.rebuilds.fromCopy, 0);
      if (rebuild === 'copy') t.equal(report.rebuilds.fromCopy, 2, 'each later rebuild starts from the copy kept by the one before');
      t.same(report.outside, [{ kind: 'role', name: 'chain_reader', migration: '20260101000700_create_chain_reader', change: 'created', removed: true }]);
      t.notOk(await roleExists('chain_reader'), 'the role the migration made is dropped after the run');
      t.same(await scratchDatabases(), [], 'no scratch database (nor copy) is left behind');
      const summary = executedSummary(report, 'paired');
      t.match(summary[0], /^Executed 10 migrations \(paired layout\) up, down and up again in .+: 4 passed, 6 failed\.$/);
      t.equal(summary[1], `Failed: ${FAILED.join(', ')}. Their up failed, so the chain went on without: 20260101000500_create_order_view, 20260101000550_index_orders_note.`);
      t.match(summary.join('\n'), 'Outside the scratch database: 20260101000700_create_chain_reader creates role chain_reader; the run dropped it afterwards.');
    });
  }

  await t.test('make verify-db on a history with several bad downs lists all of them in one run', async (t) => {
    const result = spawnSync('make', ['-s', '--no-print-directory', '-o', 'dist/.built', 'verify-db', `MIGRATIONS_DIR=${relative(ROOT, CHAIN)}`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: childEnv({ VERIFY_DATABASE_URL: db.server.url, NO_COLOR: '1' }),
    });
    t.equal(result.status, 2, `make reports the CLI's exit 1 as its own 2 (stderr: ${result.stderr.trim().split('\n').at(-1)})`);
    for (const line of EXPECTED) {
      const [where, rule] = line.split(' ');
      t.match(result.stdout, `${where}`, `${rule} at ${where}`);
    }
    t.match(result.stdout, /Executed 10 migrations \(paired layout\) up, down and up again in .+: 4 passed, 6 failed\./);
  });

  await t.test('roles a migration makes are dropped after the run; a role the server had before that a migration drops is reported', async (t) => {
    await admin.unsafe('CREATE ROLE legacy_reader');
    const report = await executeMigrations(await migrationsOf(join(import.meta.dirname, 'fixtures', 'execute', 'outside')), { url: db.server.url });
    t.same(report.violations, [], 'both downs restore the schema of the scratch database');
    t.same(report.outside, [
      { kind: 'role', name: 'report_writer', migration: '20260101000100_create_report_writer', change: 'created', removed: true },
      {
        kind: 'role',
        name: 'legacy_reader',
        migration: '20260101000000_drop_legacy_reader',
        change: 'dropped',
        removed: false,
        problem: 'it existed on the server before the run and is not restored',
      },
    ]);
    t.notOk(await roleExists('report_writer'));
    t.match(executedSummary(report).join('\n'), 'Outside the scratch database: 20260101000000_drop_legacy_reader dropped role legacy_reader; it existed on the server before the run and is not restored.');
  });

  await t.test('a scratch database of a run that is gone is dropped; one a live run uses is kept', async (t) => {
    const dead = 'verify_00000000000000de';
    const connected = 'verify_00000000000000c0';
    const between = 'verify_00000000000000b0_1';
    for (const name of [dead, `${dead}_2`, connected, between]) await admin.unsafe(`CREATE DATABASE "${name}"`);
    // A live run connected to its database, and a live run between connections (only its maintenance session, named after it).
    const user = connect(db.server.url.replace(/\/postgres$/, `/${connected}`), { max: 1 });
    const runner = connect(db.server.url, { max: 1, connection: { application_name: 'verify_00000000000000b0' } });
    t.teardown(async () => {
      await user.end({ timeout: 1 });
      await runner.end({ timeout: 1 });
    });
    await user`SELECT 1`;
    await runner`SELECT 1`;
    const report = await executeMigrations(migrations.slice(0, 1), { url: db.server.url });
    t.same(report.staleDropped, [dead, `${dead}_2`]);
    t.match(executedSummary(report).join('\n'), `Dropped 2 scratch databases left by earlier runs that are gone: ${dead}, ${dead}_2.`);
    t.same(await scratchDatabases(), [between, connected]);
    await user.end({ timeout: 1 });
    await runner.end({ timeout: 1 });
    for (const name of [connected, between]) await admin.unsafe(`DROP DATABASE "${name}"`);
  });
});
