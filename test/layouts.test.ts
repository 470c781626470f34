// The layouts of the tools people migrate from, detected automatically; empty and placeholder files never crash.
import t from 'tap';
import { verify } from '../verify/engine.js';
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
  t.ok(result.migrations[1]?.noTransaction, 'transaction:false is a no-transaction migration');
  t.match(errors[2]?.message, 'The down section of');
});

t.test('node-pg-migrate: -- Up Migration / -- Down Migration, and an empty file', async (t) => {
  const { result, found } = await run('node-pg-migrate');
  t.same(found, []);
  t.equal(result.migrations.length, 2);
  t.equal(result.migrations[0]?.down?.parsed.statements.length, 1);
});
