// Where reported text ends, when a rule gives only where it starts: the code frame underlines that much.
import type { LineIndex } from '../core/migrations/source-position.js';

const BLANK = /\s/;
const IDENTIFIER = /[A-Za-z0-9_$\u0080-\uffff]/;

/**
 * Byte offset where the list element starting at byte `at` ends: before the first `,` or unmatched `)` at its own
 * depth (the end of a column definition, a constraint, an ALTER TABLE command, a value), else at `limit`, trailing
 * blanks excluded. Quoted literals and identifiers, dollar-quoted bodies and comments are skipped whole.
 */
export function elementEnd(lines: LineIndex, at: number, limit: number): number {
  const text = lines.textBetween(at, limit);
  let depth = 0;
  let end = 0;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === "'" || c === '"') {
      i = quotedEnd(text, i, c);
      end = i;
      continue;
    }
    if (c === '$' && (i === 0 || !IDENTIFIER.test(text[i - 1]!))) {
      const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(i));
      if (tag) {
        const close = text.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? text.length : close + tag[0].length;
        end = i;
        continue;
      }
    }
    if (text.startsWith('--', i)) {
      const newline = text.indexOf('\n', i);
      i = newline < 0 ? text.length : newline;
      continue;
    }
    if (text.startsWith('/*', i)) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    } else if (c === ',' && depth === 0) break;
    i++;
    if (!BLANK.test(c)) end = i;
  }
  return at + Buffer.byteLength(text.slice(0, end), 'utf8');
}

/** Index just past the quoted literal or identifier opening at `i` (a doubled quote stays inside). */
function quotedEnd(text: string, i: number, quote: string): number {
  let j = i + 1;
  while (j < text.length) {
    if (text[j] === quote) {
      if (text[j + 1] === quote) j += 2;
      else return j + 1;
    } else j++;
  }
  return text.length;
}

/** Byte offset just past the string literal at byte `at` and its `::type` cast, if any; undefined when none starts there. */
export function literalEnd(lines: LineIndex, at: number, limit: number): number | undefined {
  const text = lines.textBetween(at, limit);
  if (text[0] !== "'") return undefined;
  let end = quotedEnd(text, 0, "'");
  const cast = /^\s*::\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?:\s*\.\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*))?(?:\[\])*/.exec(text.slice(end));
  if (cast) end += cast[0].length;
  return at + Buffer.byteLength(text.slice(0, end), 'utf8');
}
