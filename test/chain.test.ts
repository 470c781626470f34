// The real sql/ chain on a real PostgreSQL: everything the audit names exists, every down restores exactly the
// catalog before its up, and rows in earlier tables survive rolling later migrations back and forth.
import t from 'tap';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { catalogSnapshot, userTables } from './helpers/catalog.js';
import { checkMigrations, migrateDown, migrateUp, migrationStatus } from '../runner/runner.js';
import type { Sql } from '../core/postgres/database-url.js';

const SQL_DIR = join(import.meta.dirname, '..', 'sql');

const ELEVEN_TABLES = [
  'users',
  'profiles',
  'skin_scans',
  'products',
  'routines',
  'consents',
  'ingredients_reference',
  'ingredient_skin_effects',
  'product_skin_suitability',
  'user_skin_outcomes',
  'experiments',
];

async function columns(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql<{ column: string }[]>`
    SELECT a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END AS column
    FROM pg_attribute a
    WHERE a.attrelid = ${table}::regclass AND a.attnum > 0 AND NOT a.attisdropped
    ORDER BY a.attnum`;
  return rows.map((r) => r.column);
}

/** `table(col, ...)` of each valid, non-partial index, by index name. */
async function indexes(sql: Sql, table: string): Promise<Record<string, { columns: string; unique: boolean }>> {
  const rows = await sql<{ name: string; columns: string; unique: boolean }[]>`
    SELECT c.relname AS name, i.indisunique AS unique,
           (SELECT string_agg(a.attname, ',' ORDER BY k.ordinality)
            FROM unnest(i.indkey) WITH ORDINALITY AS k(attnum, ordinality)
            JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum) AS columns
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
    WHERE i.indrelid = ${table}::regclass AND i.indisvalid AND i.indpred IS NULL`;
  return Object.fromEntries(rows.map((r) => [r.name, { columns: r.columns, unique: r.unique }]));
}

async function foreignKeys(sql: Sql, table: string): Promise<string[]> {
  const rows = await sql<{ fk: string }[]>`
    SELECT pg_get_constraintdef(oid) AS fk FROM pg_constraint WHERE conrelid = ${table}::regclass AND contype = 'f' ORDER BY conname`;
  return rows.map((r) => r.fk);
}

