// --execute applies every layout the verifier reads, through the one migration model: in each, a planted bad down is
// caught at that migration (down-fails or down-restores-schema, at the right file and line), the migrations that are
// right report nothing, each side runs the way its runner would (transactions, sections of single files), and a
// folder with nothing to execute is a usage error (exit 2), never "Executed 0 migrations".
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';
import { verify } from '../verify/engine.js';
import { executeMigrations, type ExecuteReport } from '../verify/execute/index.js';
import { migrationsOf, runExecuted } from '../verify/executed-run.js';

const ROOT = new URL('..', import.meta.url).pathname;
const FIXTURES = join(import.meta.dirname, 'fixtures', 'execute');
const LAYOUTS = join(FIXTURES, 'layouts');

/** "file:line:column rule message", the file relative to the layout's folder. */
function found(report: ExecuteReport, folder: string): string[] {
  return report.violations.map((v) => `${relative(folder, v.file)}:${v.line}:${v.column} ${v.rule} ${v.message}`);
}

interface LayoutCase {
  readonly layout: string;
  readonly names: readonly string[];
  readonly transaction: readonly string[];
  readonly expected: readonly string[];
}

const CASES: readonly LayoutCase[] = [
  {
    layout: 'paired',
    names: ['20260101000000_create_products', '20260101000100_add_products_sku', '20260101000200_index_products_name'],
    // -- migrate:no-transaction: statement by statement, so CREATE INDEX CONCURRENTLY runs.
    transaction: ['per-migration', 'per-migration', 'none'],
    expected: ['20260101000100_add_products_sku.down.sql:2:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column "skuu" of relation "products" does not exist.'],
  },
  {
    layout: 'golang-migrate',
    names: ['000001_create_users', '000002_add_users_email', '000003_index_users_id'],
    // One query per file: CREATE INDEX CONCURRENTLY alone in its file runs outside any transaction block.
    transaction: ['implicit-per-file', 'implicit-per-file', 'implicit-per-file'],
    expected: [
      '000002_add_users_email.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column users.email still exists.',
      '000002_add_users_email.up.sql:1:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column "email" of relation "users" already exists.',
    ],
  },
  {
    layout: 'diesel',
    names: ['2020-01-01-000000_create_posts', '2020-01-02-000000_add_posts_body', '2020-01-03-000000_index_posts_title'],
    // metadata.toml's run_in_transaction = false: the file is one query, so its lone CONCURRENTLY runs.
    transaction: ['per-migration', 'per-migration', 'implicit-per-file'],
    expected: [
      // diesel's generated down holds only a comment: it restores nothing.
      '2020-01-02-000000_add_posts_body/down.sql:1:1 down-restores-schema Rolling back leaves the schema changed: column posts.body still exists.',
      '2020-01-02-000000_add_posts_body/up.sql:1:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column "body" of relation "posts" already exists.',
    ],
  },
  {
    layout: 'dbmate',
    names: ['20200101000000_create_accounts', '20200102000000_add_accounts_balance', '20200103000000_index_accounts_balance'],
    // transaction:false on the up marker only: the up section is one query, the down runs in dbmate's transaction.
    transaction: ['per-migration', 'per-migration', 'implicit-per-file/per-migration'],
    // At the line of the down section in the one file, not at the up's statements run a second time.
    expected: ['20200102000000_add_accounts_balance.sql:5:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column "balanc" of relation "accounts" does not exist.'],
  },
  {
    layout: 'node-pg-migrate',
    names: ['1700000000000_create-orders', '1700000000001_add-orders-note', '1700000000002_create-order-items'],
    transaction: ['per-migration', 'per-migration', 'per-migration'],
    // No down statement names the column: the difference points at the down section's first statement.
    expected: ['1700000000001_add-orders-note.sql:6:1 down-restores-schema Rolling back leaves the schema changed: column orders.total default was none, is 0.'],
  },
  // The layouts of more runners, each with its own way of saying "no transaction" on the third migration.
  { layout: 'sourcegraph', names: ['1528395834_create_users', '1528395835_add_users_email', '1528395836_index_users_email'], transaction: ['per-migration', 'per-migration', 'implicit-per-file'], expected: ["1528395835_add_users_email/down.sql:2:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column \"emial\" of relation \"users\" does not exist."] },
  { layout: 'popx', names: ['20200101000000000000_create_users', '20200102000000000000_add_users_email', '20200103000000000000_index_users_email'], transaction: ['per-migration', 'per-migration', 'implicit-per-file'], expected: ["20200102000000000000_add_users_email.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column users.email still exists.", "20200102000000000000_add_users_email.postgres.up.sql:1:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column \"email\" of relation \"users\" already exists."] },
  { layout: 'goose', names: ['00001_create_users', '00002_add_users_email', '00003_index_users_email'], transaction: ['per-migration', 'per-migration', 'none'], expected: ["00002_add_users_email.sql:6:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column \"emial\" of relation \"users\" does not exist."] },
  { layout: 'sql-migrate', names: ['1_create_users', '2_add_users_email', '3_index_users_email'], transaction: ['per-migration', 'per-migration', 'none'], expected: ["2_add_users_email.sql:6:1 down-restores-schema Rolling back leaves the schema changed: column users.email still exists.", "2_add_users_email.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column \"email\" of relation \"users\" already exists."] },
  { layout: 'flyway', names: ['V1__create_users', 'V1.1__add_users_email', 'V1.2__index_users_email'], transaction: ['per-migration', 'per-migration', 'none'], expected: ["U1.1__add_users_email.sql:2:1 down-fails Rolling back stops here because PostgreSQL rejects this statement: column \"emial\" of relation \"users\" does not exist."] },
  { layout: 'sqitch', names: ['create_users', 'add_users_email'], transaction: ['none', 'none'], expected: ["revert/add_users_email.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column users.email still exists.", "deploy/add_users_email.sql:2:1 up-is-repeatable Redeploying after a rollback stops here because PostgreSQL rejects this statement: column \"email\" of relation \"users\" already exists."] },
  { layout: 'liquibase', names: ['ann:1', 'ann:2', 'ann:3'], transaction: ['per-migration', 'per-migration', 'none'], expected: ["changelog.sql:9:12 down-fails Rolling back stops here because PostgreSQL rejects this statement: column \"emial\" of relation \"users\" does not exist."] },
];

