// Issue 12, item 10: the smaller truths. A redo whose up fails says its down was committed and what it dropped; a
// CREATE INDEX CONCURRENTLY that hits lock_timeout names the INVALID index it left with its DROP INDEX CONCURRENTLY;
// an index an interrupted run built without recording its migration makes the next run's "already exists" give the
// recovery; and the password is scrubbed as a whole token of the URL, never inside ordinary words (passwords `app`,
// `a` and `postgres` on PostgreSQL 15 with password authentication: "applied" stays "applied").
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { startPg15Server } from './helpers/pg15-server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { migrateUp } from '../runner/runner.js';
import { connect, scrubSecrets } from '../core/postgres/database-url.js';

const MIGRATE = join(import.meta.dirname, '..', 'dist', 'scripts', 'migrate.js');

t.setTimeout(180_000);

function migrate(args: readonly string[], url: string, extra: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MIGRATE, ...args], { env: childEnv({ DATABASE_URL: url, ...extra }), encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

t.test('recovery messages', async (t) => {
  const db = await startTestServer(t);

  t.test('redo whose up fails says the down was committed and what it dropped', async (t) => {
    const { url, sql } = await db.freshDatabase();
    await sql`CREATE TABLE gate (closed boolean)`;
    const { dir, names } = migrationFolder(t, [
      {
        slug: 'create_widgets',
        up: "CREATE TABLE widgets (id int);\nDO $$ BEGIN IF EXISTS (SELECT 1 FROM gate) THEN RAISE EXCEPTION 'the gate is closed'; END IF; END $$;",
        down: 'DROP TABLE widgets;',
      },
    ]);
    await migrateUp({ dir, databaseUrl: url });
    await sql`INSERT INTO widgets VALUES (1), (2)`;
    await sql`INSERT INTO gate VALUES (true)`;
    // widgets holds rows: on a DATABASE_URL server the redo needs CONFIRM=<database> (issue 13, guarded rollbacks).
    const run = migrate(['redo', '--dir', dir], url, { CONFIRM: new URL(url).pathname.slice(1) });
    t.equal(run.status, 1);
    t.match(
      run.stderr,
      new RegExp(`^error: \\S+${names[0]}\\.up\\.sql:3:1: the gate is closed \\(the down of ${names[0]} \\(\\S+${names[0]}\\.down\\.sql\\) was committed before the up failed, and it dropped table widgets with their data: ${names[0]} is now rolled back\\)\\n$`),
    );
    t.match(
      run.stdout,
      new RegExp(`\\nrolled back  ${names[0]}\\nstate: rolled back and committed by this redo: ${names[0]} \\(its down dropped table widgets\\); its up failed: ${names[0]} was rolled back as a whole and is not recorded; next: fix \\S+${names[0]}\\.up\\.sql, then make migrate; restore the backup if the dropped data matters\\.\\n`),
    );
    const [row] = await sql<{ present: boolean; recorded: number }[]>`SELECT to_regclass('public.widgets') IS NOT NULL AS present, (SELECT count(*)::int FROM pgmigrations) AS recorded`;
    t.same(row, { present: false, recorded: 0 }, 'as said: widgets is gone and nothing is applied');
  });

  t.test('CREATE INDEX CONCURRENTLY that hits lock_timeout names the INVALID index it left and its DROP INDEX CONCURRENTLY', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_items', up: 'CREATE TABLE items (id int, sku text);', down: 'DROP TABLE items;' },
      { slug: 'index_items_sku', up: 'CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);', down: 'DROP INDEX CONCURRENTLY items_sku_idx;', noTransaction: true },
    ]);
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    // A writer with an open transaction: the build gets its table lock, then waits for the writer, until lock_timeout.
    const other = connect(url);
    t.teardown(() => other.end({ timeout: 1 }));
    const writer = await other.reserve();
    await writer`BEGIN`;
    await writer`INSERT INTO items VALUES (1, 'a')`;
    const run = migrate(['up', '--dir', dir], url, { MIGRATE_LOCK_TIMEOUT: '1s' });
    await writer`ROLLBACK`;
    writer.release();
    t.equal(run.status, 1);
    t.match(run.stderr, new RegExp(`^error: \\S+${names[1]}\\.up\\.sql:3:1: canceling statement due to lock timeout: .*; it left INVALID index public\\.items_sku_idx: run DROP INDEX CONCURRENTLY public\\.items_sku_idx; then re-run \\(not retried after the lock timeout: ${names[1]} runs without a transaction\\)\\n$`));
    t.notMatch(run.stderr, /no session holds one now, so re-run/);
    t.match(run.stdout, /state: this run applied and committed nothing; .* it left INVALID index public\.items_sku_idx: run DROP INDEX CONCURRENTLY public\.items_sku_idx; then re-run; next: drop the INVALID index as above, then make migrate\./);
    await sql`DROP INDEX CONCURRENTLY public.items_sku_idx`;
    const again = migrate(['up', '--dir', dir], url);
    t.equal(again.status, 0, 'after the DROP it applies');
  });

  t.test('an index an interrupted run built without recording its migration: "already exists" gives the recovery', async (t) => {
    const { url, sql } = await db.freshDatabase();
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_items', up: 'CREATE TABLE items (id int, sku text);', down: 'DROP TABLE items;' },
      { slug: 'index_items_sku', up: 'CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku);', down: 'DROP INDEX CONCURRENTLY items_sku_idx;', noTransaction: true },
    ]);
    await migrateUp({ dir, databaseUrl: url, count: 1 });
    // What a runner killed (SIGKILL: no chance to cancel) during the build leaves once the server finishes the build alone.
    await sql`CREATE INDEX CONCURRENTLY items_sku_idx ON items (sku)`;
    const run = migrate(['up', '--dir', dir], url);
    t.equal(run.status, 1);
    t.match(
      run.stderr,
      new RegExp(`^error: \\S+${names[1]}\\.up\\.sql:3:1: relation "items_sku_idx" already exists: this migration runs without a transaction, so an earlier run that was interrupted .* may have created items_sku_idx without recording the migration: if items_sku_idx is this migration's, check it \\(\\\\d items_sku_idx\\), then DROP INDEX CONCURRENTLY items_sku_idx; and re-run; or make the statement IF NOT EXISTS\\n$`),
    );
  });
});

