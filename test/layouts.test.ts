// The layouts of the tools people migrate from, detected automatically; empty and placeholder files never crash.
import t from 'tap';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { compareVersions, dieselRunsInTransaction } from '../core/migrations/layout.js';
import { rules } from '../verify/rules/index.js';

const DIR = 'test/fixtures/layouts';

async function run(layout: string) {
  const result = await verify({ paths: [`${DIR}/${layout}`], rules, cache: false });
  // Errors only: the fixtures use int columns, which the warning-level type rules would also mention.
  const errors = result.violations.filter((v) => v.severity === 'error');
  return { result, errors, found: errors.map((v) => `${v.file.slice(DIR.length + 1)}:${v.line}:${v.column} ${v.rule}`) };
}

t.test('golang-migrate: NNN_name.up.sql / .down.sql, a SELECT 1 down', async (t) => {
  const { result, errors, found } = await run('golang');
  t.equal(result.migrations.length, 2);
  t.same(result.migrations.map((m) => m.name), ['000001_create_users', '000002_add_x']);
  t.same(found, ['golang/000002_add_x.up.sql:1:1 down-reverses-up']);
  t.match(errors[0]?.message, 'Up adds column users.x; down never drops it.');
});

t.test('diesel: <version>_<name>/up.sql and down.sql, comment-only down, parse errors with file and line', async (t) => {
  const { result, found } = await run('diesel');
  t.same(result.migrations.map((m) => m.version), ['20171128143545', '20171129000000']);
  t.same(found, [
    'diesel/2017-11-28-143545_create_users/up.sql:1:1 down-reverses-up',
    'diesel/2017-11-29-000000_add_x/down.sql:1:1 syntax-error',
    'diesel/2017-11-29-000000_add_x/up.sql:1:31 syntax-error',
  ]);
});

t.test('dbmate: one file with -- migrate:up / -- migrate:down, positions in the real file', async (t) => {
  const { result, errors, found } = await run('dbmate');
  t.same(found, [
    'dbmate/20200101000000_create_users.sql:3:1 down-reverses-up',
    'dbmate/20200101000000_create_users.sql:3:1 one-change-per-migration',
    'dbmate/20200102000000_idx.sql:2:1 down-reverses-up',
  ]);
  t.same(result.migrations[1]?.transaction, { up: 'implicit-per-file', down: 'per-migration' }, 'transaction:false is per section: the up is sent as one query');
  t.equal(result.migrations[1]?.noTransaction, false, 'a section sent as one query still fails or commits as a whole');
  t.same(result.migrations.map((m) => m.layout), ['dbmate', 'dbmate']);
  t.match(errors[2]?.message, 'The down section of');
});

t.test('node-pg-migrate: -- Up Migration / -- Down Migration, and an empty file', async (t) => {
  const { result, found } = await run('node-pg-migrate');
  t.same(found, []);
  t.equal(result.migrations.length, 2);
  t.equal(result.migrations[0]?.down?.parsed.statements.length, 1);
});

/** The findings of these rules only, with their message ids: what the runner of each layout does with transactions. */
const TRANSACTION_RULES = new Set(['ban-concurrent-index-creation-in-transaction', 'transaction-nesting', 'no-transaction-single-statement']);
const ENGINE = new Set(['bad-file-name', 'unpaired-down', 'missing-up-marker']);

async function findings(dir: string, prefix = dir) {
  const result = await verify({ paths: [dir], rules, cache: false });
  const kept = result.violations.filter((v) => TRANSACTION_RULES.has(v.rule) || ENGINE.has(v.rule));
  return { result, kept, found: kept.map((v) => `${v.file.slice(prefix.length + 1)}:${v.line}:${v.column} ${v.messageId ?? v.rule}`) };
}

t.test('golang-migrate sends each file as one query: an implicit transaction only when it holds several statements', async (t) => {
  const { result, kept, found } = await findings(`${DIR}/golang-transactions`);
  t.same(found, [
    // A CONCURRENTLY alone in its file (000002) runs outside any transaction block; with ANALYZE beside it, it cannot.
    // The -- migrate:no-transaction above it means nothing to golang-migrate.
    '000003_with_analyze.up.sql:3:1 inImplicitTransaction',
    // BEGIN ... COMMIT around a whole file (000004) is harmless; a COMMIT halfway splits the file in two.
    '000005_split.up.sql:2:1 implicitCommit',
    // Savepoints work inside BEGIN ... COMMIT, and fail outside it.
    '000006_savepoint.up.sql:6:1 savepointOutside',
    // Not a name golang-migrate or dbmate would run (no -- migrate:up): still a bad file name.
    '007-notes.sql:1:1 bad-file-name',
  ]);
  t.ok(result.migrations.every((m) => m.layout === 'golang-migrate' && m.transaction.up === 'implicit-per-file' && !m.noTransaction));
  t.match(kept[0]?.message, 'golang-migrate sends this file to Postgres as one query, which runs its 2 statements as one implicit transaction');
  t.equal(kept[0]?.help, 'Move the statement to a migration of its own, as the only statement of its file.');
  t.notMatch(kept[1]?.message, 'runner opened', 'no claim about a transaction the runner opened');
});