t.test('--execute in every layout', async (t) => {
  const db = await startTestServer(t);
  for (const c of CASES) {
    await t.test(`${c.layout}: the planted bad down is caught at its migration, the right ones report nothing`, async (t) => {
      const folder = join(LAYOUTS, c.layout);
      const migrations = await migrationsOf(folder);
      // The executed proof runs exactly what the static verifier read: the same migrations, in the same order.
      const verified = await verify({ paths: [folder], rules: [], cache: false });
      t.same(migrations.map((m) => m.name), verified.migrations.map((m) => m.name));
      t.same(migrations.map((m) => m.name), c.names);
      t.same(
        migrations.map((m) => (m.transaction.up === m.transaction.down ? m.transaction.up : `${m.transaction.up}/${m.transaction.down}`)),
        c.transaction,
      );
      t.ok(migrations.every((m) => m.layout === c.layout));
      const report = await executeMigrations(migrations, { url: db.server.url });
      t.same(found(report, folder), c.expected);
      t.same(report.migrations.map((m) => m.name), c.names, 'every migration is run and reported');
      t.same(report.failed, [c.names[1]], 'only the planted one fails');
      t.same(report.migrations.map((m) => m.verdict), c.names.map((name) => (name === c.names[1] ? 'failed' : 'passed')));
    });
  }

  await t.test('a folder with nothing to execute is a usage error naming the folder, and the CLI exits 2 with one line', async (t) => {
    const folder = join(FIXTURES, 'nothing');
    await t.rejects(runExecuted([folder]), { code: 'usage', message: /^--execute found no migration to run in .*nothing: expected / });
    const result = spawnSync(process.execPath, [join(ROOT, 'dist/verify/cli.js'), '--execute', folder], {
      encoding: 'utf8',
      env: childEnv({ VERIFY_DATABASE_URL: db.server.url, NO_COLOR: '1' }),
    });
    t.equal(result.status, 2, result.stderr);
    t.notMatch(result.stdout, /Executed 0/);
    t.match(result.stderr, /^verify-migrations: --execute found no migration to run in \S+nothing: expected <version>_<slug>\.up\.sql/);
    t.equal(result.stderr.trim().split('\n').length, 1);
  });
});
