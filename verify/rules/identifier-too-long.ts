// The AST already holds truncated names (the parser truncates like the server), so this rule reads the scanner's
// tokens: libpg-query's scanner, reached through parse.ts (loaded by the engine before any rule runs), and only
// for a file that has a candidate longer than 63 bytes at all.
import { scanSql } from '../../core/migrations/parse.js';
import { defineRule } from '../rule.js';
import type { SourceFile } from '../../core/migrations/layout.js';

/** NAMEDATALEN - 1: the longest identifier Postgres keeps, in bytes. */
export const MAX_IDENTIFIER_BYTES = 63;

/** Identifiers longer than 63 bytes, which Postgres silently truncates. */
export default defineRule({
  meta: {
    name: 'identifier-too-long',
    description: 'No identifier is longer than 63 bytes, which Postgres would silently truncate.',
    category: 'integrity',
    severity: 'error',
    messages: {
      tooLong: 'Identifier {{name}} is {{bytes}} bytes long: Postgres silently truncates it to its first 63 bytes ({{truncated}}), so two names that share those bytes collide, and anything that looks the object up by the full name finds nothing.',
    },
    help: {
      tooLong: 'Shorten it to at most 63 bytes (UTF-8), e.g. by abbreviating a word.',
    },
  },
  create(context) {
    const tokens = new Map<SourceFile, readonly Identifier[]>();
    return {
      statement({ statement, file }) {
        let identifiers = tokens.get(file);
        if (!identifiers) {
          identifiers = identifiersOf(file.text);
          tokens.set(file, identifiers);
        }
        for (const identifier of identifiers) {
          if (identifier.start < statement.start || identifier.start >= statement.end) continue;
          const bytes = Buffer.byteLength(identifier.name, 'utf8');
          if (bytes <= MAX_IDENTIFIER_BYTES) continue;
          context.report({
            messageId: 'tooLong',
            file,
            at: identifier.start,
            endAt: identifier.end,
            data: { name: shortened(identifier.name), bytes, truncated: truncate(identifier.name) },
          });
        }
      },
    };
  },
});

interface Identifier {
  /** The name as Postgres stores it (quotes removed, unquoted ASCII letters folded to lower case), before truncation. */
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

/** Every identifier token of a file, with byte offsets. */
export function identifiersOf(text: string): Identifier[] {
  if (!hasLongWord(text)) return [];
  let tokens: Array<{ start: number; end: number; text?: string; tokenName?: string }>;
  try {
    tokens = scanSql(text).tokens;
  } catch {
    return [];
  }
  const bytes = Buffer.from(text, 'utf8');
  const out: Identifier[] = [];
  for (const [index, token] of tokens.entries()) {
    const raw = bytes.subarray(token.start, token.end).toString('utf8');
    let name: string | undefined;
    if (token.tokenName === 'IDENT') {
      name = raw.startsWith('"') ? raw.slice(1, -1).replace(/""/g, '"') : raw.replace(/[A-Z]+/g, (s) => s.toLowerCase());
    } else if (/^u&"/i.test(raw) && !/^uescape$/i.test(tokens[index + 1]?.text ?? '')) {
      name = decodeUnicodeEscapes(raw.slice(3, -1).replace(/""/g, '"'));
    }
    if (name !== undefined) out.push({ name, start: token.start, end: token.end });
  }
  return out;
}

/** A cheap first look: any word, quoted name or U&"..." long enough to be an identifier over 63 bytes. */
function hasLongWord(text: string): boolean {
  if (/u&"/i.test(text)) return true;
  try {
    for (const match of text.matchAll(/[\w$\u0080-\uffff]{16,}|"[^"]*(?:""[^"]*)*"/g)) {
      if (Buffer.byteLength(match[0], 'utf8') > MAX_IDENTIFIER_BYTES) return true;
    }
  } catch {
    // A word or quoted name of megabytes overflows the regexp backtracking stack (RangeError): it is long, so scan.
    return true;
  }
  return false;
}

/** U&"d\0061t\+000061" → "data" (the default escape character only). */
function decodeUnicodeEscapes(body: string): string {
  return body.replace(/\\(\\|[0-9a-fA-F]{4}|\+[0-9a-fA-F]{6})/g, (_, code: string) =>
    code === '\\' ? '\\' : String.fromCodePoint(parseInt(code.replace('+', ''), 16)),
  );
}

/** The longest prefix of whole characters within 63 bytes, as the server keeps it. */
/** The name as the message shows it: whole up to 120 characters, otherwise its start and end (it can be megabytes). */
function shortened(name: string): string {
  const chars = [...name];
  return chars.length <= 120 ? name : `${chars.slice(0, 80).join('')}…${chars.slice(-20).join('')}`;
}

export function truncate(name: string): string {
  let out = '';
  let used = 0;
  for (const ch of name) {
    const size = Buffer.byteLength(ch, 'utf8');
    if (used + size > MAX_IDENTIFIER_BYTES) break;
    out += ch;
    used += size;
  }
  return out;
}
