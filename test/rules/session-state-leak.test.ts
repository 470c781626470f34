import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/session-state-leak.js';
import { verify } from '../../verify/engine.js';

// Ours resets the session before each migration: quiet for every statement there.
ruleTester(rule, {
  valid: [
    { name: 'ours restores search_path before the next migration', up: 'SET search_path TO billing;\nCREATE TABLE invoices (id bigint PRIMARY KEY);' },
    { name: 'ours holds its lock where no migration can release it', up: '-- migrate:no-transaction\nSELECT pg_advisory_unlock_all();' },
    { name: 'ours restores the role', up: 'SET ROLE app_owner;\nCREATE TABLE t (id bigint PRIMARY KEY);' },
  ],
  invalid: [],
});

/** The findings of the rule over one golang-migrate migration (runners that keep one session for a run). */
async function leaks(up: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'session-state-'));
  try {
    writeFileSync(join(dir, '000001_case.up.sql'), up);
    writeFileSync(join(dir, '000001_case.down.sql'), 'SELECT 1;\n');
    const result = await verify({ paths: [dir], rules: [rule], cache: false });
    return result.violations.filter((v) => v.rule === rule.meta.name).map((v) => `${v.line}:${v.column}-${v.endLine}:${v.endColumn} ${v.messageId} ${v.message.split(' outlives')[0]}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('session-state-leak in a golang-migrate folder', async (t) => {
  const cases: [string, string, string[]][] = [
    ['SET search_path without LOCAL', 'SET search_path TO billing;\nCREATE TABLE invoices (id bigint PRIMARY KEY);', ['1:1-1:27 leak SET search_path']],
    ['SET LOCAL stays in the transaction', "SET LOCAL lock_timeout = '5s';", []],
    ['RESET ALL drops the run\'s timeouts', 'RESET ALL;', ['1:1-1:10 leak RESET ALL']],
    ['RESET of one setting', 'SELECT 1;\nRESET statement_timeout;', ['2:1-2:24 leak RESET statement_timeout']],
    ['SET ROLE', 'SET ROLE app_owner;', ['1:1-1:19 leak SET ROLE']],
    ['SET SESSION AUTHORIZATION', 'SET SESSION AUTHORIZATION app_owner;', ['1:1-1:36 leak SET SESSION AUTHORIZATION']],
    ['DISCARD ALL', 'DISCARD ALL;', ['1:1-1:12 leak DISCARD ALL']],
    ['set_config for the session', "SELECT set_config('search_path', 'billing', false);", ["1:1-1:51 leak set_config('search_path', ..., false)"]],
    ['set_config for the transaction', "SELECT set_config('search_path', 'billing', true);", []],
    ['an advisory unlock', 'SELECT pg_advisory_unlock_all();', ['1:1-1:32 leak pg_advisory_unlock_all()']],
  ];
  for (const [name, up, expected] of cases) t.same(await leaks(up), expected, name);
});