t.test("diesel: metadata.toml's run_in_transaction = false sends the file as one query; a folder with only down.sql is reported", async (t) => {
  const { result, kept, found } = await findings(`${DIR}/diesel-transactions`);
  t.same(found, [
    // 2020-01-02: run_in_transaction=false and one statement: valid (crates.io's 2026-07-25-142459-0000_create).
    '2020-01-03-000000_no_metadata/up.sql:1:1 inTransaction',
    '2020-01-04-000000_with_analyze/up.sql:1:1 inImplicitTransaction',
    '2020-01-05-000000_orphan/down.sql:1:1 unpaired-down',
  ]);
  t.equal(kept[0]?.help, 'Move the statement to its own migration and set run_in_transaction = false in its metadata.toml.', "diesel's own switch, not -- migrate:no-transaction");
  t.match(kept[2]?.message, 'Folder 2020-01-05-000000_orphan has down.sql but no up.sql');
  t.match(kept[2]?.message, 'add 2020-01-05-000000_orphan/up.sql');
  t.same(result.migrations.map((m) => m.transaction.up), ['per-migration', 'implicit-per-file', 'per-migration', 'implicit-per-file']);
  t.same(result.migrations.map((m) => m.downLabel).slice(0, 1), ['2020-01-01-000000_t/down.sql']);
});

t.test('dbmate: any ^\\d+.*\\.sql$ name with -- migrate:up is a migration, a file without it is reported, transaction:false per section', async (t) => {
  const { result, kept, found } = await findings(`${DIR}/dbmate-files`);
  t.same(found, [
    // 00000000000000-initial-schema.sql (supabase's name) is a migration, not a bad file name.
    '001-x.sql:1:1 missing-up-marker',
    '20000000000000_other-tool.sql:1:1 missing-up-marker',
    // A transaction:false up section of two statements is one implicit transaction; its down section runs in dbmate's.
    '30000000000000_index-b.sql:2:1 inImplicitTransaction',
    '30000000000000_index-b.sql:6:1 inTransaction',
  ]);
  t.same(result.migrations.map((m) => m.name), ['00000000000000-initial-schema', '001-x', '10000000000000_index-a', '20000000000000_other-tool', '30000000000000_index-b', '40000000000000_index-c']);
  t.ok(result.migrations.every((m) => m.layout === 'dbmate' && m.downLabel === 'a -- migrate:down section'));
  t.equal(kept[0]?.message, 'No -- migrate:up line in 001-x.sql, so dbmate refuses to run it: add -- migrate:up above its first statement (and -- migrate:down above the statements that undo it).');
  t.match(kept[2]?.message, 'dbmate sends this section to Postgres as one query');
  t.equal(kept[3]?.help, 'Move the statement to its own migration and mark its section -- migrate:down transaction:false.');
  t.same(result.migrations[5]?.transaction, { up: 'implicit-per-file', down: 'implicit-per-file' });
});

t.test('ours: -- migrate:no-transaction still runs both files statement by statement; 14 digits tell ours from golang-migrate', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'layout-ours-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY, a text, b text);\n');
  writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE t;\n');
  writeFileSync(join(dir, '20260102000000_idx.up.sql'), '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS t_a ON t (a);\nANALYZE t;\n');
  writeFileSync(join(dir, '20260102000000_idx.down.sql'), 'DROP INDEX CONCURRENTLY IF EXISTS t_a;\n');
  const { result, found, kept } = await findings(dir);
  t.same(found, ['20260102000000_idx.up.sql:3:1 secondStatement']);
  t.same(result.migrations.map((m) => [m.layout, m.transaction.up, m.transaction.down, m.noTransaction, m.downLabel]), [
    ['paired', 'per-migration', 'per-migration', false, '20260101000000_t.down.sql'],
    ['paired', 'none', 'none', true, '20260102000000_idx.down.sql'],
  ]);
  t.ok(kept.every((v) => v.rule !== 'ban-concurrent-index-creation-in-transaction'));
});

