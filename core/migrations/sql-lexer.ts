// A small byte-level SQL lexer: finds comments and skips blanks, quoted strings, quoted identifiers and
// dollar-quoted bodies. The real grammar is libpg-query's; this only answers "where are the comments"
// and "where does the next token start", which libpg-query's scanner answers far more slowly.

const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const QUOTE = 0x27;
const DQUOTE = 0x22;
const DOLLAR = 0x24;
const NEWLINE = 0x0a;
const BACKSLASH = 0x5c;

export interface CommentSpan {
  readonly start: number;
  readonly end: number;
}

function isBlank(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d || byte === 0x0c || byte === 0x0b;
}

function isIdentifierByte(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte >= 0x80 || byte === DOLLAR;
}

/** End of a `--` comment starting at i (exclusive, before the newline). */
function lineCommentEnd(bytes: Uint8Array, i: number): number {
  let j = i + 2;
  while (j < bytes.length && bytes[j] !== NEWLINE) j++;
  return j;
}

/** End of a (possibly nested) block comment starting at i (exclusive). */
function blockCommentEnd(bytes: Uint8Array, i: number): number {
  let depth = 1;
  let j = i + 2;
  while (j < bytes.length && depth > 0) {
    if (bytes[j] === SLASH && bytes[j + 1] === STAR) {
      depth++;
      j += 2;
    } else if (bytes[j] === STAR && bytes[j + 1] === SLASH) {
      depth--;
      j += 2;
    } else j++;
  }
  return j;
}

/** Byte offset just after the quoted literal or identifier starting at i. */
function quotedEnd(bytes: Uint8Array, i: number, quote: number, backslashEscapes: boolean): number {
  let j = i + 1;
  while (j < bytes.length) {
    const byte = bytes[j]!;
    if (backslashEscapes && byte === BACKSLASH) {
      j += 2;
      continue;
    }
    if (byte === quote) {
      if (bytes[j + 1] === quote) {
        j += 2;
        continue;
      }
      return j + 1;
    }
    j++;
  }
  return j;
}

/** If a dollar quote ($$ or $tag$) starts at i, the offset just after its closing delimiter; else -1. */
function dollarQuotedEnd(bytes: Uint8Array, i: number): number {
  let j = i + 1;
  while (j < bytes.length && bytes[j] !== DOLLAR) {
    const byte = bytes[j]!;
    const tagByte = (byte >= 0x30 && byte <= 0x39 && j > i + 1) || (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a) || byte === 0x5f || byte >= 0x80;
    if (!tagByte) return -1;
    j++;
  }
  if (j >= bytes.length) return -1;
  const tag = bytes.subarray(i, j + 1);
  for (let k = j + 1; k + tag.length <= bytes.length; k++) {
    if (bytes[k] !== DOLLAR) continue;
    let same = true;
    for (let m = 1; m < tag.length; m++) if (bytes[k + m] !== tag[m]) { same = false; break; }
    if (same) return k + tag.length;
  }
  return bytes.length;
}

/** Every comment of the text, in order, with UTF-8 byte offsets. */
export function findComments(bytes: Uint8Array): CommentSpan[] {
  const comments: CommentSpan[] = [];
  let i = 0;
  let previous = 0x20;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte === DASH && bytes[i + 1] === DASH) {
      const end = lineCommentEnd(bytes, i);
      comments.push({ start: i, end });
      i = end;
    } else if (byte === SLASH && bytes[i + 1] === STAR) {
      const end = blockCommentEnd(bytes, i);
      comments.push({ start: i, end });
      i = end;
    } else if (byte === QUOTE) {
      const escapes = (previous === 0x45 || previous === 0x65) && (i < 2 || !isIdentifierByte(bytes[i - 2]!));
      i = quotedEnd(bytes, i, QUOTE, escapes);
    } else if (byte === DQUOTE) {
      i = quotedEnd(bytes, i, DQUOTE, false);
    } else if (byte === DOLLAR && !isIdentifierByte(previous)) {
      const end = dollarQuotedEnd(bytes, i);
      i = end === -1 ? i + 1 : end;
    } else if (isIdentifierByte(byte)) {
      // Skip the whole word so `a$b$` or `E'...'` boundaries are read right.
      let j = i + 1;
      while (j < bytes.length && isIdentifierByte(bytes[j]!)) j++;
      previous = bytes[j - 1]!;
      if (bytes[j] === QUOTE && j - i === 1 && (byte === 0x45 || byte === 0x65)) {
        i = quotedEnd(bytes, j, QUOTE, true);
        previous = QUOTE;
        continue;
      }
      i = j;
      continue;
    } else i++;
    previous = byte;
  }
  return comments;
}

/** The first byte at or after `from` that is neither blank nor inside a comment. */
export function nextTokenStart(bytes: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const byte = bytes[i]!;
    if (isBlank(byte)) i++;
    else if (byte === DASH && bytes[i + 1] === DASH) i = lineCommentEnd(bytes, i);
    else if (byte === SLASH && bytes[i + 1] === STAR) i = blockCommentEnd(bytes, i);
    else return i;
  }
  return from;
}
