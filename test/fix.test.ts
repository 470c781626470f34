// verify-migrations --fix: each safe rewrite fixes its finding, adds no other, and the fixed migrations apply and roll
// back on a real PostgreSQL; files git has committed are left alone.
import t from 'tap';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';
import { fixedFiles, planFixes, unifiedDiff, writeFixedFiles } from '../verify/fix/index.js';
import { migrateDown, migrateUp } from '../runner/runner.js';
import { startTestServer } from './helpers/server.js';
import { userTables } from './helpers/catalog.js';

const FIXABLE = new Set(['require-concurrent-index-creation', 'require-concurrent-index-deletion', 'constraint-missing-not-valid', 'adding-foreign-key-constraint', 'prefer-timestamp-tz', 'prefer-text-field', 'prefer-robust-stmts']);

function history(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fix-'));
  const write = (name: string, up: string, down: string) => {
    writeFileSync(join(dir, `${name}.up.sql`), up);
    writeFileSync(join(dir, `${name}.down.sql`), down);
  };
  write('20260101000000_create_brands', '-- Brands.\nCREATE TABLE brands (\n    id bigint PRIMARY KEY\n);\n', 'DROP TABLE brands;\n');
  write(
    '20260101000100_create_products',
    '-- Products.\nCREATE TABLE products (\n    id bigint PRIMARY KEY,\n    name varchar(50) NOT NULL,\n    brand_id bigint,\n    created_at timestamp(3) NOT NULL DEFAULT now()\n);\nCREATE INDEX products_brand_id_idx ON products (brand_id);\n',
    'DROP TABLE products;\n',
  );
  write('20260102000000_index_products_name', '-- Search by name.\nCREATE INDEX products_name_idx ON products (name);\n', 'DROP INDEX products_name_idx;\n');
  write('20260103000000_check_products_name', '-- Names are never blank.\nALTER TABLE products ADD CONSTRAINT products_name_not_blank CHECK (name <> \'\');\n', 'ALTER TABLE products DROP CONSTRAINT products_name_not_blank;\n');
  write('20260104000000_products_brand_fk', '-- Products belong to brands.\nALTER TABLE products ADD CONSTRAINT products_brand_id_fkey FOREIGN KEY (brand_id) REFERENCES brands (id);\n', 'ALTER TABLE products DROP CONSTRAINT products_brand_id_fkey;\n');
  return dir;
}

async function findings(dir: string) {
  const result = await verify({ paths: [dir], rules, cache: false });
  return { result, errors: result.violations.filter((v) => v.severity === 'error'), fixable: result.violations.filter((v) => FIXABLE.has(v.rule)) };
}

