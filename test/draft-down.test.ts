// make draft-down writes a down from its up: one migration per kind of change, each drafted down then proved by the
// executed proof (up, drafted down, up again on a real server, the schema compared by verify/execute's snapshots).
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestServer } from './helpers/server.js';
import { childEnv } from './helpers/child-env.js';
import { executeMigrations } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';
import { runDraftDown } from '../verify/draft-down.js';

const ROOT = new URL('..', import.meta.url).pathname;
const TEMPLATE = '-- Undoes it: <one line on what it drops or restores>\n\n-- Write the SQL that restores exactly the schema before the up file.\n';

const BASE_UP = `
CREATE TABLE items (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    price numeric(10,2) DEFAULT 0,
    status text,
    created_at timestamptz DEFAULT now()
);
COMMENT ON COLUMN items.name IS 'display name';
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE people (
    id serial PRIMARY KEY,
    mood mood DEFAULT 'happy',
    code integer DEFAULT 0,
    email varchar(100) CHECK (email LIKE '%@%')
);
CREATE INDEX people_email_idx ON people (lower(email));
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at = now(); RETURN NEW; END $$;
CREATE VIEW cheap_items AS SELECT id, name FROM items WHERE price < 10;
`;
const BASE_DOWN = 'DROP VIEW cheap_items;\nDROP FUNCTION touch();\nDROP TABLE people;\nDROP TYPE mood;\nDROP TABLE items;\n';

