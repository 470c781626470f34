// One file, several parts: the up and down sections of a single-file migration (dbmate, node-pg-migrate, goose,
// sql-migrate) and the changesets of Liquibase's formatted SQL. Each part keeps the whole file's geometry: everything
// outside it is blanked byte for byte, newlines kept, so offsets, lines and columns stay those of the real file.
import type { Layout } from './layout.js';

export interface Sections {
  readonly up: string;
  readonly down?: string;
}

/** Each tool's section markers, as its own parser finds them. */
const MARKERS: Partial<Record<Layout, { readonly up: RegExp; readonly down: RegExp }>> = {
  dbmate: { up: /^[ \t]*--[ \t]*migrate:up\b.*$/im, down: /^[ \t]*--[ \t]*migrate:down\b.*$/im },
  'node-pg-migrate': { up: /^[ \t]*--[ \t]*(migrate:up\b.*|Up Migration\b.*)$/im, down: /^[ \t]*--[ \t]*(migrate:down\b.*|Down Migration\b.*)$/im },
  goose: { up: /^[ \t]*--[ \t]*\+goose[ \t]+Up\b.*$/im, down: /^[ \t]*--[ \t]*\+goose[ \t]+Down\b.*$/im },
  'sql-migrate': { up: /^[ \t]*--[ \t]*\+migrate[ \t]+Up\b.*$/im, down: /^[ \t]*--[ \t]*\+migrate[ \t]+Down\b.*$/im },
};

/** The up and down sections of a single file; undefined when it has no up marker. */
export function splitSections(text: string, layout: Layout = 'node-pg-migrate'): Sections | undefined {
  const markers = MARKERS[layout] ?? MARKERS['node-pg-migrate']!;
  const up = markers.up.exec(text);
  if (!up) return undefined;
  const down = markers.down.exec(text);
  const upStart = up.index;
  const downStart = down ? down.index : text.length;
  if (down && downStart < upStart) {
    return { up: keepOnly(text, [[upStart, text.length]]), down: keepOnly(text, [[downStart, upStart]]) };
  }
  return { up: keepOnly(text, [[upStart, downStart]]), down: down ? keepOnly(text, [[downStart, text.length]]) : undefined };
}

const CHANGESET_LINE = /^[ \t]*--[ \t]*changeset[ \t]+\S+.*$/gim;
const ROLLBACK_LINE = /^([ \t]*--[ \t]*rollback\b[ \t]?)(.*)$/gim;
/** `--rollback not required` / `--rollback empty`: Liquibase's words for a rollback with no statement. */
const NO_ROLLBACK = /^\s*(not\s+required|empty)\s*;?\s*$/i;

/**
 * Changeset `index` of a Liquibase formatted-SQL file: its body is the up; its `--rollback <sql>` lines, without
 * their comment prefix, are the down (none when it has no rollback line with SQL).
 */
export function changesetSections(text: string, index: number): Sections & { readonly changesetLine: string } {
  const starts = [...text.matchAll(CHANGESET_LINE)].map((m) => ({ at: m.index, line: m[0] }));
  const start = starts[index]?.at ?? text.length;
  const end = starts[index + 1]?.at ?? text.length;
  const body = text.slice(start, end);
  const rollbacks: Array<[number, number]> = [];
  const upKeep: Array<[number, number]> = [];
  let from = start;
  for (const match of body.matchAll(ROLLBACK_LINE)) {
    const lineStart = start + match.index;
    upKeep.push([from, lineStart]);
    from = lineStart + match[0].length;
    const sql = match[2] ?? '';
    if (!NO_ROLLBACK.test(sql)) rollbacks.push([lineStart + match[1]!.length, from]);
  }
  upKeep.push([from, end]);
  return {
    up: keepOnly(text, upKeep),
    ...(rollbacks.length ? { down: keepOnly(text, rollbacks) } : {}),
    changesetLine: starts[index]?.line ?? '',
  };
}

/** The text with everything outside `ranges` (UTF-16 index pairs, in order) blanked: each byte a space, newlines kept. */
function keepOnly(text: string, ranges: ReadonlyArray<readonly [number, number]>): string {
  const blank = (part: string): string => part.replace(/[^\n]/gu, (ch) => ' '.repeat(Buffer.byteLength(ch)));
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += blank(text.slice(at, start)) + text.slice(start, end);
    at = end;
  }
  return out + blank(text.slice(at));
}
