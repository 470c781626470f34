// Bytes -> line:column, the only place it is done. Lines and columns are 1-based;
// columns count characters (code points), as editors show them. PostgreSQL's positions (1-based characters into the
// text it was sent) become byte offsets here too.

export interface Position {
  readonly line: number;
  readonly column: number;
}

export class LineIndex {
  private readonly bytes: Buffer;
  /** Byte offset where each line starts. */
  private readonly lineStarts: number[];

  constructor(text: string, bytes?: Buffer) {
    this.bytes = bytes ?? Buffer.from(text, 'utf8');
    this.lineStarts = [0];
    for (let i = this.bytes.indexOf(0x0a); i !== -1; i = this.bytes.indexOf(0x0a, i + 1)) this.lineStarts.push(i + 1);
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  position(byteOffset: number): Position {
    const offset = Math.max(0, Math.min(byteOffset, this.bytes.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const lineStart = this.lineStarts[lo]!;
    const column = this.bytes.subarray(lineStart, offset).toString('utf8').replace(/\r$/, '');
    return { line: lo + 1, column: [...column].length + 1 };
  }

  /** The byte offset of a 1-based line and column (columns count characters), clamped to the line. */
  offset(line: number, column: number): number {
    const start = this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length) - 1)] ?? 0;
    return start + byteOffsetOfCharacter(this.lineText(line), Math.max(0, column - 1));
  }

  /** The text of a 1-based line, without its line ending. */
  lineText(line: number): string {
    const start = this.lineStarts[line - 1];
    if (start === undefined) return '';
    const next = this.lineStarts[line];
    const end = next === undefined ? this.bytes.length : next - 1;
    return this.bytes.subarray(start, end).toString('utf8').replace(/\r$/, '');
  }

  /** The text between two byte offsets (clamped to the file). */
  textBetween(startByte: number, endByte: number): string {
    return this.bytes.subarray(Math.max(0, startByte), Math.min(endByte, this.bytes.length)).toString('utf8');
  }
}

/**
 * The byte offset, in `text`, of the character PostgreSQL points at: `characters` counts code points from 0 (the
 * parser's cursor) and stops at the end of the text.
 */
export function byteOffsetOfCharacter(text: string, characters: number): number {
  let bytes = 0;
  let seen = 0;
  for (const ch of text) {
    if (seen >= characters) break;
    bytes += Buffer.byteLength(ch);
    seen++;
  }
  return bytes;
}
