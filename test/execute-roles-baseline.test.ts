// The executed proof's reach beyond tables (owners, the server's roles), a migration without a down, and a baseline run
// before the first migration: each judged on a real PostgreSQL, against the static report where both speak.
import t from 'tap';
import type { Test } from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { executeMigrations, type ExecuteReport } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';
import { readBaseline } from '../core/migrations/baseline.js';
import { allViolations } from '../verify/report/index.js';
import { rules, verify } from '../verify/index.js';

/** A folder of `<version>_<slug>.up.sql` (and `.down.sql` when given) files. */
function folder(t: Test, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'roles-baseline-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

function lines(report: ExecuteReport): string[] {
  return report.violations.map((v) => `${basename(v.file)}:${v.line}:${v.column} ${v.rule} ${v.message}`);
}

t.test('owners, roles, missing downs and baselines on a real server', async (t) => {
  const db = await startTestServer(t);
  // Rebuilds re-apply from an empty database, where the baseline must run again.
  const run = async (dir: string, baseline?: string): Promise<ExecuteReport> =>
    executeMigrations(await migrationsOf(dir), { url: db.server.url, rebuild: 'reapply', ...(baseline ? { baseline: await readBaseline(baseline) } : {}) });

  await t.test('an owner the up changes and the down does not put back', async (t) => {
    const dir = folder(t, {
      '20260101000100_create_things.up.sql': 'CREATE TABLE things (id bigint PRIMARY KEY);\n',
      '20260101000100_create_things.down.sql': 'DROP TABLE things;\n',
      '20260101000200_hand_things_over.up.sql': 'CREATE ROLE things_owner;\nALTER TABLE things OWNER TO things_owner;\n',
      '20260101000200_hand_things_over.down.sql': 'REASSIGN OWNED BY things_owner TO things_owner;\n',
    });
    const report = await run(dir);
    t.match(lines(report).join('\n'), /20260101000200_hand_things_over\.down\.sql:1:1 down-restores-schema Rolling back leaves the schema changed: .*table things owner was \w+, is things_owner/);
    t.match(lines(report).join('\n'), /role things_owner still exists/);
  });

  await t.test('a role membership and a role setting the down leaves behind', async (t) => {
    const dir = folder(t, {
      '20260101000100_grant_monitor.up.sql': 'CREATE ROLE app_monitor;\nGRANT pg_monitor TO app_monitor;\nALTER ROLE app_monitor SET statement_timeout = 1000;\n',
      '20260101000100_grant_monitor.down.sql': 'SELECT 1;\n',
    });
    const text = lines(await run(dir)).join('\n');
    t.match(text, /role app_monitor still exists/, 'the role is compared, attributes, memberships and settings with it');
    const restored = folder(t, {
      '20260101000100_grant_monitor.up.sql': 'CREATE ROLE app_monitor2;\nGRANT pg_monitor TO app_monitor2;\nALTER ROLE app_monitor2 SET statement_timeout = 1000;\n',
      '20260101000100_grant_monitor.down.sql': 'ALTER ROLE app_monitor2 RESET statement_timeout;\nREVOKE pg_monitor FROM app_monitor2;\nDROP ROLE app_monitor2;\n',
    });
    t.same(lines(await run(restored)), [], 'a down that undoes all three restores the roles');
    const membership = folder(t, {
      '20260101000100_make_role.up.sql': 'CREATE ROLE app_member;\n',
      '20260101000100_make_role.down.sql': 'DROP ROLE app_member;\n',
      '20260101000200_grant.up.sql': 'GRANT pg_monitor TO app_member;\nALTER ROLE app_member SET work_mem = 4096;\n',
      '20260101000200_grant.down.sql': 'SELECT 1;\n',
    });
    const grant = lines(await run(membership)).join('\n');
    t.match(grant, /20260101000200_grant\.down\.sql:1:1 down-restores-schema .*role app_member member of/);
    t.match(grant, /role app_member setting work_mem=4096 still exists/);
  });

  await t.test("a view whose 'now' PostgreSQL folded into a constant, re-made by the same SQL, is restored", async (t) => {
    const view = "CREATE VIEW recent AS SELECT id FROM posts WHERE published > ('now'::timestamp - '1 month'::interval);\n";
    const dir = folder(t, {
      '20260101000100_create_posts.up.sql': `CREATE TABLE posts (id bigint PRIMARY KEY, published timestamp);\n${view}`,
      '20260101000100_create_posts.down.sql': 'DROP VIEW recent;\nDROP TABLE posts;\n',
      '20260101000200_add_title.up.sql': 'DROP VIEW recent;\nALTER TABLE posts ADD COLUMN title text;\n',
      '20260101000200_add_title.down.sql': `ALTER TABLE posts DROP COLUMN title;\n${view}`,
    });
    t.same(lines(await run(dir)), []);
  });

  await t.test('a migration without a down cannot be rolled back; one marked irreversible is applied up only', async (t) => {
    const dir = folder(t, {
      '20260101000100_create_a.up.sql': 'CREATE TABLE a (id bigint PRIMARY KEY);\n',
      '20260101000200_create_b.up.sql': 'CREATE TABLE b (id bigint PRIMARY KEY);\n',
      '20260101000200_create_b.down.sql': '-- verify:irreversible b keeps customer data\n',
    });
    const report = await run(dir);
    t.same(lines(report), ['20260101000100_create_a.up.sql:1:1 down-fails Rolling back stops here: there is no down to run (20260101000100_create_a.down.sql is missing).']);
    t.same(report.failed, ['20260101000100_create_a']);
    // With the static report, the same problem is said once: by down-reverses-up, which has a doc and a help.
    const checked = await verify({ paths: [dir], rules, cache: false });
    const merged = allViolations({ static: checked, executed: { runs: [{ ...report, summary: [] }] }, tool: { name: 't', version: '0' }, root: dir, rules: [], sources: new Map() });
    t.same(merged.filter((v) => v.file.endsWith('create_a.up.sql') && v.line === 1).map((v) => v.rule), ['down-reverses-up']);
  });

  await t.test('a baseline runs before the first migration, and again after a rebuild from empty', async (t) => {
    const dir = folder(t, {
      '20260101000100_add_sku.up.sql': 'ALTER TABLE legacy_products ADD COLUMN sku text;\n',
      '20260101000100_add_sku.down.sql': 'ALTER TABLE legacy_products DROP COLUMN sku;\n',
      '20260101000200_bad_down.up.sql': 'CREATE INDEX legacy_products_sku_idx ON legacy_products (sku);\n',
      '20260101000200_bad_down.down.sql': 'DROP INDEX legacy_products_sku_idx;\nALTER TABLE legacy_products ADD COLUMN junk int;\n',
      '20260101000300_add_name.up.sql': 'ALTER TABLE legacy_products ADD COLUMN name text;\n',
      '20260101000300_add_name.down.sql': 'ALTER TABLE legacy_products DROP COLUMN name;\n',
    });
    const baseline = join(folder(t, {}), 'baseline.sql');
    writeFileSync(baseline, 'CREATE TABLE legacy_products (id bigint PRIMARY KEY);\nCREATE ROLE IF NOT EXISTS;\n');
    const without = await run(dir);
    t.match(lines(without)[0], /20260101000100_add_sku\.up\.sql:1:\d+ up-fails .*relation "legacy_products" does not exist/, 'without it the chain cannot start');
    writeFileSync(baseline, 'CREATE TABLE legacy_products (id bigint PRIMARY KEY);\nCREATE TABLE legacy_products (id bigint);\n');
    const report = await run(dir, baseline);
    t.same(lines(report), [
      'baseline.sql:2:1 up-fails The baseline\'s statement fails, and the migrations start without what it makes: relation "legacy_products" already exists.',
      '20260101000200_bad_down.down.sql:2:1 down-restores-schema Rolling back leaves the schema changed: column legacy_products.junk still exists.',
      '20260101000200_bad_down.up.sql:1:1 up-is-repeatable Redeploying after a rollback gives a different schema: column legacy_products.junk appears only after the second up.',
    ]);
    t.equal(report.rebuilds.count, 1, 'rebuilt from an empty database after the bad down');
    t.equal(report.rebuilds.fromCopy, 0);
    t.same(report.migrations.map((m) => m.verdict), ['passed', 'failed', 'passed']);
  });
});
