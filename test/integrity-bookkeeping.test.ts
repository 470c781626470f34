// Issue 12, item 9: the bookkeeping is protected. A migration that touches pgmigrations* is refused, with its
// file:line:column, before anything of the run executes; and when the checksum table is gone while applied
// migrations are recorded, the run stops and names what to do instead of silently taking the files as a baseline
// (the trial dropped pgmigrations_checksums, edited an applied file, and the edit passed).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { migrateUp } from '../runner/runner.js';
import type { Sql } from '../core/postgres/database-url.js';

const MIGRATE = join(import.meta.dirname, '..', 'dist', 'scripts', 'migrate.js');

function migrate(args: readonly string[], url: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MIGRATE, ...args], { env: childEnv({ DATABASE_URL: url }), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function tables(sql: Sql): Promise<string[]> {
  return (await sql<{ name: string }[]>`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`).map((r) => r.name);
}

const TAMPERING: readonly { readonly name: string; readonly sql: string; readonly touched: string; readonly column: number }[] = [
  { name: 'DROP TABLE of the checksums', sql: 'DROP TABLE pgmigrations_checksums;', touched: 'pgmigrations_checksums', column: 1 },
  { name: 'DELETE from pgmigrations, schema-qualified', sql: "DELETE FROM public.pgmigrations WHERE name LIKE '2026%';", touched: 'pgmigrations', column: 1 },
  { name: 'an UPDATE of the checksums in a DO block', sql: "DO $$ BEGIN EXECUTE 'UPDATE pgmigrations_checksums SET up_sha256 = ''x'''; END $$;", touched: 'pgmigrations_checksums', column: 1 },
  { name: 'a quoted identifier, upper case, in a later statement', sql: 'SELECT 1;\nTRUNCATE "PGMIGRATIONS_CHECKSUM_LOG";', touched: 'PGMIGRATIONS_CHECKSUM_LOG', column: 1 },
];

t.test('the bookkeeping is protected', async (t) => {
  const db = await startTestServer(t);

  for (const tamper of TAMPERING) {
    t.test(`refused before anything runs: ${tamper.name}`, async (t) => {
      const { url, sql } = await db.freshDatabase();
      const { dir, names } = migrationFolder(t, [
        { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
        { slug: 'tamper', up: tamper.sql, down: 'SELECT 1;' },
      ]);
      const run = migrate(['up', '--dir', dir], url);
      t.equal(run.status, 2, 'a bad file: exit 2');
      const line = tamper.sql.split('\n').length + 1;
      t.match(
        run.stderr,
        new RegExp(`^error: \\S+${names[1]}\\.up\\.sql:${line}:${tamper.column}: touches ${tamper.touched}, the runner's bookkeeping: a migration may not read or change it .*; remove the statement\\n$`),
      );
      t.same(await tables(sql), [], 'nothing was written: not even pgmigrations, and brands, before it, did not run either');
      const dry = migrate(['up', '--dry-run', '--dir', dir], url);
      t.equal(dry.status, 2, 'the dry run refuses it too');
    });
  }

  t.test('a missing checksum table with applied migrations recorded stops the run with what to do; never a silent baseline', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
      { slug: 'create_items', up: 'CREATE TABLE items (id int);', down: 'DROP TABLE items;' },
      { slug: 'create_tags', up: 'CREATE TABLE tags (id int);', down: 'DROP TABLE tags;' },
    ]);
    await migrateUp({ dir, databaseUrl: url, count: 2 });
    await sql`DROP TABLE pgmigrations_checksums`;
    // The edit the dropped table was hiding.
    appendFileSync(join(dir, `${names[1]}.up.sql`), 'ALTER TABLE items ADD COLUMN sku text;\n');

    const run = migrate(['up', '--dir', dir], url);
    t.equal(run.status, 1);
    t.match(
      run.stderr,
      new RegExp(`^error: 2 applied migrations have no recorded checksum \\(${names[0]}, ${names[1]}\\): pgmigrations_checksums is missing or lost their rows, so nothing can tell whether their files changed since they were applied\\. If the files are the ones that were applied, record them with node dist/scripts/migrate\\.js baseline \\(logged as a baseline\\); then re-run\\n$`),
    );
    const [present] = await sql<{ present: boolean }[]>`SELECT to_regclass('public.pgmigrations_checksums') IS NOT NULL AS present`;
    t.equal(present?.present, false, 'no checksum was recorded behind the operator’s back');
    t.notOk((await tables(sql)).includes('tags'), 'the pending migration did not run');
    for (const command of ['down', 'redo']) {
      const refused = migrate([command, '--dir', dir], url);
      t.equal(refused.status, 1, `${command} refuses too`);
      t.match(refused.stderr, /no recorded checksum/);
    }
    const status = migrate(['status', '--dir', dir], url);
    t.equal(status.status, 0);
    t.match(status.stdout, new RegExp(`${names[1]}  untracked`));
  });
});