t.test('the sql/ chain', async (t) => {
  const pairs = await checkMigrations(SQL_DIR);
  t.ok(pairs.length >= 11, `sql/ holds the chain (${pairs.length} migrations)`);
  const db = await startTestServer(t);
  const { url, sql } = await db.freshDatabase();
  const options = { dir: SQL_DIR, databaseUrl: url };

  // Up one at a time, keeping the catalog before each up.
  const before: string[][] = [];
  for (const pair of pairs) {
    before.push(await catalogSnapshot(sql));
    const result = await migrateUp({ ...options, count: 1 });
    t.same(result.migrations.map((m) => m.name), [pair.name], `up ${pair.name}`);
  }
  const full = await catalogSnapshot(sql);
  t.same((await migrationStatus(options)).pending, [], 'nothing pending');

  t.test('every one of the eleven tables exists and has a COMMENT', async (t) => {
    const tables = await userTables(sql);
    for (const table of ELEVEN_TABLES) t.ok(tables.includes(table), table);
    const uncommented = await sql<{ name: string }[]>`
      SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname = 'public' AND c.relname <> 'pgmigrations'
        AND coalesce(obj_description(c.oid, 'pg_class'), '') = ''`;
    t.same(uncommented.map((r) => r.name), [], 'tables without a COMMENT');
  });

  t.test('ingredients_reference is what the audit names', async (t) => {
    const cols = await columns(sql, 'ingredients_reference');
    t.same(cols.map((c) => c.split(' ')[0]), ['id', 'name', 'description', 'skin_type', 'concentration_ppm', 'created_at', 'updated_at']);
    t.match(cols, [/^id uuid NOT NULL$/, /^name character varying\(255\) NOT NULL$/, /^description text$/, /^skin_type character varying\(50\)$/, /^concentration_ppm integer$/, /^created_at timestamp/, /^updated_at timestamp/]);
    const idx = await indexes(sql, 'ingredients_reference');
    t.ok(Object.values(idx).some((i) => i.unique && i.columns === 'name'), 'name is UNIQUE');
    t.equal(idx.idx_ingredients_name?.columns, 'name', 'idx_ingredients_name on (name)');
    t.equal(idx.idx_ingredients_skin_type?.columns, 'skin_type', 'idx_ingredients_skin_type on (skin_type)');
    t.ok(Object.values(idx).some((i) => i.unique && i.columns === 'id'), 'id is the primary key');
  });

  t.test('ingredient_skin_effects is what the audit names', async (t) => {
    const cols = await columns(sql, 'ingredient_skin_effects');
    t.same(cols.map((c) => c.split(' ')[0]), ['id', 'ingredient_id', 'effect_type', 'fitzpatrick_scale', 'efficacy_score', 'risk_level', 'created_at']);
    t.match(cols, [/^id uuid NOT NULL$/, /^ingredient_id uuid NOT NULL$/, /^effect_type character varying\(100\) NOT NULL$/, /^fitzpatrick_scale character varying\(10\)$/, /^efficacy_score numeric\(3,2\)$/, /^risk_level character varying\(50\)$/, /^created_at timestamp/]);
    t.match(await foreignKeys(sql, 'ingredient_skin_effects'), [/^FOREIGN KEY \(ingredient_id\) REFERENCES ingredients_reference\(id\)/]);
    t.equal((await indexes(sql, 'ingredient_skin_effects')).idx_ingredient_effects_ingredient?.columns, 'ingredient_id');
  });

  t.test('every foreign key has an index that leads with its columns', async (t) => {
    const unindexed = await sql<{ fk: string }[]>`
      SELECT format('%s.%s %s', con.conrelid::regclass, con.conname, pg_get_constraintdef(con.oid)) AS fk
      FROM pg_constraint con
      WHERE con.contype = 'f' AND con.connamespace = 'public'::regnamespace
        AND NOT EXISTS (
          SELECT 1 FROM pg_index i
          WHERE i.indrelid = con.conrelid AND i.indisvalid AND i.indpred IS NULL
            AND i.indnkeyatts >= cardinality(con.conkey)
            AND (SELECT array_agg(k ORDER BY k) FROM unnest((i.indkey::int2[])[0:cardinality(con.conkey) - 1]) AS k)
              = (SELECT array_agg(k ORDER BY k) FROM unnest(con.conkey) AS k))`;
    t.same(unindexed.map((r) => r.fk), [], 'foreign keys without a leading index');
    const [count] = await sql<{ n: number }[]>`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`;
    t.ok((count?.n ?? 0) >= 8, `the check saw the chain's foreign keys (${count?.n})`);
  });

  t.test('rows in earlier tables survive rolling later migrations back and applying them again', async (t) => {
    const [user] = await sql`INSERT INTO users (email) VALUES ('ada@example.com') RETURNING id`;
    await sql`INSERT INTO profiles (user_id, skin_type, fitzpatrick_type) VALUES (${user!.id}, 'dry', 2)`;
    await sql`INSERT INTO products (name, brand, category, barcode) VALUES ('Barrier Cream', 'Acme', 'moisturizer', '4006381333931')`;
    const [ingredient] = await sql`INSERT INTO ingredients_reference (name, skin_type, concentration_ppm) VALUES ('niacinamide', 'all', 50000) RETURNING id`;
    await sql`INSERT INTO ingredient_skin_effects (ingredient_id, effect_type, efficacy_score) VALUES (${ingredient!.id}, 'brightening', 0.8)`;
    const lastHolding = pairs.findIndex((p) => p.slug === 'create_ingredient_skin_effects');
    const later = pairs.slice(lastHolding + 1);
    t.ok(later.length >= 3, 'there are later migrations to roll back');
    const snapshot = async () =>
      sql`SELECT (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM profiles)::int AS profiles,
                 (SELECT count(*) FROM products)::int AS products, (SELECT count(*) FROM ingredients_reference)::int AS ingredients,
                 (SELECT count(*) FROM ingredient_skin_effects)::int AS effects`;
    const rows = await snapshot();
    await migrateDown({ ...options, count: later.length });
    t.same(await snapshot(), rows, 'after rolling back the later migrations');
    await migrateUp(options);
    t.same(await snapshot(), rows, 'after applying them again');
    t.same(await catalogSnapshot(sql), full, 'the schema is the same as before');
  });

  t.test('down one by one to empty: each down restores exactly the catalog before its up', async (t) => {
    for (let i = pairs.length - 1; i >= 0; i--) {
      const result = await migrateDown({ ...options, count: 1 });
      t.same(result.migrations.map((m) => m.name), [pairs[i]!.name]);
      t.same(await catalogSnapshot(sql), before[i], `down of ${pairs[i]!.name}`);
    }
    t.same(await userTables(sql), [], 'empty');
    t.same((await migrationStatus(options)).applied, [], 'pgmigrations is empty');
  });

  t.test('up again: the identical catalog', async (t) => {
    const result = await migrateUp(options);
    t.equal(result.migrations.length, pairs.length);
    t.same(await catalogSnapshot(sql), full);
  });
});
