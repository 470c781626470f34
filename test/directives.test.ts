// Applying directives (verify/apply-directives.ts): where a -- verify: comment may stand and what it covers.
import t from 'tap';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verify } from '../verify/engine.js';
import { rules } from '../verify/rules/index.js';

async function findings(files: Record<string, string>): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'directives-'));
  try {
    writeFileSync(join(dir, '20260101000000_t.up.sql'), 'CREATE TABLE t (id bigint PRIMARY KEY);\n');
    writeFileSync(join(dir, '20260101000000_t.down.sql'), 'DROP TABLE t;\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    const result = await verify({ paths: [dir], rules, cache: false });
    return result.violations.map((v) => `${v.file.slice(dir.length + 1)}:${v.line} ${v.rule}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

t.test('a file-wide verify:ignore in the down covers a finding reported at the up', async (t) => {
  t.same(
    await findings({
      '20260102000000_x.up.sql': 'ALTER TABLE t ADD COLUMN x text;\n',
      '20260102000000_x.down.sql': '-- verify:ignore down-reverses-up the column stays, readers of old releases need it\nSELECT 1;\n',
    }),
    [],
  );
});

t.test('an ignore that stands above one statement of the down covers that statement only', async (t) => {
  t.same(
    await findings({
      '20260102000000_x.up.sql': 'ALTER TABLE t ADD COLUMN x text;\n',
      '20260102000000_x.down.sql': 'SELECT 1;\n-- verify:ignore down-reverses-up not this one\nSELECT 2;\n',
    }),
    ['20260102000000_x.down.sql:2 unused-directive', '20260102000000_x.up.sql:1 down-reverses-up'],
  );
});

t.test('verify:irreversible in the up or the down marks the migration, once', async (t) => {
  for (const [name, up, down] of [
    ['in the down', 'ALTER TABLE t ADD COLUMN x text;\n', '-- verify:irreversible the column carries data we cannot drop\nSELECT 1;\n'],
    ['in the up', '-- verify:irreversible old clients write the column\nALTER TABLE t ADD COLUMN x text;\n', 'SELECT 1;\n'],
  ] as const) {
    t.same(await findings({ '20260102000000_x.up.sql': up, '20260102000000_x.down.sql': down }), [], name);
  }
});
