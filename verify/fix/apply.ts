// A fix plan's edits applied to the files' bytes: written (--fix) or shown as a unified diff (--fix-dry-run).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { displayPath } from '../../core/display-path.js';
import type { FixPlan, FileEdit } from './plan.js';

export interface FixedFile {
  readonly path: string;
  /** undefined for a file the plan creates. */
  readonly before?: string;
  readonly after: string;
}

/** The new text of every file the plan edits or creates (paths as the plan names them, read from disk). */
export function fixedFiles(plan: FixPlan, read: (path: string) => Buffer = (path) => readFileSync(path)): FixedFile[] {
  const byPath = new Map<string, FileEdit[]>();
  for (const edit of plan.edits) byPath.set(edit.path, [...(byPath.get(edit.path) ?? []), edit]);
  const out: FixedFile[] = [];
  for (const [path, edits] of byPath) {
    const bytes = read(path);
    // Back to front, so earlier offsets stay valid; at one offset the replacement first, then what is inserted there.
    const sorted = edits.map((edit, i) => ({ edit, i })).sort((a, b) => b.edit.start - a.edit.start || b.edit.end - a.edit.end || b.i - a.i);
    let result = bytes;
    for (const { edit } of sorted) result = Buffer.concat([result.subarray(0, edit.start), Buffer.from(edit.text, 'utf8'), result.subarray(edit.end)]);
    out.push({ path, before: bytes.toString('utf8'), after: result.toString('utf8') });
  }
  for (const file of plan.created) out.push({ path: file.path, after: file.text });
  return out;
}

/** Write the fixed files; a file to create that already exists is left alone and named. */
export function writeFixedFiles(files: readonly FixedFile[]): { written: string[]; skipped: string[] } {
  const written: string[] = [];
  const skipped: string[] = [];
  for (const file of files) {
    if (file.before === undefined && existsSync(file.path)) {
      skipped.push(file.path);
      continue;
    }
    writeFileSync(file.path, file.after, { flag: file.before === undefined ? 'wx' : 'w' });
    written.push(file.path);
  }
  return { written, skipped };
}

/** A unified diff of one file (git's format, three lines of context), or '' when nothing changed. */
export function unifiedDiff(file: FixedFile, context = 3): string {
  const before = file.before === undefined ? [] : splitLines(file.before);
  const after = splitLines(file.after);
  const ops = diffLines(before, after);
  if (!ops.some((op) => op.kind !== ' ')) return '';
  // git's a/ and b/ for a path under the working directory; an absolute path outside it as it is.
  const shown = displayPath(file.path);
  const side = (prefix: string): string => (isAbsolute(shown) ? shown : `${prefix}/${shown}`);
  const header = `--- ${file.before === undefined ? '/dev/null' : side('a')}\n+++ ${side('b')}\n`;
  const hunks: string[] = [];
  let i = 0;
  while (i < ops.length) {
    if (ops[i]!.kind === ' ') {
      i++;
      continue;
    }
    let start = Math.max(0, i - context);
    let end = i;
    // Extend over changes closer than twice the context.
    while (end < ops.length) {
      let next = end;
      while (next < ops.length && ops[next]!.kind !== ' ') next++;
      let gap = next;
      while (gap < ops.length && ops[gap]!.kind === ' ') gap++;
      end = next;
      if (gap >= ops.length || gap - next > 2 * context) break;
      end = gap;
    }
    const stop = Math.min(ops.length, end + context);
    const slice = ops.slice(start, stop);
    const oldStart = slice.find((op) => op.kind !== '+')?.oldLine ?? (ops[start]?.oldLine ?? 0);
    const newStart = slice.find((op) => op.kind !== '-')?.newLine ?? (ops[start]?.newLine ?? 0);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    hunks.push(`@@ -${oldCount ? oldStart : oldStart - 1},${oldCount} +${newCount ? newStart : newStart - 1},${newCount} @@\n${slice.map((op) => `${op.kind}${op.text}\n`).join('')}`);
    i = stop;
    start = stop;
  }
  return header + hunks.join('');
}

function splitLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

interface Op {
  readonly kind: ' ' | '-' | '+';
  readonly text: string;
  /** 1-based line in the old file (for ' ' and '-') or where it would stand. */
  readonly oldLine: number;
  readonly newLine: number;
}

/** Line diff by longest common subsequence (migration files are small; a fix changes a few lines). */
function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
      // Removed lines first, then the added ones, as diff and git show them.
      ops.push({ kind: '-', text: a[i]!, oldLine: i + 1, newLine: j + 1 });
      i++;
    } else {
      ops.push({ kind: '+', text: b[j]!, oldLine: i + 1, newLine: j + 1 });
      j++;
    }
  }
  return ops;
}