t.test("diesel's metadata.toml: only a top-level run_in_transaction = false turns the transaction off", async (t) => {
  t.equal(dieselRunsInTransaction('run_in_transaction=false\n'), false, "crates.io's spelling");
  t.equal(dieselRunsInTransaction('# why\nrun_in_transaction = false # comment\r\n'), false);
  t.equal(dieselRunsInTransaction('run_in_transaction = true\n'), true);
  t.equal(dieselRunsInTransaction(''), true, 'absent: diesel runs it in a transaction');
  t.equal(dieselRunsInTransaction('[other]\nrun_in_transaction = false\n'), true, 'a key of another table');
  t.equal(dieselRunsInTransaction('run_in_transaction = "false"\n'), true, 'a string is not a TOML boolean');
});

t.test('a warm run sees a change to metadata.toml alone', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'layout-diesel-cache-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(`${DIR}/diesel-transactions`, dir, { recursive: true });
  rmSync(join(dir, '2020-01-05-000000_orphan'), { recursive: true });
  const bans = async (cache: boolean) => (await verify({ paths: [dir], rules, cache })).violations.filter((v) => v.rule === 'ban-concurrent-index-creation-in-transaction').map((v) => v.file.slice(dir.length + 1));
  t.same(await bans(true), ['2020-01-03-000000_no_metadata/up.sql', '2020-01-04-000000_with_analyze/up.sql'], 'cold run, cache written');
  writeFileSync(join(dir, '2020-01-02-000000_alone/metadata.toml'), 'run_in_transaction = true\n');
  const warm = await bans(true);
  t.same(warm, ['2020-01-02-000000_alone/up.sql', '2020-01-02-000000_alone/down.sql', '2020-01-03-000000_no_metadata/up.sql', '2020-01-04-000000_with_analyze/up.sql'].sort(), 'the changed metadata.toml is seen');
  t.same(warm, await bans(false), 'the warm run says what an uncached run says');
});

t.test("a missing down is named the layout's way: <folder>/down.sql for diesel, a -- migrate:down section for dbmate", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'layout-missing-down-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(`${DIR}/diesel/2017-11-28-143545_create_users`, join(dir, 'diesel', '2017-11-28-143545_create_users'), { recursive: true });
  rmSync(join(dir, 'diesel', '2017-11-28-143545_create_users', 'down.sql'));
  writeFileSync(join(dir, '20200101000000_create_things.sql'), '-- migrate:up\nCREATE TABLE things (id bigint PRIMARY KEY);\n');
  const help = async (folder: string) => {
    const result = await verify({ paths: [folder], rules, cache: false });
    return result.violations.filter((v) => v.messageId === 'missingDown').map((v) => v.help);
  };
  t.same(await help(join(dir, 'diesel')), ['Add 2017-11-28-143545_create_users/down.sql that undoes the up, or mark the migration -- verify:irreversible <reason>.']);
  rmSync(join(dir, 'diesel'), { recursive: true });
  t.same(await help(dir), ['Add a -- migrate:down section that undoes the up, or mark the migration -- verify:irreversible <reason>.']);
});

