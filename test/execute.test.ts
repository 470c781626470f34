// executeMigrations on planted defects: each is caught with a readable line at the right place, and no scratch database stays.
import t from 'tap';
import { basename, join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { connect } from '../core/postgres/database-url.js';
import { executeMigrations, ScratchDatabaseError, type ExecuteReport } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');

/** "file:line:column rule message" for each violation, file by base name. */
function lines(report: ExecuteReport): string[] {
  return report.violations.map((v) => `${basename(v.file)}:${v.line}:${v.column} ${v.rule} ${v.message}`);
}

t.test('executed verification', async (t) => {
  const db = await startTestServer(t);
  const admin = connect(db.server.url);
  t.teardown(() => admin.end({ timeout: 1 }));
  await admin.unsafe('CREATE ROLE app_reader');
  const run = async (fixture: string): Promise<ExecuteReport> => executeMigrations(await migrationsOf(join(FIXTURES, fixture)), { url: db.server.url });
  const scratchDatabases = async (): Promise<string[]> => (await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE 'verify\\_%'`).map((r) => r.datname);

  const cases: { name: string; fixture: string; expected: string[] }[] = [
    {
      name: 'a down that leaves an index made by dynamic SQL',
      fixture: 'dynamic-index-left',
      expected: [
        '20260101000100_index_products_name.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: index idx_products_name on products still exists.',
        '20260101000100_index_products_name.up.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: relation "idx_products_name" already exists.',
      ],
    },
    {
      name: 'a down that sets a different default than before',
      fixture: 'default-changed',
      expected: ["20260101000100_default_product_name.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column products.name default was none, is ''."],
    },
    {
      name: 'a down that drops the wrong function signature fails',
      fixture: 'function-signature-error',
      expected: [
        '20260101000100_create_function_price_with_tax.down.sql:2:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: function price_with_tax(numeric) does not exist.',
      ],
    },
    {
      name: 'a down that drops the wrong function signature with IF EXISTS leaves the function',
      fixture: 'function-signature-leftover',
      expected: [
        '20260101000100_create_function_price_with_tax.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: function price_with_tax(integer) still exists.',
        '20260101000100_create_function_price_with_tax.up.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: function "price_with_tax" already exists with same argument types.',
      ],
    },
    {
      name: 'a down that drops the column but leaves the enum type the up created',
      fixture: 'enum-left-behind',
      expected: [
        '20260101000100_add_products_mood.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: type mood still exists.',
        '20260101000100_add_products_mood.up.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: type "mood" already exists.',
      ],
    },
    {
      name: 'a down that leaves a grant and row level security',
      fixture: 'grant-left',
      expected: [
        '20260101000100_grant_products.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: table products row level security was off, is on.',
        '20260101000100_grant_products.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: table products privilege app_reader SELECT still exists.',
      ],
    },
    { name: 'a COMMENT round trip (COMMENT x, then the previous comment back) passes', fixture: 'comment-round-trip', expected: [] },
    { name: 'a correct migration over every kind of object passes, an irreversible one runs up only', fixture: 'kitchen-sink', expected: [] },
    {
      name: 'an up that fails is mapped to the line and character column Postgres points at',
      fixture: 'up-fails',
      expected: ['20260101000100_create_product_prices.up.sql:5:16 up-fails The deploy stops here because PostgreSQL rejects this statement: column "price" does not exist.'],
    },
    {
      name: 'an up that does not parse is reported where the parser stops, before anything runs',
      fixture: 'parse-error',
      expected: ['20260101000000_create_broken.up.sql:2:33 up-fails The deploy stops here because the file does not parse: syntax error at or near ")".'],
    },
  ];
  for (const c of cases) {
    await t.test(c.name, async (t) => {
      const report = await run(c.fixture);
      t.same(lines(report), c.expected);
      t.match(report.database, /^verify_[0-9a-f]{16}$/);
      t.same(await scratchDatabases(), [], 'no scratch database is left behind');
    });
  }

  await t.test('a failed up is skipped, the chain goes on without it, and every migration is reported', async (t) => {
    const report = await run('up-fails');
    t.same(
      report.migrations.map((m) => [m.name, m.verdict, m.applied, m.downMs === undefined]),
      [
        ['20260101000000_create_products', 'passed', true, false],
        ['20260101000100_create_product_prices', 'failed', false, true],
        ['20260101000200_never_runs', 'passed', true, false],
      ],
    );
    t.same(report.failed, ['20260101000100_create_product_prices']);
    t.same(report.notRun, []);
    const violation = report.violations[0]!;
    t.same([violation.endLine, violation.endColumn, violation.severity], [5, 35, 'error'], 'the span ends where the statement ends');
    t.ok(violation.help);
  });

  await t.test('an irreversible migration is applied up only and says so', async (t) => {
    const report = await run('kitchen-sink');
    const irreversible = report.migrations.find((m) => m.name === '20260101000100_alter_catalog');
    t.same([irreversible?.irreversible, irreversible?.downMs], [true, undefined]);
    t.ok(report.migrations.every((m) => m.upMs >= 0) && report.totalMs > 0);
  });

  await t.test('progress is reported once per migration, in order', async (t) => {
    const seen: string[] = [];
    await executeMigrations(await migrationsOf(join(FIXTURES, 'comment-round-trip')), { url: db.server.url, onProgress: (k, n, name) => seen.push(`${k}/${n} ${name}`) });
    t.same(seen, ['1/3 20260101000000_create_products', '2/3 20260101000100_comment_products', '3/3 20260101000200_recomment_products']);
  });

  await t.test('an AbortSignal drops the scratch database and rejects', async (t) => {
    const controller = new AbortController();
    const running = executeMigrations(await migrationsOf(join(FIXTURES, 'slow')), { url: db.server.url, signal: controller.signal, onProgress: () => setTimeout(() => controller.abort(), 300) });
    await t.rejects(running, { name: 'AbortError' });
    t.same(await scratchDatabases(), []);
  });

  await t.test('a server that refuses the scratch database gives one line without the password', async (t) => {
    await admin.unsafe(`CREATE ROLE plain LOGIN PASSWORD 's3cret-pw'`);
    const url = db.server.url.replace('postgres://postgres@', 'postgres://plain:s3cret-pw@');
    const error = await executeMigrations([], { url }).catch((e: unknown) => e);
    t.type(error, ScratchDatabaseError);
    t.match((error as Error).message, /^cannot create a scratch database on 127\.0\.0\.1:\d+: permission denied to create database$/);
    t.notMatch((error as Error).message, /s3cret/);
  });
});
