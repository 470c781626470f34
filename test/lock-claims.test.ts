// Every lock-safety rule claims a lock in meta.lock; run its doc's "Instead of" SQL on a real PostgreSQL and
// check that the statement it flags really takes that lock.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../verify/rules/index.js';
import { verify } from '../verify/engine.js';
import { executeMigrations } from '../verify/execute/index.js';
import { readRuleDoc, splitBlock } from './helpers/rule-docs.js';
import { startTestServer } from './helpers/server.js';

const RULES_DIR = new URL('../verify/rules/', import.meta.url).pathname;
const lockRules = rules.filter((r) => r.meta.lock !== undefined);

t.test('lock claims agree with pg_locks', async (t) => {
  t.ok(lockRules.length >= 15, `${lockRules.length} rules claim a lock`);
  const db = await startTestServer(t);
  for (const rule of lockRules) {
    t.test(rule.meta.name, async (t) => {
      const doc = readRuleDoc(join(RULES_DIR, `${rule.meta.name}.md`));
      const dir = mkdtempSync(join(tmpdir(), 'lock-claim-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const given = join(dir, '20260101000000_given.up.sql');
      const example = join(dir, '20260102000000_example.up.sql');
      const { up } = splitBlock(doc.insteadOf[0] ?? '');
      writeFileSync(given, doc.given ?? 'SELECT 1;');
      writeFileSync(example, up);
      const verified = await verify({ paths: [dir], rules: [rule], cache: false, standbys: doc.standbys });
      const flagged = verified.violations.filter((v) => v.rule === rule.meta.name && v.file.endsWith('_example.up.sql'));
      t.ok(flagged.length > 0, 'the doc example is flagged');
      const report = await executeMigrations(verified.migrations, { url: db.server.url });
      t.same(report.violations.filter((v) => v.rule === 'up-fails'), [], 'the example runs');
      const statements = report.migrations.find((m) => m.name === '20260102000000_example')?.locks ?? [];
      for (const violation of flagged) {
        const taken = statements.filter((s) => s.file === example && s.line <= violation.line).pop();
        t.ok(taken?.locks.some((l) => l.mode === rule.meta.lock), `line ${violation.line} takes ${rule.meta.lock}: ${JSON.stringify(taken?.locks)}`);
      }
    });
  }
});
