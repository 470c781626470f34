// make migrate runs the verifier first: a chain with verifier errors is refused before anything touches the
// database, and SKIP_VERIFY='<reason>' is the logged emergency override.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { userTables } from './helpers/catalog.js';
import { childEnv } from './helpers/child-env.js';

const root = join(import.meta.dirname, '..');

function make(args: readonly string[], env: Record<string, string>): { status: number | null; out: string } {
  const result = spawnSync('make', ['-s', '-o', 'dist/.built', '-o', 'node_modules/.installed', ...args], { cwd: root, env: childEnv(env), encoding: 'utf8', timeout: 120_000 });
  return { status: result.status, out: `${result.stdout}${result.stderr}` };
}

t.test('make migrate refuses a chain with verifier errors, and SKIP_VERIFY overrides it with a warning', async (t) => {
  const db = await startTestServer(t);
  const { url, sql } = await db.freshDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'make-migrate-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  // A foreign key without an index: it runs, but the verifier calls it an error (foreign-key-needs-index).
  writeFileSync(join(dir, '20260101000000_create_brands.up.sql'), '-- Brands.\nCREATE TABLE brands (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '20260101000000_create_brands.down.sql'), 'DROP TABLE brands;\n');
  writeFileSync(join(dir, '20260101000100_create_items.up.sql'), '-- Items.\nCREATE TABLE items (id bigint PRIMARY KEY, brand_id bigint NOT NULL REFERENCES brands (id));\n');
  writeFileSync(join(dir, '20260101000100_create_items.down.sql'), 'DROP TABLE items;\n');

  const refused = make(['migrate', `MIGRATIONS_DIR=${dir}`], { DATABASE_URL: url });
  t.not(refused.status, 0);
  t.match(refused.out, /foreign-key-needs-index/, 'the verifier report is shown');
  t.match(refused.out, /error: the verifier found errors in .*, so nothing was applied: fix them \(or, in an emergency, SKIP_VERIFY='<reason>'\)/);
  t.same(await userTables(sql), [], 'nothing was applied');

  const forced = make(['migrate', `MIGRATIONS_DIR=${dir}`, 'SKIP_VERIFY=hotfix, index follows in the next migration'], { DATABASE_URL: url });
  t.equal(forced.status, 0, forced.out);
  t.match(forced.out, /warning: the verifier was skipped: hotfix, index follows in the next migration/);
  t.same(await userTables(sql), ['brands', 'items']);
});
