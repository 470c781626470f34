// A throwaway migration folder written by a test: numbered pairs, an optional `-- migrate:no-transaction` header.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';

export interface MigrationSpec {
  readonly slug: string;
  readonly up: string;
  readonly down: string;
  readonly noTransaction?: boolean;
}

/** `20260301000000_<slug>`, `20260301000100_<slug>`, ...: the name of the i-th migration of the folder. */
export function migrationName(index: number, slug: string): string {
  return `202603010${String(index).padStart(3, '0')}00_${slug}`;
}

export function migrationFolder(t: Test, specs: readonly MigrationSpec[]): { dir: string; names: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'integrity-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const names = specs.map((spec, i) => {
    const name = migrationName(i, spec.slug);
    const header = `-- ${spec.slug}: written by a test${spec.noTransaction ? '\n-- migrate:no-transaction' : ''}\n`;
    writeFileSync(join(dir, `${name}.up.sql`), `${header}${spec.up}\n`);
    writeFileSync(join(dir, `${name}.down.sql`), `-- undoes ${spec.slug}\n${spec.down}\n`);
    return name;
  });
  return { dir, names };
}
