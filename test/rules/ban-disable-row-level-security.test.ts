import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-disable-row-level-security.js';

const scans = {
  up: "CREATE TABLE skin_scans (id bigint PRIMARY KEY, user_id bigint NOT NULL);\nALTER TABLE skin_scans ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;\nCREATE POLICY skin_scans_owner ON skin_scans USING (user_id = current_setting('app.user_id')::bigint);",
};

ruleTester(rule, {
  valid: [
    { name: 'enabling and forcing RLS', before: [{ up: 'CREATE TABLE t (id bigint);' }], up: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nALTER TABLE t FORCE ROW LEVEL SECURITY;' },
    { name: 'ALTER POLICY changes a policy in place', before: [scans], up: 'ALTER POLICY skin_scans_owner ON skin_scans USING (true);' },
    { name: 'a table created in the same migration', up: 'CREATE TABLE t (id bigint);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON t USING (true);\nDROP POLICY p ON t;\nALTER TABLE t DISABLE ROW LEVEL SECURITY;' },
    { name: 'a policy dropped and recreated in one transaction', before: [scans], up: 'DROP POLICY skin_scans_owner ON skin_scans;\nCREATE POLICY skin_scans_owner ON skin_scans FOR SELECT USING (true);' },
    { name: 'RLS disabled for a backfill and enabled again in one transaction', before: [scans], up: 'ALTER TABLE skin_scans DISABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY;\nUPDATE skin_scans SET user_id = user_id;\nALTER TABLE skin_scans ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;' },
    { name: 'a down that undoes what its up enabled and created', before: [{ up: 'CREATE TABLE t (id bigint);' }], up: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nALTER TABLE t FORCE ROW LEVEL SECURITY;\nCREATE POLICY p ON t USING (true);', down: 'DROP POLICY p ON t;\nALTER TABLE t NO FORCE ROW LEVEL SECURITY;\nALTER TABLE t DISABLE ROW LEVEL SECURITY;' },
    { name: 'a down that drops the table its up created, policies and all', up: 'CREATE TABLE t (id bigint);\nALTER TABLE t ENABLE ROW LEVEL SECURITY;', down: 'DROP POLICY IF EXISTS p ON t;\nDROP TABLE t;' },
    { name: 'DISABLE TRIGGER is not about RLS', before: [scans], up: 'ALTER TABLE skin_scans DISABLE TRIGGER ALL;' },
  ],
  invalid: [
    { name: 'DISABLE ROW LEVEL SECURITY on a table from an earlier migration', before: [scans], up: 'ALTER TABLE skin_scans DISABLE ROW LEVEL SECURITY;', errors: [{ messageId: 'disable', line: 1, column: 1, endLine: 1, endColumn: 50, message: 'Disabling row level security on skin_scans' }] },
    { name: 'NO FORCE ROW LEVEL SECURITY', before: [scans], up: 'ALTER TABLE Public.Skin_Scans NO FORCE ROW LEVEL SECURITY;', errors: [{ messageId: 'noForce', line: 1, column: 1, endLine: 1, endColumn: 58, message: 'owner of skin_scans' }] },
    { name: 'DROP POLICY IF EXISTS on a schema-qualified table', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE app.docs (id bigint);\nCREATE POLICY docs_owner ON app.docs USING (true);' }], up: '-- the old policy goes\nDROP POLICY IF EXISTS docs_owner ON app.docs;', errors: [{ messageId: 'dropPolicy', line: 2, column: 1, endLine: 2, endColumn: 45, message: 'policy docs_owner changes which rows of app.docs' }] },
    { name: 'a table the history never created counts as existing', up: 'ALTER TABLE accounts DISABLE ROW LEVEL SECURITY;', errors: [{ messageId: 'disable', line: 1, column: 1, endLine: 1, endColumn: 48 }] },
    { name: 'dropped and recreated without a transaction leaves a gap', before: [scans], up: '-- migrate:no-transaction\nDROP POLICY skin_scans_owner ON skin_scans;\nCREATE POLICY skin_scans_owner ON skin_scans USING (true);', errors: [{ messageId: 'dropPolicy', line: 2, column: 1, endLine: 2, endColumn: 43 }] },
    { name: 'a down that disables RLS its up did not enable', before: [scans], up: 'ALTER TABLE skin_scans ADD COLUMN note text;', down: 'ALTER TABLE skin_scans DROP COLUMN note;\nALTER TABLE skin_scans DISABLE ROW LEVEL SECURITY;', errors: [{ messageId: 'disable', file: 'down', line: 2, column: 1, endLine: 2, endColumn: 50 }] },
  ],
});