/** name, up, and what the drafted down must say. */
const CASES: ReadonlyArray<{ readonly name: string; readonly up: string; readonly expect: readonly RegExp[] }> = [
  { name: 'create_table', up: "CREATE TABLE tags (id int PRIMARY KEY, label text UNIQUE, item_id bigint REFERENCES items (id) ON DELETE CASCADE, CHECK (length(label) > 0));", expect: [/^DROP TABLE tags;$/m] },
  { name: 'create_index', up: 'CREATE INDEX items_name_idx ON items (name) WHERE status IS NOT NULL;', expect: [/^DROP INDEX items_name_idx;$/m] },
  { name: 'create_view', up: 'CREATE VIEW expensive_items AS SELECT id FROM items WHERE price > 100;', expect: [/^DROP VIEW expensive_items;$/m] },
  { name: 'create_function', up: "CREATE FUNCTION add_one(x int, OUT y int) LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';", expect: [/^DROP FUNCTION add_one\(integer\);$/m] },
  { name: 'create_trigger', up: 'CREATE TRIGGER items_touch BEFORE UPDATE ON items FOR EACH ROW EXECUTE FUNCTION touch();', expect: [/^DROP TRIGGER items_touch ON items;$/m] },
  { name: 'create_type', up: "CREATE TYPE size AS ENUM ('s', 'm', 'l');", expect: [/^DROP TYPE size;$/m] },
  { name: 'create_sequence', up: 'CREATE SEQUENCE ticket_seq START 100;', expect: [/^DROP SEQUENCE ticket_seq;$/m] },
  { name: 'add_column', up: "ALTER TABLE items ADD COLUMN sku varchar(40) NOT NULL DEFAULT 'none' UNIQUE;", expect: [/^ALTER TABLE items DROP COLUMN sku;$/m] },
  { name: 'drop_column', up: 'ALTER TABLE people DROP COLUMN email;', expect: [/ADD COLUMN email varchar\(100\);/, /ADD CONSTRAINT people_email_check CHECK \(\(email LIKE '%@%'\)\);/, /CREATE INDEX people_email_idx ON people \(\(lower\(email\)\)\);/, /-- The values of people\.email are not restored\./] },
  { name: 'rename_table', up: 'ALTER TABLE tags RENAME TO labels;', expect: [/^ALTER TABLE labels RENAME TO tags;$/m] },
  { name: 'rename_column', up: 'ALTER TABLE items RENAME COLUMN status TO state;', expect: [/^ALTER TABLE items RENAME COLUMN state TO status;$/m] },
  { name: 'rename_index', up: 'ALTER INDEX items_name_idx RENAME TO items_name_partial_idx;', expect: [/^ALTER INDEX items_name_partial_idx RENAME TO items_name_idx;$/m] },
  { name: 'alter_type', up: 'ALTER TABLE people ALTER COLUMN code TYPE text;', expect: [/^ALTER TABLE people ALTER COLUMN code DROP DEFAULT;$/m, /^ALTER TABLE people ALTER COLUMN code TYPE integer USING code::integer;$/m, /^ALTER TABLE people ALTER COLUMN code SET DEFAULT 0;$/m] },
  { name: 'set_default', up: "ALTER TABLE items ALTER COLUMN name SET DEFAULT 'unnamed';", expect: [/^ALTER TABLE items ALTER COLUMN name DROP DEFAULT;$/m] },
  { name: 'drop_default', up: 'ALTER TABLE items ALTER COLUMN created_at DROP DEFAULT;', expect: [/^ALTER TABLE items ALTER COLUMN created_at SET DEFAULT now\(\);$/m] },
  { name: 'set_not_null', up: 'ALTER TABLE items ALTER COLUMN state SET NOT NULL;', expect: [/^ALTER TABLE items ALTER COLUMN state DROP NOT NULL;$/m] },
  { name: 'drop_not_null', up: 'ALTER TABLE items ALTER COLUMN name DROP NOT NULL;', expect: [/^ALTER TABLE items ALTER COLUMN name SET NOT NULL;$/m] },
  { name: 'comment', up: "COMMENT ON COLUMN items.name IS 'the name shown';", expect: [/^COMMENT ON COLUMN items\.name IS 'display name';$/m] },
  { name: 'enum_add_value', up: "ALTER TYPE mood ADD VALUE 'calm' AFTER 'happy';", expect: [/^ALTER TYPE mood RENAME TO mood_before_down;$/m, /^CREATE TYPE mood AS ENUM \('happy', 'sad'\);$/m, /^ALTER TABLE people ALTER COLUMN mood DROP DEFAULT;$/m, /^ALTER TABLE people ALTER COLUMN mood TYPE mood USING mood::text::mood;$/m, /^ALTER TABLE people ALTER COLUMN mood SET DEFAULT 'happy';$/m, /^DROP TYPE mood_before_down;$/m] },
  { name: 'drop_table', up: 'DROP TABLE labels;', expect: [/^CREATE TABLE labels \(/m, /CONSTRAINT tags_label_key UNIQUE \(label\)/, /ADD CONSTRAINT tags_item_id_fkey FOREIGN KEY \(item_id\) REFERENCES items \(id\) ON DELETE CASCADE;/] },
  { name: 'drop_view', up: 'DROP VIEW cheap_items;', expect: [/^CREATE VIEW cheap_items AS SELECT id, name FROM items WHERE price < 10;$/m] },
  { name: 'replace_function', up: 'CREATE OR REPLACE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;', expect: [/^CREATE OR REPLACE FUNCTION touch\(\) RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN NEW\.created_at = now\(\); RETURN NEW; END \$\$;$/m] },
  { name: 'do_block', up: "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'shade') THEN CREATE TYPE shade AS ENUM ('light', 'dark'); END IF; END $$;", expect: [/^DROP TYPE shade;$/m] },
  { name: 'concurrently', up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY items_created_idx ON items (created_at);', expect: [/^-- migrate:no-transaction$/m, /^DROP INDEX CONCURRENTLY items_created_idx;$/m] },
  { name: 'data_statement', up: "DELETE FROM items WHERE name = 'z';\nUPDATE items SET name = 'y';", expect: [/^-- The up's UPDATE \(line 2\) on items changes data: this down does not restore it\.$/m, /^-- The up's DELETE \(line 1\) on items/m] },
];

const version = (i: number): string => `2026010100${String(i).padStart(4, '0')}`;

t.test('each drafted down passes the executed proof on a real server', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'draft-down-'));
  writeFileSync(join(dir, `${version(0)}_base.up.sql`), BASE_UP);
  writeFileSync(join(dir, `${version(0)}_base.down.sql`), BASE_DOWN);
  CASES.forEach((c, i) => {
    writeFileSync(join(dir, `${version(i + 1)}_${c.name}.up.sql`), `${c.up}\n`);
    if (c.name !== 'create_view') writeFileSync(join(dir, `${version(i + 1)}_${c.name}.down.sql`), TEMPLATE);
  });
  const texts = new Map<string, string>();
  for (const [i, c] of CASES.entries()) {
    const { written, draft } = await runDraftDown(dir, `${version(i + 1)}_${c.name}`, true);
    t.equal(written, join(dir, `${version(i + 1)}_${c.name}.down.sql`), `${c.name}: the down file is written (created when missing)`);
    texts.set(c.name, readFileSync(written!, 'utf8'));
    t.equal(draft.changesSchema, c.name !== 'data_statement', `${c.name}: whether the up changes schema`);
  }
  const db = await startTestServer(t);
  const report = await executeMigrations(await migrationsOf(dir), { url: db.server.url });
  for (const [i, c] of CASES.entries()) {
    const text = texts.get(c.name)!;
    for (const pattern of c.expect) t.match(text, pattern, `${c.name}: the draft says ${pattern.source}`);
    t.notMatch(text, /verify:irreversible/, `${c.name}: nothing is left irreversible`);
    const run = report.migrations.find((m) => m.name === `${version(i + 1)}_${c.name}`);
    const found = report.violations.filter((v) => v.file.includes(`${version(i + 1)}_${c.name}.`)).map((v) => `${v.rule}: ${v.message}`);
    t.same(found, [], `${c.name}: the executed proof finds nothing`);
    t.equal(run?.verdict, 'passed', `${c.name}: up, drafted down and up again restore the schema`);
  }
});