t.test('the password is scrubbed as a whole token, never inside words', async (t) => {
  for (const password of ['app', 'a', 'postgres']) {
    const url = `postgres://postgres:${password}@db.example:5432/skincare`;
    t.equal(scrubSecrets('applied 2 migrations: a table, PostgreSQL, postgres', url), 'applied 2 migrations: a table, PostgreSQL, postgres'.replace(password === 'postgres' ? /postgres$/ : /$^/, '***'), `${password}: ordinary words kept`);
    // A password that is also the user name takes the user name with it.
    const user = password === 'postgres' ? '***' : 'postgres';
    t.equal(scrubSecrets(`cannot reach ${url}?password=${password}`, url), `cannot reach postgres://${user}:***@db.example:5432/skincare?password=***`, `${password}: the URL's password is scrubbed`);
  }
  t.equal(scrubSecrets('the secret is S3cr3t!, not S3cr3t!x', 'postgres://u:S3cr3t!@h/d'), 'the secret is ***, not S3cr3t!x', 'a long password is scrubbed wherever it stands alone');

  const pg = await startPg15Server(t, 'app');
  for (const password of ['app', 'a', 'postgres']) {
    const { sql: admin } = await pg.freshDatabase();
    await admin.unsafe(`ALTER ROLE postgres PASSWORD '${password}'`);
    const database = `scrub_${password}`;
    await admin.unsafe(`CREATE DATABASE ${database}`);
    const url = `postgres://postgres:${password}@127.0.0.1:${pg.port}/${database}`;
    const { dir, names } = migrationFolder(t, [
      { slug: 'create_brands', up: 'CREATE TABLE brands (id int);', down: 'DROP TABLE brands;' },
      { slug: 'broken', up: 'SELECT * FROM no_such_table;', down: 'SELECT 1;' },
    ]);
    const run = migrate(['up', '--dir', dir], url);
    t.equal(run.status, 1, `${password}: the second migration fails`);
    t.match(run.stdout, new RegExp(`^applied {6}${names[0]}\\nstate: applied and committed by this run: ${names[0]}; `, 'm'), `${password}: "applied" stays "applied"`);
    t.match(run.stderr, /^error: \S+\.up\.sql:2:15: relation "no_such_table" does not exist\n$/, `${password}: the error is intact`);
    t.notMatch(run.stdout + run.stderr, /\*\*\*[a-z]|[a-z]\*\*\*/, `${password}: no word was cut by the scrubber`);
    const wrong = migrate(['status', '--dir', dir], url.replace(`:${password}@`, ':wrong@'));
    t.equal(wrong.status, 1);
    t.match(wrong.stderr, /^error: cannot connect to 127\.0\.0\.1:\d+\/scrub_\w+: password authentication failed for user "postgres" \(check the user name and password in DATABASE_URL\)\n$/);
    await admin.unsafe(`ALTER ROLE postgres PASSWORD '${pg.password}'`);
  }
});
