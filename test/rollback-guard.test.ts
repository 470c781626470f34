// Issue 13, item 4: guarded rollbacks. Before a rollback runs, it lists what its downs drop (tables, columns, rows
// deleted or truncated) with the catalog's row estimates; on a server other than the embedded one (DATABASE_URL set) a
// rollback of every migration, or one that loses data, needs CONFIRM=<database>; one that loses nothing does not ask;
// an irreversible migration in the way says how many steps are possible. The CLI runs as a user runs it, against a
// real server through DATABASE_URL; the embedded case and the terminal prompt go through the runner's API.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { migrationFolder } from './helpers/migration-folder.js';
import { childEnv } from './helpers/child-env.js';
import { migrateDown, migrateUp } from '../runner/runner.js';
import { describeImpact, type RollbackImpact } from '../runner/rollback-guard.js';
import { MigrationError } from '../runner/errors.js';
import type { Sql } from '../core/postgres/database-url.js';

const MIGRATE = join(import.meta.dirname, '..', 'dist', 'scripts', 'migrate.js');
const SECRET = 'Guard-s3cret';

t.setTimeout(180_000);

function migrate(args: readonly string[], url: string, extra: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync(process.execPath, [MIGRATE, ...args], { env: childEnv({ DATABASE_URL: url, ...extra }), encoding: 'utf8', timeout: 30_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The CLI with stdin a terminal: script(1) gives it a pty and types `answer` into it. stdout holds the whole session. */
function onTerminal(args: readonly string[], url: string, answer: string): { status: number | null; stdout: string } {
  const command = [process.execPath, MIGRATE, ...args].map((a) => `'${a}'`).join(' ');
  const run = spawnSync('script', ['-qec', command, '/dev/null'], { env: childEnv({ DATABASE_URL: url }), encoding: 'utf8', input: `${answer}\n`, timeout: 30_000 });
  return { status: run.status, stdout: run.stdout };
}

const CHAIN = [
  { slug: 'create_brands', up: 'CREATE TABLE brands (id int PRIMARY KEY, name text);', down: 'DROP TABLE brands;' },
  { slug: 'create_products', up: 'CREATE TABLE products (id int PRIMARY KEY, brand_id int REFERENCES brands);', down: 'DROP TABLE products;' },
  { slug: 'add_products_sku', up: 'ALTER TABLE products ADD COLUMN sku text;', down: 'ALTER TABLE products DROP COLUMN sku;' },
  { slug: 'seed_brands', up: "INSERT INTO brands VALUES (1, 'a'), (2, 'b');", down: 'DELETE FROM brands WHERE id IN (1, 2);' },
  { slug: 'create_tags', up: 'CREATE TABLE tags (id int);', down: 'DROP TABLE tags;' },
];

async function applied(sql: Sql): Promise<number> {
  const [row] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pgmigrations`;
  return row!.n;
}

async function tables(sql: Sql): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`SELECT relname AS name FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace AND relname NOT LIKE 'pgmigrations%' ORDER BY 1`;
  return rows.map((r) => r.name);
}

t.test('guarded rollbacks', async (t) => {
  const db = await startTestServer(t);
  await db.freshDatabase('guard_admin');

  t.test('through DATABASE_URL: a data-free rollback runs, one that loses rows or every migration needs CONFIRM=<database>', async (t) => {
    const { url: bare, sql } = await db.freshDatabase('shop_live');
    await sql.unsafe(`ALTER ROLE postgres PASSWORD '${SECRET}'`);
    const url = bare.replace('postgres@', `postgres:${SECRET}@`);
    const { dir, names } = migrationFolder(t, CHAIN);
    await migrateUp({ dir, databaseUrl: url });
    await sql`INSERT INTO products SELECT g, NULL, 'sku-' || g FROM generate_series(1, 3) g`;
    await sql`ANALYZE brands, products`;

    const free = migrate(['down', '--dir', dir], url);
    t.equal(free.status, 0, 'dropping an empty table asks nothing');
    t.match(free.stdout, new RegExp(`\\n  \\S+${names[4]}\\.down\\.sql:2:1  table public\\.tags: empty\\nno data is lost: the down drops nothing that holds rows\\n`));
    t.match(free.stdout, `rolled back  ${names[4]}`);
    t.equal(free.stderr, '');

    const seeded = migrate(['down', '--dir', dir], url);
    t.equal(seeded.status, 2, 'deleting rows without CONFIRM is refused');
    t.equal(
      seeded.stderr,
      'error: this rollback drops rows of public.brands (DELETE … WHERE): some of ~2 rows on 127.0.0.1:' +
        `${new URL(url).port}/shop_live; nothing was rolled back: re-run with CONFIRM=shop_live to go ahead (DRY_RUN=1 shows the SQL)\n`,
    );
    t.match(seeded.stdout, new RegExp(`\\n  \\S+${names[3]}\\.down\\.sql:2:1  rows of public\\.brands \\(DELETE … WHERE\\): some of ~2 rows\\n1 of these loses data`));

    const wrong = migrate(['down', '--dir', dir], url, { CONFIRM: 'shop_staging' });
    t.equal(wrong.status, 2);
    t.equal(wrong.stderr, `error: CONFIRM=shop_staging does not name the database this rollback changes (127.0.0.1:${new URL(url).port}/shop_live): type CONFIRM=shop_live; nothing was rolled back\n`);
    t.equal(await applied(sql), 4, 'nothing was rolled back');

    const dry = migrate(['down', 'all', '--dry-run', '--dir', dir], url);
    t.equal(dry.status, 0, 'a dry run lists and asks nothing');
    t.match(dry.stdout, /column public\.products\.sku: ~3 rows in its table\n/);
    t.match(dry.stdout, /table public\.products: ~3 rows\n/);
    t.match(dry.stdout, /table public\.brands: ~2 rows\n/);
    t.match(dry.stdout, /-- dry run: 4 migrations would be rolled back; nothing was changed/);

    const all = migrate(['down', 'all', '--dir', dir], url);
    t.equal(all.status, 2, 'STEPS=all without CONFIRM is refused');
    t.match(all.stderr, /^error: this rollback rolls back every applied migration \(STEPS=all: 4\), drops rows of public\.brands \(DELETE … WHERE\): some of ~2 rows, drops column public\.products\.sku: ~3 rows in its table, drops table public\.products: ~3 rows, 1 more listed above on 127\.0\.0\.1:\d+\/shop_live; nothing was rolled back: re-run with CONFIRM=shop_live to go ahead/);
    t.equal(all.stderr.split('\n').length, 2, 'one line');
    t.equal(await applied(sql), 4, 'nothing was rolled back');
    t.same(await tables(sql), ['brands', 'products'], 'nothing was dropped');
    t.notMatch(all.stdout + all.stderr, SECRET, 'no password');

    // On a terminal (a real pty through script(1)) the name is asked for instead.
    const typedWrong = onTerminal(['down', 'all', '--dir', dir], url, 'shop_staging');
    t.equal(typedWrong.status, 2);
    t.match(typedWrong.stdout, /\nType the database name \(shop_live\) to go ahead, anything else to stop: .*shop_staging\r*\n.*error: "shop_staging" is not shop_live: nothing was rolled back; type shop_live at the prompt, or run with CONFIRM=shop_live/s);
    t.same(await tables(sql), ['brands', 'products'], 'nothing was dropped');
    const typed = onTerminal(['redo', '--dir', dir], url, 'shop_live');
    t.equal(typed.status, 0, 'the name typed at the prompt goes ahead');
    t.match(typed.stdout, /\nType the database name \(shop_live\) to go ahead/, 'redo of a down that deletes rows asks too');
    t.match(typed.stdout, new RegExp(`rolled back  ${names[3]}\\r?\\n[^]*\\napplied      ${names[3]}\\r?\\n`));

    const confirmed = migrate(['down', 'all', '--dir', dir], url, { CONFIRM: 'shop_live' });
    t.equal(confirmed.status, 0, confirmed.stderr);
    t.match(confirmed.stdout, /4 migrations rolled back/);
    t.same(await tables(sql), [], 'every table is gone');
  });

  t.test('STEPS=all (or N) blocked by an irreversible migration says how many steps are possible', async (t) => {
    const { url, sql } = await db.freshDatabase('shop_irreversible');
    const { dir, names } = migrationFolder(t, [
      CHAIN[0]!,
      { slug: 'drop_brands_name', up: 'ALTER TABLE brands DROP COLUMN name;', down: '-- verify:irreversible the names are gone; restore the backup' },
      CHAIN[1]!,
      CHAIN[2]!,
      CHAIN[4]!,
    ]);
    await migrateUp({ dir, databaseUrl: url });
    const run = migrate(['down', 'all', '--dir', dir], url, { CONFIRM: 'shop_irreversible' });
    t.equal(run.status, 1);
    t.match(run.stderr, new RegExp(`^error: \\S+${names[1]}\\.down\\.sql: 3 steps can be rolled back \\(STEPS=3\\); the 4th, ${names[1]}, is irreversible: the names are gone; restore the backup; nothing was rolled back`));
    t.equal(run.stderr.split('\n').length, 2, 'one line');
    t.equal(await applied(sql), 5, 'nothing was rolled back');
    t.equal(migrate(['down', '3', '--dir', dir], url).status, 0, 'the 3 possible steps run, data-free, without CONFIRM');
    const none = migrate(['down', '--dir', dir], url);
    t.match(none.stderr, new RegExp(`: 0 steps can be rolled back: the last applied migration, ${names[1]}, is irreversible: the names are gone`));
  });

  t.test('CASCADE reaches further: the tables of a schema, the columns of a type, the tables a TRUNCATE reaches by foreign keys', async (t) => {
    const { url, sql } = await db.freshDatabase('shop_cascade');
    const { dir, names } = migrationFolder(t, [
      {
        slug: 'create_shop',
        up: 'CREATE SCHEMA shop;\nCREATE TABLE shop.orders (id int PRIMARY KEY);\nCREATE TABLE shop.lines (order_id int REFERENCES shop.orders);',
        down: 'DROP SCHEMA shop CASCADE;',
      },
      { slug: 'create_mood', up: "CREATE TYPE mood AS ENUM ('calm');\nCREATE TABLE notes (id int, moods mood[], m mood);", down: 'DROP TYPE mood CASCADE;\nDROP TABLE IF EXISTS gone;' },
      { slug: 'clear_orders', up: 'CREATE MATERIALIZED VIEW order_ids AS SELECT id FROM shop.orders;', down: 'DROP MATERIALIZED VIEW order_ids;\nTRUNCATE shop.orders CASCADE;' },
    ]);
    await migrateUp({ dir, databaseUrl: url });
    await sql`INSERT INTO shop.orders VALUES (1)`;
    await sql`INSERT INTO shop.lines VALUES (1)`;
    await sql`ANALYZE shop.orders, shop.lines`;
    const shown: RollbackImpact[] = [];
    await migrateDown({ dir, databaseUrl: url, count: 'all', dryRun: true, rollbackGuard: { all: true, embedded: false, show: (impact) => shown.push(impact) } });
    const lines = describeImpact(shown[0]!).map((line) => line.replace(/^ {2}\S+\/(\d+_\w+\.down\.sql)/, '  $1'));
    t.same(lines.slice(1), [
      `  ${names[2]}.down.sql:2:1  materialized view public.order_ids: empty`,
      `  ${names[2]}.down.sql:3:1  rows of shop.orders (TRUNCATE): ~1 row, and through CASCADE shop.lines ~1 row`,
      `  ${names[1]}.down.sql:2:1  type mood (CASCADE: the columns of that type): public.notes.m empty, public.notes.moods empty`,
      `  ${names[1]}.down.sql:3:1  table gone: not in the database (IF EXISTS)`,
      `  ${names[0]}.down.sql:2:1  schema shop (CASCADE): shop.lines ~1 row, shop.orders ~1 row`,
      '2 of these lose data: only the backup taken before the migrations brings it back',
    ]);
  });

  t.test('the embedded server is never asked; a terminal answer must be the database name', async (t) => {
    const { url, sql } = await db.freshDatabase('shop_dev');
    const { dir } = migrationFolder(t, CHAIN);
    await migrateUp({ dir, databaseUrl: url });
    await sql`INSERT INTO products VALUES (1, NULL, 'x')`;
    const shown: RollbackImpact[] = [];
    const asked: string[] = [];
    const guard = (answer?: string) => ({
      all: false,
      embedded: false,
      show: (impact: RollbackImpact) => shown.push(impact),
      ...(answer === undefined ? {} : { ask: async (question: string) => (asked.push(question), answer) }),
    });
    const wrong = (await migrateDown({ dir, databaseUrl: url, count: 3, rollbackGuard: guard('shop') }).catch((e: unknown) => e)) as MigrationError;
    t.equal(wrong.code, 'CONFIRMATION_MISMATCH');
    t.equal(wrong.message, '"shop" is not shop_dev: nothing was rolled back; type shop_dev at the prompt, or run with CONFIRM=shop_dev');
    t.match(asked[0], /^this rollback drops rows of public\.brands \(DELETE … WHERE\): some of ~2 rows, drops column public\.products\.sku: ~\d rows? in its table.*\nType the database name \(shop_dev\) to go ahead/);
    t.equal(await applied(sql), 5);
    const typed = await migrateDown({ dir, databaseUrl: url, count: 3, rollbackGuard: guard('shop_dev') });
    t.equal(typed.migrations.length, 3, 'the right name goes ahead');

    const dev = await migrateDown({ dir, databaseUrl: url, count: 'all', rollbackGuard: { ...guard(), all: true, embedded: true } });
    t.equal(dev.migrations.length, 2, 'embedded: STEPS=all with rows runs without asking');
    const listing = describeImpact(shown[shown.length - 1]!);
    t.match(listing.join('\n'), /table public\.products: ~\d rows?|table public\.products: ~0 rows by the catalog, but it holds rows \(the estimate is out of date\)/);
    t.equal(asked.length, 2, 'asked for the two rollbacks on the server, never on the embedded one');
  });
});