t.test('a down with content is never overwritten; a dynamic DO block becomes an irreversible line', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'draft-down-refuse-'));
  writeFileSync(join(dir, `${version(1)}_create_t.up.sql`), 'CREATE TABLE t (id int);\n');
  writeFileSync(join(dir, `${version(1)}_create_t.down.sql`), 'DROP TABLE t;\n');
  writeFileSync(join(dir, `${version(2)}_dynamic.up.sql`), "DO $$ BEGIN EXECUTE format('CREATE TABLE %I (id int)', 'u'); END $$;\n");
  await t.rejects(runDraftDown(dir, `${version(1)}_create_t`, true), { message: /create_t\.down\.sql:1: already holds a down/ });
  t.equal(readFileSync(join(dir, `${version(1)}_create_t.down.sql`), 'utf8'), 'DROP TABLE t;\n', 'the written down is untouched');
  const { draft } = await runDraftDown(dir, `${version(2)}_dynamic`, false);
  t.match(draft.text, /^-- verify:irreversible the up runs a DO block the draft cannot follow \(it runs EXECUTE of a string built at run time, line 1\)/m);
  await t.rejects(runDraftDown(dir, `${version(9)}_nope`, false), { message: /no migration of that name/ });
});

t.test('make draft-down NAME=... writes the down in MIGRATIONS_DIR; a second run refuses', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'draft-down-make-'));
  writeFileSync(join(dir, `${version(1)}_add_tags.up.sql`), '-- add_tags: labels for items\nCREATE TABLE tags (id int PRIMARY KEY);\n');
  writeFileSync(join(dir, `${version(1)}_add_tags.down.sql`), TEMPLATE);
  const make = (): ReturnType<typeof spawnSync> => spawnSync('make', ['-s', '-o', 'dist/.built', '-o', 'node_modules/.installed', 'draft-down', `NAME=${version(1)}_add_tags`, `MIGRATIONS_DIR=${dir}`], { cwd: ROOT, env: childEnv({}), encoding: 'utf8', timeout: 60_000 });
  const first = make();
  t.equal(first.status, 0, String(first.stderr));
  t.equal(String(first.stdout).trim(), join(dir, `${version(1)}_add_tags.down.sql`));
  t.match(readFileSync(join(dir, `${version(1)}_add_tags.down.sql`), 'utf8'), /^DROP TABLE tags;$/m);
  const printed = spawnSync(process.execPath, [join(ROOT, 'dist', 'verify', 'cli.js'), '--draft-down', join(dir, `${version(1)}_add_tags.up.sql`)], { env: childEnv({}), encoding: 'utf8' });
  t.equal(printed.status, 0);
  t.equal(printed.stdout, readFileSync(join(dir, `${version(1)}_add_tags.down.sql`), 'utf8'), 'verify-migrations --draft-down prints what make draft-down wrote');
  const second = make();
  t.equal(second.status, 2);
  t.match(String(second.stderr), /^error: .*add_tags\.down\.sql:1: already holds a down/m);
  t.notMatch(String(second.stderr), /\n\s+at /, 'no stack trace');
});
