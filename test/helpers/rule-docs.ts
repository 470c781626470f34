// Reads a rule's markdown doc: its description line, sections, and the Given / Instead of / Use SQL blocks.
import { readFileSync } from 'node:fs';

export interface RuleDoc {
  readonly title: string;
  readonly description: string;
  readonly sections: readonly string[];
  readonly given?: string;
  readonly insteadOf: readonly string[];
  readonly use: readonly string[];
  /** `<!-- layout: golang-migrate -->`: the doc's SQL runs in that layout's folder (default: ours). */
  readonly layout?: 'golang-migrate';
  /** `<!-- verify: standbys -->`: the doc's SQL is verified for a primary with standbys (--standbys). */
  readonly standbys?: boolean;
}

export function readRuleDoc(path: string): RuleDoc {
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const title = (lines[0] ?? '').replace(/^#\s+/, '').trim();
  const description = lines.slice(1).find((l) => l.trim() !== '')?.trim() ?? '';
  const sections = lines.filter((l) => /^##\s/.test(l)).map((l) => l.replace(/^##\s+/, '').trim());
  const blocks: Array<{ label: string; sql: string }> = [];
  const pattern = /^(Given|Instead of|Use)[^\n]*:\s*\n+```sql\n([\s\S]*?)```/gm;
  for (const match of text.matchAll(pattern)) blocks.push({ label: match[1]!, sql: match[2]! });
  return {
    title,
    description,
    sections,
    given: blocks.find((b) => b.label === 'Given')?.sql,
    insteadOf: blocks.filter((b) => b.label === 'Instead of').map((b) => b.sql),
    use: blocks.filter((b) => b.label === 'Use').map((b) => b.sql),
    ...(/^<!-- layout: golang-migrate -->$/m.test(text) ? { layout: 'golang-migrate' as const } : {}),
    ...(/^<!-- verify: standbys -->$/m.test(text) ? { standbys: true } : {}),
  };
}

/** Split a doc block at a `-- down` line into up and down. */
export function splitBlock(sql: string): { up: string; down?: string } {
  const parts = sql.split(/^--\s*down\s*$/m);
  return parts.length > 1 ? { up: parts[0]!, down: parts[1]! } : { up: sql };
}
