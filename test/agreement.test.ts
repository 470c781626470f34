// The agreement harness counts right: on a fixture history with planted good and bad downs, run on PostgreSQL 15
// through the command itself, each migration gets the outcome it was planted for (one TP per kind of leftover, one
// FP, one FN, TNs including a column re-added at the end, an up that fails and is skipped), and the totals, precision
// and recall follow. The dump comparison ignores column order and keeps ownership and privileges.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareDumps, onlyWhitespace, parseDump, sameSchema, splitDumpStatements } from '../bench/agreement/schema-dump.js';
import { outcomeOf, tally, type MigrationAgreement } from '../bench/agreement/tally.js';
import type { HistoryResult } from '../bench/agreement/report.js';
import { extractHistory } from '../bench/extract-histories.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'test/fixtures/agreement/planted');

t.test('the harness classifies each planted migration and totals them', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'agreement-test-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const json = join(scratch, 'result.json');
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/bench/agreement.js'), '--json', json, '--markdown', FIXTURE], { encoding: 'utf8', timeout: 240_000 });
  t.equal(run.status, 0, run.stderr);
  const [result] = JSON.parse(readFileSync(json, 'utf8')) as HistoryResult[];
  const outcomes = Object.fromEntries(result!.rows.map((row) => [row.name, row.outcome]));
  t.same(outcomes, {
    '20260101000001_create_products': 'TN',
    '20260102000000_add_barcode': 'TP', // the down forgets products_price_idx
    '20260103000000_drop_name': 'TN', // name comes back at the end of the table: restored
    '20260104000000_create_gone': 'FP', // dropped through EXECUTE: restored, though the static check claims not
    '20260105000000_create_tags': 'FN', // the down raises: it does not restore, and static said nothing
    '20260106000000_alter_missing': 'not judged', // the up fails: skipped, the chain goes on
    '20260107000000_grant_read': 'TP', // the privilege is left behind: the judge sees GRANTs
  });
  const verdicts = Object.fromEntries(result!.rows.map((row) => [row.name, row.judged.verdict]));
  t.equal(verdicts['20260105000000_create_tags'], 'down-failed');
  t.equal(verdicts['20260106000000_alter_missing'], 'up-failed');
  const barcode = result!.rows.find((row) => row.name === '20260102000000_add_barcode')!;
  t.match(barcode.judged.difference?.extra.join('\n'), /CREATE INDEX products_price_idx ON public\.products/);
  const grant = result!.rows.find((row) => row.name === '20260107000000_grant_read')!;
  t.match(grant.judged.difference?.extra.join('\n'), /GRANT SELECT ON TABLE public\.products TO PUBLIC/);
  t.match(result!.tally, { tp: 2, fp: 1, fn: 1, tn: 2, notJudged: 1 });
  t.equal(result!.tally.precision, 2 / 3);
  t.equal(result!.tally.recall, 2 / 3);
  // The text: one line per migration, the reasons of a disagreement, the skipped up, the summary and the table row.
  t.match(run.stdout, /^ {2}FP {9}20260104000000_create_gone .*\n {6}static .*20260104000000_create_gone\.up\.sql:2:1: Up creates table gone/m);
  t.match(run.stdout, /^ {2}FN {9}20260105000000_create_tags .*\n {6}judge {2}down failed: planted failure$/m);
  t.match(run.stdout, /judge {2}up failed: relation "missing_table" does not exist/);
  t.match(run.stdout, /planted: judged 6 of 7 \(1 up failed: skipped, the chain went on without them\); TP 2, FP 1, FN 1, TN 2; precision 66\.7 %, recall 66\.7 %/);
  t.match(run.stdout, /^\| planted \| paired \| 6 of 7 \| 2 \| 1 \| 1 \| 2 \| 66\.7 % \| 66\.7 % \|/m);
  t.notMatch(run.stdout + run.stderr, /SCRAM|PGPASSWORD|agreement_judge:[^@]+@/, 'no password reaches the output');
});

t.test('a bad argument is one line and exit 2', async (t) => {
  const run = spawnSync(process.execPath, [join(ROOT, 'dist/bench/agreement.js'), '--limit', 'x', FIXTURE], { encoding: 'utf8' });
  t.equal(run.status, 2);
  t.match(run.stderr, /^error: --limit takes a positive whole number\n/);
  const missing = spawnSync(process.execPath, [join(ROOT, 'dist/bench/agreement.js'), join(FIXTURE, 'nope')], { encoding: 'utf8' });
  t.equal(missing.status, 2);
  t.match(missing.stderr, /nope: no such migrations folder/);
});

t.test('dumps compare with column order ignored, everything else kept', async (t) => {
  const table = (columns: string[]) => `--\n-- Name: t\n--\n\nSET lock_timeout = 0;\n\\restrict abc\nCREATE TABLE public.t (\n${columns.join(',\n')}\n);\n\nALTER TABLE public.t OWNER TO app;\n`;
  const before = parseDump(table(['    id integer NOT NULL', '    name text', '    price integer']));
  t.ok(sameSchema(compareDumps(before, parseDump(table(['    id integer NOT NULL', '    price integer', '    name text'])))), 'a column re-added at the end is restored');
  const retyped = compareDumps(before, parseDump(table(['    id integer NOT NULL', '    name character varying', '    price integer'])));
  t.same(retyped.missing.length, 1);
  t.match(retyped.extra[0], /name character varying/);
  const owner = compareDumps(before, parseDump(table(['    id integer NOT NULL', '    name text', '    price integer']).replace('OWNER TO app', 'OWNER TO other')));
  t.same(owner, { missing: ['ALTER TABLE public.t OWNER TO app;'], extra: ['ALTER TABLE public.t OWNER TO other;'] });
  t.notOk(onlyWhitespace(owner));
  const body = (indent: string) => parseDump(`CREATE FUNCTION public.f() RETURNS void\n    LANGUAGE plpgsql\n    AS $$\nBEGIN\n${indent}PERFORM 1;\nEND;\n$$;\n`);
  const reindented = compareDumps(body('  '), body('        '));
  t.notOk(sameSchema(reindented), 'a body re-created with other indentation is another definition');
  t.ok(onlyWhitespace(reindented), '… which the report tells apart');
});