t.test('--fix rewrites what has one safe answer; a second run finds nothing more to fix', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const before = await findings(dir);
  t.same(before.fixable.map((v) => `${v.file.split('/').pop()}:${v.line} ${v.rule}`).sort(), [
    '20260101000100_create_products.up.sql:4 prefer-text-field',
    '20260101000100_create_products.up.sql:6 prefer-timestamp-tz',
    '20260102000000_index_products_name.down.sql:1 require-concurrent-index-deletion',
    '20260102000000_index_products_name.up.sql:2 require-concurrent-index-creation',
    '20260103000000_check_products_name.up.sql:2 constraint-missing-not-valid',
    '20260104000000_products_brand_fk.up.sql:2 adding-foreign-key-constraint',
  ]);
  // Two findings in one file are fixed one run at a time (a second fix would edit bytes the first moved).
  for (let run = 0; run < 3; run++) {
    const { result } = await findings(dir);
    const plan = planFixes(result.migrations, result.violations);
    writeFixedFiles(fixedFiles(plan));
  }
  const after = await findings(dir);
  t.same(after.fixable.map((v) => `${v.file.split('/').pop()}:${v.line} ${v.rule} ${v.message}`), [], 'nothing fixable is left');
  t.same(after.errors.map((v) => `${v.file.split('/').pop()}:${v.line} ${v.rule} ${v.message}`), [], 'and no error came in its place');
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  t.equal(read('20260102000000_index_products_name.up.sql'), '-- migrate:no-transaction\n-- Search by name.\nCREATE INDEX CONCURRENTLY IF NOT EXISTS products_name_idx ON products (name);\n');
  t.equal(read('20260102000000_index_products_name.down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS products_name_idx;\n');
  t.match(read('20260101000100_create_products.up.sql'), "name text CHECK (length(name) <= 50) NOT NULL,\n    brand_id bigint,\n    created_at timestamptz(3) NOT NULL");
  t.match(read('20260103000000_check_products_name.up.sql'), "CHECK (name <> '') NOT VALID;\n");
  t.same(
    readdirSync(dir).filter((f) => f.includes('validate')).sort(),
    ['20260103000001_validate_products_name_not_blank.down.sql', '20260103000001_validate_products_name_not_blank.up.sql', '20260104000001_validate_products_brand_id_fkey.down.sql', '20260104000001_validate_products_brand_id_fkey.up.sql'],
  );
  t.match(read('20260104000001_validate_products_brand_id_fkey.up.sql'), 'ALTER TABLE products VALIDATE CONSTRAINT products_brand_id_fkey;\n');

  // The fixed history applies and rolls back on a real server, and ends with the same constraints, validated.
  const db = await startTestServer(t);
  const { url, sql } = await db.freshDatabase();
  await migrateUp({ dir, databaseUrl: url });
  t.same(await userTables(sql), ['brands', 'products'], 'the tables');
  const constraints = await sql<{ conname: string; convalidated: boolean }[]>`SELECT conname, convalidated FROM pg_constraint WHERE conrelid = 'products'::regclass AND contype IN ('c', 'f') ORDER BY conname`;
  t.same(constraints.map((c) => `${c.conname} ${c.convalidated}`), ['products_brand_id_fkey true', 'products_name_check true', 'products_name_not_blank true']);
  const [index] = await sql<{ valid: boolean }[]>`SELECT indisvalid AS valid FROM pg_index WHERE indexrelid = 'products_name_idx'::regclass`;
  t.equal(index?.valid, true, 'the concurrent index was built');
  await migrateDown({ dir, databaseUrl: url, count: 'all' });
  t.same(await userTables(sql), [], 'and everything rolls back');
});

t.test('--fix-dry-run shows a unified diff and writes nothing; committed files are left alone', async (t) => {
  const dir = history();
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const { result } = await findings(dir);
  const plan = planFixes(result.migrations, result.violations);
  const files = fixedFiles(plan);
  const diff = files.map((file) => unifiedDiff(file)).join('');
  t.match(diff, `--- ${dir}/20260102000000_index_products_name.up.sql\n+++ ${dir}/20260102000000_index_products_name.up.sql\n@@ -1,2 +1,3 @@\n+-- migrate:no-transaction\n -- Search by name.\n-CREATE INDEX products_name_idx ON products (name);\n+CREATE INDEX CONCURRENTLY IF NOT EXISTS products_name_idx ON products (name);\n`);
  t.match(diff, `--- /dev/null\n+++ ${dir}/20260103000001_validate_products_name_not_blank.up.sql\n@@ -0,0 +1,2 @@\n`);
  t.equal(readFileSync(join(dir, '20260102000000_index_products_name.up.sql'), 'utf8'), '-- Search by name.\nCREATE INDEX products_name_idx ON products (name);\n', 'nothing written');
  const committed = planFixes(result.migrations, result.violations, { isCommitted: (path) => path.includes('20260102000000') });
  t.same(committed.committed.map((v) => v.rule).sort(), ['require-concurrent-index-creation', 'require-concurrent-index-deletion']);
  t.notOk(committed.edits.some((e) => e.path.includes('20260102000000')), 'a committed migration is never edited');
});