t.test('more runners: each layout read with its names, order, transaction semantics and downs', async (t) => {
  const cases: { layout: string; names: string[]; transaction: string[]; errors?: string[]; downs: number[] }[] = [
    {
      // One folder per migration with metadata.yaml: createIndexConcurrently: true runs it outside a transaction.
      layout: 'sourcegraph',
      names: ['1528395834_create_users', '1528395835_index_users_email'],
      transaction: ['per-migration/per-migration', 'implicit-per-file/implicit-per-file'],
      downs: [1, 1],
    },
    {
      // popx: PostgreSQL's file overrides the generic one (here MySQL syntax that would not parse); other dialects are not read.
      layout: 'popx',
      names: ['20200101000000000000_create_users', '20200102000000000000_users_email', '20200103000000000000_index'],
      transaction: ['per-migration/per-migration', 'per-migration/per-migration', 'implicit-per-file/implicit-per-file'],
      downs: [1, 1, 1],
    },
    {
      // goose: -- +goose Up / Down in one file, StatementBegin/End, NO TRANSACTION; the down's DROP TABLE is no up statement.
      layout: 'goose',
      names: ['00001_create_users', '00002_create_one', '00003_index_users_email'],
      transaction: ['per-migration/per-migration', 'per-migration/per-migration', 'none/none'],
      downs: [1, 1, 1],
    },
    {
      // sql-migrate: notransaction is per section, so the down's plain DROP INDEX runs in a transaction and is flagged.
      layout: 'sql-migrate',
      names: ['1_create_users', '2_index_users_email'],
      transaction: ['per-migration/per-migration', 'none/per-migration'],
      errors: ['sql-migrate/2_index_users_email.sql:5:1 require-concurrent-index-deletion'],
      downs: [1, 1],
    },
    {
      // Flyway: V and U files pair by version, 1.1 before 1.2, a .conf turns the transaction off, R__ runs last, up only.
      layout: 'flyway',
      names: ['V1__create_users', 'V1.1__add_email', 'V1.2__index_email', 'R__user_emails'],
      transaction: ['per-migration/per-migration', 'per-migration/per-migration', 'none/none', 'per-migration/per-migration'],
      downs: [1, 1, 1, 0],
    },
    {
      // Sqitch: plan order, deploy/ and revert/ scripts (verify/ is not a migration), BEGIN ... COMMIT written in the script.
      layout: 'sqitch',
      names: ['create_users', 'add_email'],
      transaction: ['none/none', 'none/none'],
      downs: [3, 3],
    },
    {
      // Liquibase formatted SQL: each changeset a migration, its --rollback lines the down, runInTransaction:false honoured.
      layout: 'liquibase',
      names: ['ann:1', 'ann:2'],
      transaction: ['per-migration/per-migration', 'none/none'],
      downs: [1, 1],
    },
  ];
  for (const c of cases) {
    const { result, found } = await run(c.layout);
    t.same(result.migrations.map((m) => m.name), c.names, `${c.layout}: migrations in order`);
    t.ok(result.migrations.every((m) => m.layout === c.layout), `${c.layout}: detected`);
    t.same(result.migrations.map((m) => `${m.transaction.up}/${m.transaction.down}`), c.transaction, `${c.layout}: transaction modes`);
    t.same(result.migrations.map((m) => m.down?.parsed.statements.length ?? 0), c.downs, `${c.layout}: downs`);
    t.same(found, c.errors ?? [], `${c.layout}: no false alarm`);
  }
});

t.test('Liquibase: the down is the SQL of the --rollback lines, at its place in the file', async (t) => {
  const { result } = await run('liquibase');
  const down = result.migrations[0]!.down!;
  const statement = down.parsed.statements[0]!;
  t.same(down.lines.position(statement.start), { line: 8, column: 12 });
  t.equal(down.lines.textBetween(statement.start, statement.end), 'DROP TABLE users');
  t.equal(result.migrations[1]?.up.parsed.statements.length, 1, 'the rollback comment is not part of the up');
});

t.test('Flyway versions order part by part, and a repeatable migration is never asked for a down', async (t) => {
  t.ok(compareVersions('1.10', '1.9') > 0);
  t.ok(compareVersions('2', '1.9') > 0);
  t.equal(compareVersions('1.01', '1.1'), 0);
  t.ok(compareVersions('20260101000000', '20251231235959') > 0);
  const { result } = await run('flyway');
  t.match(result.migrations.at(-1)?.irreversible, /repeatable/);
});

t.test("a goose or sql-migrate folder reports a file without the tool's up marker", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'layout-goose-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  cpSync(`${DIR}/goose`, dir, { recursive: true });
  writeFileSync(join(dir, '00004_forgot.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
  const { kept } = await findings(dir);
  t.same(kept.map((v) => v.message), ['No -- +goose Up line in 00004_forgot.sql, so goose refuses to run it: add -- +goose Up above its first statement (and -- +goose Down above the statements that undo it).']);
});

t.test('golang-migrate: a file named _up.sql beside .up.sql pairs is one the runner never runs, named as such', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'misnamed-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, '0001_create_users.up.sql'), 'CREATE TABLE users (id bigint PRIMARY KEY);\n');
  writeFileSync(join(dir, '0001_create_users.down.sql'), 'DROP TABLE users;\n');
  writeFileSync(join(dir, '0002_add_email_up.sql'), 'ALTER TABLE users ADD COLUMN email text;\n');
  writeFileSync(join(dir, '0002_add_email-down.sql'), 'ALTER TABLE users DROP COLUMN email;\n');
  const result = await verify({ paths: [dir], rules, cache: false });
  t.same(result.migrations.map((m) => m.name), ['0001_create_users'], 'neither file is read as a migration of another tool');
  const named = result.violations.filter((v) => v.rule === 'bad-file-name').map((v) => `${v.file.slice(dir.length + 1)} ${v.message}`);
  t.same(named, [
    '0002_add_email-down.sql File name ends in -down.sql instead of .down.sql, so the runner of this folder never runs it: rename 0002_add_email-down.sql to 0002_add_email.down.sql.',
    '0002_add_email_up.sql File name ends in _up.sql instead of .up.sql, so the runner of this folder never runs it: rename 0002_add_email_up.sql to 0002_add_email.up.sql.',
  ]);
});