t.test("a timestamp the run's clock put in a definition compares as the clock, any other stays", async (t) => {
  const view = (at: string) => `CREATE VIEW public.v AS\n SELECT (p.published < ('${at}'::timestamp without time zone - '1 mon'::interval)) AS old\n   FROM public.p;\n`;
  const days = ['2026-12-06'];
  t.ok(sameSchema(compareDumps(parseDump(view('2026-12-06 11:17:55.459843'), days), parseDump(view('2026-12-06 11:17:58.242502'), days))));
  t.notOk(sameSchema(compareDumps(parseDump(view('2020-01-01 00:00:00'), days), parseDump(view('2020-01-02 00:00:00'), days))));
});

t.test('a function body with semicolons at line ends is one statement', async (t) => {
  const dump = "CREATE FUNCTION public.f() RETURNS void\n    LANGUAGE plpgsql\n    AS $_$\nBEGIN\n  PERFORM 1;\n  RAISE NOTICE 'a;';\nEND\n$_$;\n\nCOMMENT ON FUNCTION public.f() IS 'it''s; fine';\n";
  const statements = splitDumpStatements(dump);
  t.equal(statements.length, 2);
  t.match(statements[0], /^CREATE FUNCTION[\s\S]*\$_\$;$/);
});

t.test('outcomes and totals follow the two sides', async (t) => {
  const claim = [{ file: 'a.up.sql', line: 1, column: 1, endLine: 1, endColumn: 2, rule: 'down-reverses-up', severity: 'error' as const, message: 'x' }];
  t.equal(outcomeOf({ name: 'a', verdict: 'not-restored', ms: 0 }, claim), 'TP');
  t.equal(outcomeOf({ name: 'a', verdict: 'restored', ms: 0 }, claim), 'FP');
  t.equal(outcomeOf({ name: 'a', verdict: 'no-down', ms: 0 }, []), 'FN');
  t.equal(outcomeOf({ name: 'a', verdict: 'restored', ms: 0 }, []), 'TN');
  t.equal(outcomeOf({ name: 'a', verdict: 'irreversible', ms: 0 }, claim), 'not judged');
  const rows = ['TN', 'TN'].map((outcome) => ({ outcome }) as MigrationAgreement);
  t.same(tally(rows), { tp: 0, fp: 0, fn: 0, tn: 2, notJudged: 0 }, 'no claim and nothing found: no precision or recall to speak of');
});

t.test('extract-histories copies a known history from a checkout or a bare git directory, renders templates, writes the setup', async (t) => {
  const scratch = mkdtempSync(join(tmpdir(), 'extract-test-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const checkout = join(scratch, 'auth');
  mkdirSync(join(checkout, 'migrations'), { recursive: true });
  writeFileSync(join(checkout, 'migrations/00_init.up.sql'), 'CREATE TABLE {{ index .Options "Namespace" }}.users (id uuid);\n');
  const git = (...args: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...args], { encoding: 'utf8' });
  t.equal(git('-C', checkout, 'init', '-q').status, 0);
  git('-C', checkout, 'add', '.');
  t.equal(git('-C', checkout, 'commit', '-q', '-m', 'x').status, 0);
  t.equal(git('clone', '-q', '--bare', checkout, join(scratch, 'supabase+auth.git')).status, 0);
  rmSync(join(checkout, 'migrations'), { recursive: true });

  // The bare directory: its HEAD's folder, the history told by the path's owner+name.
  const fromBare = extractHistory(join(scratch, 'supabase+auth.git'), join(scratch, 'out'));
  t.equal(fromBare.history.name, 'supabase-auth');
  t.equal(readFileSync(join(scratch, 'out/supabase-auth/00_init.up.sql'), 'utf8'), 'CREATE TABLE auth.users (id uuid);\n');
  t.match(readFileSync(join(scratch, 'out/supabase-auth.setup.sql'), 'utf8'), /CREATE SCHEMA IF NOT EXISTS auth;/);

  // A checkout whose name says nothing: named explicitly; an unknown name is a one-line error.
  mkdirSync(join(scratch, 'work/migrations/2019-01-01-000000_a'), { recursive: true });
  writeFileSync(join(scratch, 'work/migrations/2019-01-01-000000_a/up.sql'), 'CREATE TABLE a (id int);\n');
  const named = extractHistory(join(scratch, 'work'), join(scratch, 'out'), 'lemmy');
  t.equal(named.files, 1);
  t.notOk(named.setup);
  t.throws(() => extractHistory(join(scratch, 'work'), join(scratch, 'out')), /cannot tell which history this is; name it \(one of concourse, /);
  t.throws(() => extractHistory(join(scratch, 'work'), join(scratch, 'out'), 'nope'), /unknown history nope/);
});
