// A migration file's bytes, the text decoded from them, and the checksum computed from the bytes. Nothing here
// replaces or drops a byte silently: a file that is not UTF-8, or holds a NUL, says where.

import { createHash } from 'node:crypto';

export interface FileContent {
  /** The bytes as read (or as given, e.g. git's staged text). */
  readonly bytes: Buffer;
  /** The decoded text; where the bytes are not UTF-8 it holds U+FFFD, and `encodingError` says so. */
  readonly text: string;
  /** Why the bytes cannot be run: not UTF-8, or a NUL byte (PostgreSQL ends a query string there). Byte offset. */
  readonly encodingError?: { readonly message: string; readonly offset: number };
}

// ignoreBOM keeps a BOM in the text, so text and bytes keep one geometry (sourceFile blanks a leading one).
const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function fileContent(bytes: Buffer): FileContent {
  let text: string;
  let encodingError: FileContent['encodingError'];
  try {
    text = strict.decode(bytes);
  } catch {
    text = bytes.toString('utf8');
    const offset = firstInvalidUtf8(bytes);
    encodingError = { message: `file is not valid UTF-8 (byte 0x${(bytes[offset] ?? 0).toString(16).padStart(2, '0')}): save it as UTF-8`, offset };
  }
  const nul = bytes.indexOf(0);
  if (!encodingError && nul !== -1) encodingError = { message: 'file contains a NUL byte, where PostgreSQL would end the statement: remove it', offset: nul };
  return { bytes, text, ...(encodingError ? { encodingError } : {}) };
}

/** The byte offset of the first byte that does not start or continue a valid UTF-8 sequence. */
function firstInvalidUtf8(bytes: Buffer): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    // Decoding exactly this sequence tells overlongs and surrogates from valid ones.
    try {
      strict.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const isBlank = (b: number): boolean => b === 0x20 || b === 0x09 || b === 0x0c || b === 0x0b;

/**
 * What a checkout on another OS or editor must not change, on the bytes: a UTF-8 BOM, CRLF (or lone CR) line ends,
 * spaces and tabs at the end of a line, and how many newlines end the file (exactly one after normalizing). For a
 * UTF-8 file this is byte for byte the normalization of its text that earlier releases hashed, so recorded checksums
 * keep matching; any other byte counts as it is.
 */
export function normalizeMigrationBytes(input: Buffer): Buffer {
  const bytes = input.subarray(0, 3).equals(BOM) ? input.subarray(3) : input;
  const out = Buffer.allocUnsafe(bytes.length + 1);
  let length = 0;
  let lineEnd = 0; // out's length without the current line's trailing blanks
  for (let i = 0; i < bytes.length; i++) {
    let b = bytes[i]!;
    if (b === 0x0d) {
      if (bytes[i + 1] === 0x0a) i++;
      b = 0x0a;
    }
    if (b === 0x0a) {
      length = lineEnd;
      out[length++] = 0x0a;
      lineEnd = length;
      continue;
    }
    out[length++] = b;
    if (!isBlank(b)) lineEnd = length;
  }
  length = lineEnd;
  while (length > 0 && out[length - 1] === 0x0a) length--;
  out[length++] = 0x0a;
  return out.subarray(0, length);
}

/** The sha256 (lower-case hex) of a migration file's normalized bytes: what migrations.sum and the database record. */
export function migrationChecksum(content: Buffer | string): string {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  return createHash('sha256').update(normalizeMigrationBytes(bytes)).digest('hex');
}
