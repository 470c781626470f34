// ESLint's RuleTester, for migrations: valid and invalid cases, each a whole migration (with optional earlier ones).
// Every expected violation names its messageId and its whole span (line, column, endLine, endColumn); the engine runs
// without the result cache, so a case always exercises the rule itself.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../../verify/engine.js';
import type { Rule } from '../../verify/rule.js';

export interface Migration {
  readonly up: string;
  /** Omit for a migration without a down file. */
  readonly down?: string;
}

export interface Case extends Migration {
  readonly name: string;
  /** Earlier migrations, applied before this one (the schema model sees them). */
  readonly before?: readonly Migration[];
  readonly allowDestructive?: boolean;
  /** Verify for a primary with streaming standbys (--standbys). */
  readonly standbys?: boolean;
  /** The PostgreSQL major version targeted (--pg-version); the default otherwise. */
  readonly postgresVersion?: number;
}

export interface ExpectedError {
  readonly messageId: string;
  readonly line: number;
  readonly column: number;
  /** Where the reported text ends (1-based, the column just past its last character). */
  readonly endLine: number;
  readonly endColumn: number;
  /** Which file of the case the error is in; default 'up'. */
  readonly file?: 'up' | 'down';
  /** A substring the message must contain. */
  readonly message?: string;
}

export interface InvalidCase extends Case {
  readonly errors: readonly ExpectedError[];
}

const CASE = '20260201000000_case';

async function run(rule: Rule, testCase: Case) {
  const dir = mkdtempSync(join(tmpdir(), 'rule-tester-'));
  try {
    (testCase.before ?? []).forEach((m, i) => {
      const name = `2026010100${String(i).padStart(4, '0')}_before_${i}`;
      writeFileSync(join(dir, `${name}.up.sql`), m.up);
      if (m.down !== undefined) writeFileSync(join(dir, `${name}.down.sql`), m.down);
    });
    writeFileSync(join(dir, `${CASE}.up.sql`), testCase.up);
    if (testCase.down !== undefined) writeFileSync(join(dir, `${CASE}.down.sql`), testCase.down);
    const result = await verify({ paths: [dir], rules: [rule], allowDestructive: testCase.allowDestructive, standbys: testCase.standbys, cache: false, ...(testCase.postgresVersion ? { postgresVersion: testCase.postgresVersion } : {}) });
    const mine = result.violations.filter((v) => v.file.includes(CASE));
    return {
      syntax: result.violations.filter((v) => v.rule === 'syntax-error'),
      found: mine.filter((v) => v.rule === rule.meta.name).map((v) => ({ ...v, side: v.file.endsWith('.down.sql') ? 'down' : 'up' })),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function ruleTester(rule: Rule, cases: { valid: readonly Case[]; invalid: readonly InvalidCase[] }): void {
  t.test(rule.meta.name, async (t) => {
    for (const testCase of cases.valid) {
      t.test(`valid: ${testCase.name}`, async (t) => {
        const { syntax, found } = await run(rule, testCase);
        t.same(syntax, [], 'the case parses');
        t.same(found.map((v) => `${v.side}:${v.line}:${v.column} ${v.message}`), [], 'no violation');
      });
    }
    for (const testCase of cases.invalid) {
      t.test(`invalid: ${testCase.name}`, async (t) => {
        const { syntax, found } = await run(rule, testCase);
        t.same(syntax, [], 'the case parses');
        const actual = found.map((v) => ({ side: v.side, messageId: v.messageId, line: v.line, column: v.column, endLine: v.endLine, endColumn: v.endColumn }));
        const expected = testCase.errors.map((e) => ({ side: e.file ?? 'up', messageId: e.messageId, line: e.line, column: e.column, endLine: e.endLine, endColumn: e.endColumn }));
        t.same(actual, expected, found.map((v) => `${v.side}:${v.line}:${v.column} ${v.message}`).join('\n') || 'no violation found');
        for (const e of testCase.errors) if (e.message) t.ok(found.some((v) => v.line === e.line && v.message.includes(e.message!)), `message contains "${e.message}"`);
      });
    }
  });
}
