// The DBA's ten tasks (issue 14), redone end to end in a copy of this repo's sql/: written the way the rule docs and
// the help tell, they verify clean, deploy and show a drift once; written naively, each problem is one finding whose
// help leads to the clean version; the real errors (a wrong down, an unflagged drop) are found, each once.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';

const ROOT = join(import.meta.dirname, '..');
const TASKS = join(import.meta.dirname, 'fixtures', 'dba-tasks');
const node = (script: string, args: string[], cwd: string, env: Record<string, string | undefined> = {}) =>
  spawnSync(process.execPath, [join(ROOT, 'dist', script), ...args], { cwd, encoding: 'utf8', env: childEnv({ DATABASE_URL: undefined, VERIFY_DATABASE_URL: undefined, ...env }) });

t.test("the DBA's ten tasks", async (t) => {
  const project = mkdtempSync(join(tmpdir(), 'dba-tasks-'));
  t.teardown(() => rmSync(project, { recursive: true, force: true }));
  const sql = join(project, 'sql');
  cpSync(join(ROOT, 'sql'), sql, { recursive: true });
  cpSync(join(TASKS, 'correct'), sql, { recursive: true });
  const sum = (): void => {
    t.equal(node('scripts/sum.js', ['--dir', 'sql'], project).status, 0, 'make sum');
  };
  const found = async () => (await verify({ paths: [sql], rules, cache: false })).violations.map((v) => `${v.file.split('/').pop()}:${v.line} ${v.rule}`);
  sum();

  t.same(await found(), [], 'written as the docs and the help say: no finding at all (errors or warnings)');

  await t.test('naively: one finding per problem, and its help leads to the clean version above', async (t) => {
    const cases: { name: string; up: string; down: string; expected: string[] }[] = [
      { name: 'a unique index built in the transaction', up: 'CREATE UNIQUE INDEX products_sku2_key ON products (sku);', down: 'DROP INDEX products_sku2_key;', expected: ['down:2 require-concurrent-index-deletion', 'up:2 require-concurrent-index-creation'] },
      { name: 'a foreign key column without its index', up: 'ALTER TABLE routines ADD COLUMN product_id UUID REFERENCES products (id);', down: 'ALTER TABLE routines DROP COLUMN product_id;', expected: ['up:2 foreign-key-needs-index'] },
      { name: 'a foreign key validated at once (indexed)', up: 'ALTER TABLE experiments ADD CONSTRAINT experiments_owner2_fkey FOREIGN KEY (owner_id) REFERENCES users (id);', down: 'ALTER TABLE experiments DROP CONSTRAINT experiments_owner2_fkey;', expected: ['up:2 adding-foreign-key-constraint'] },
      { name: 'a CHECK validated at once', up: 'ALTER TABLE products ADD CONSTRAINT products_name_length_check CHECK (char_length(name) <= 200);', down: 'ALTER TABLE products DROP CONSTRAINT products_name_length_check;', expected: ['up:2 constraint-missing-not-valid'] },
      { name: 'a rename in place', up: 'ALTER TABLE products RENAME COLUMN brand TO maker;', down: 'ALTER TABLE products RENAME COLUMN maker TO brand;', expected: ['up:2 renaming-column'] },
      { name: 'an enum value placed by nothing, with no down', up: "ALTER TYPE shipment_status ADD VALUE 'returned';", down: '-- verify:irreversible PostgreSQL cannot drop an enum value', expected: ['up:2 require-enum-value-ordering'] },
    ];
    const up = join(sql, '20260301000000_naive.up.sql');
    const down = join(sql, '20260301000000_naive.down.sql');
    for (const c of cases) {
      writeFileSync(up, `-- ${c.name}.\n${c.up}\n`);
      writeFileSync(down, `-- Undoes it.\n${c.down}\n`);
      const got = (await found()).filter((f) => !f.includes('manifest-missing')).map((f) => f.replace(/^20260301000000_naive\.(up|down)\.sql/, '$1'));
      t.same(got.sort(), c.expected, c.name);
      t.equal(new Set(got).size, got.length, `${c.name}: no finding twice`);
    }
    unlinkSync(up);
    unlinkSync(down);
  });

  await t.test('the real errors are found, each once', async (t) => {
    cpSync(join(TASKS, 'wrong'), sql, { recursive: true });
    sum();
    t.same(await found(), ['20260201001300_add_users_nickname.up.sql:2 down-reverses-up', '20260201001400_drop_products_description.up.sql:2 destructive-needs-flag'], 'the wrong down (it drops the column from profiles) and the unflagged drop; nothing about the rest');
    for (const file of readdirSync(join(TASKS, 'wrong'))) unlinkSync(join(sql, file));
    sum();
  });

  await t.test('the deploy applies them, and a drift is reported once with the DDL that reconciles it', async (t) => {
    const db = await startTestServer(t);
    const target = await db.freshDatabase('dba_tasks');
    const up = node('scripts/migrate.js', ['up', '--dir', 'sql'], project, { DATABASE_URL: target.url, SKIP_VERIFY: undefined });
    t.equal(up.status, 0, up.stderr);
    await target.sql.unsafe('ALTER TABLE products ADD COLUMN added_by_hand TEXT');
    const drift = node('verify/cli.js', ['--drift', 'sql', '--format', 'json'], project, { DATABASE_URL: target.url, VERIFY_DATABASE_URL: db.server.url });
    t.equal(drift.stderr, '', 'nothing on stderr');
    const report = JSON.parse(drift.stdout) as { violations: { rule: string; message: string }[]; drift: { reconcile: string[] } };
    t.same(report.violations.map((v) => v.rule), ['schema-drift'], 'one difference, one finding');
    t.match(report.violations[0]!.message, 'added_by_hand');
    t.match(report.drift.reconcile.join('\n'), /DROP COLUMN added_by_hand/);
  });
});
