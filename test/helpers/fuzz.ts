// Deterministic mutation fuzzing for the verifier: a seeded PRNG, a corpus of real migration files,
// byte-level mutators, a few pathological generators (10 MB, deep nesting), and the oracle the test checks against.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let x = this.state;
    x = Math.imul(x ^ (x >>> 15), x | 1);
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61);
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [lo, hi]. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick() from an empty list');
    return items[this.int(items.length)]!;
  }
}

export interface SeedFile {
  /** Where it came from, relative to the repository. */
  readonly origin: string;
  readonly bytes: Buffer;
}

/** Every .sql file under the given folders (recursively), sorted by path so the corpus order is stable. */
export function loadCorpus(root: string, folders: readonly string[], exclude: RegExp = /^$/): SeedFile[] {
  const found: string[] = [];
  const visit = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && entry.name.endsWith('.sql')) found.push(path);
    }
  };
  for (const folder of folders) visit(join(root, folder));
  return found
    .map((path) => relative(root, path))
    .filter((origin) => !exclude.test(origin))
    .sort()
    .map((origin) => ({ origin, bytes: readFileSync(join(root, origin)) }));
}

export interface Mutant {
  /** What was done, e.g. "truncate@123 <- sql/2026..._create_users.up.sql". */
  readonly label: string;
  readonly bytes: Buffer;
}

type Mutator = (rng: Rng, input: Buffer, corpus: readonly SeedFile[]) => { name: string; bytes: Buffer };

const INVALID_UTF8: readonly number[][] = [
  [0xff],
  [0xfe],
  [0x80],
  [0xc3], // a lead byte without its continuation
  [0xe2, 0x82], // a 3-byte sequence cut short
  [0xc0, 0xaf], // overlong '/'
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded in UTF-8
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf8, 0x88, 0x80, 0x80, 0x80], // 5-byte form
];

const MULTIBYTE = ['é', 'ß', '€', '中文', '😀', 'e\u0301', '\u200b', '\u2028', '\u00a0', '\ufeff', 'Ω'];

const RULE_IDS = [
  'foreign-key-needs-index',
  'down-reverses-up',
  'require-concurrent-index-creation',
  'prefer-robust-stmts',
  'syntax-error',
  'unused-directive',
  'no-such-rule',
  'ban-char-field',
  'prefer-text-field',
];

function directiveComment(rng: Rng): string {
  const rules = Array.from({ length: rng.between(1, 3) }, () => rng.pick(RULE_IDS)).join(rng.pick([',', ', ', ' ,', ',,']));
  const reason = rng.pick(['', ' because the table is empty', ' x', ` ${'why '.repeat(rng.between(1, 50))}`, ' ☃ reason', ' -- nested --']);
  return rng.pick([
    `-- verify:ignore ${rules}${reason}`,
    `-- verify:ignore${reason}`,
    `--verify:ignore ${rules}${reason}`,
    `-- verify:allow-destructive${reason}`,
    `-- verify:irreversible${reason}`,
    `-- verify:${rng.pick(['', 'bogus', 'IGNORE', 'ignore-next', '-'])}${reason}`,
    '-- migrate:no-transaction',
    `-- migrate:${rng.pick(['up', 'down', 'up transaction:false', 'no-transactions', ''])}`,
    `/* verify:ignore ${rules}${reason} */`,
    `-- verify:ignore ${rules}${reason} /* unterminated`,
  ]);
}

/** Byte offset of a random line start (0 when the input has no newline). */
function lineStart(rng: Rng, input: Buffer): number {
  const starts = [0];
  for (let i = input.indexOf(0x0a); i !== -1; i = input.indexOf(0x0a, i + 1)) starts.push(i + 1);
  return rng.pick(starts);
}

function insert(input: Buffer, at: number, bytes: Buffer): Buffer {
  return Buffer.concat([input.subarray(0, at), bytes, input.subarray(at)]);
}

const MUTATORS: Readonly<Record<string, Mutator>> = {
  truncate: (rng, input) => {
    const at = rng.int(input.length + 1);
    return { name: `truncate@${at}`, bytes: input.subarray(0, at) };
  },
  flipBytes: (rng, input) => {
    const out = Buffer.from(input);
    const n = rng.between(1, 8);
    for (let i = 0; i < n && out.length > 0; i++) {
      const at = rng.int(out.length);
      out[at] = rng.chance(0.5) ? out[at]! ^ (1 << rng.int(8)) : rng.int(256);
    }
    return { name: `flip×${n}`, bytes: out };
  },
  insertNul: (rng, input) => {
    const at = rng.int(input.length + 1);
    return { name: `nul@${at}`, bytes: insert(input, at, Buffer.from([0])) };
  },
  invalidUtf8: (rng, input) => {
    let out = input;
    const n = rng.between(1, 3);
    for (let i = 0; i < n; i++) out = insert(out, rng.int(out.length + 1), Buffer.from(rng.pick(INVALID_UTF8)));
    return { name: `bad-utf8×${n}`, bytes: out };
  },
  multibyte: (rng, input) => {
    let out = input;
    const n = rng.between(1, 4);
    // Anywhere, including inside another multi-byte character.
    for (let i = 0; i < n; i++) out = insert(out, rng.int(out.length + 1), Buffer.from(rng.pick(MULTIBYTE), 'utf8'));
    return { name: `multibyte×${n}`, bytes: out };
  },
  crlf: (rng, input) => {
    const text = input.toString('latin1');
    const mode = rng.pick(['crlf', 'cr', 'mixed']);
    const out = mode === 'crlf' ? text.replace(/\n/g, '\r\n') : mode === 'cr' ? text.replace(/\n/g, '\r') : text.replace(/\n/g, () => (rng.chance(0.5) ? '\r\n' : '\n'));
    return { name: mode, bytes: Buffer.from(out, 'latin1') };
  },
  bom: (rng, input) => {
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const mode = rng.pick(['lead', 'double', 'middle']);
    if (mode === 'lead') return { name: 'bom', bytes: Buffer.concat([bom, input]) };
    if (mode === 'double') return { name: 'bom×2', bytes: Buffer.concat([bom, bom, input]) };
    return { name: 'bom-middle', bytes: insert(input, lineStart(rng, input), bom) };
  },
  directive: (rng, input) => {
    let out = input;
    const n = rng.between(1, 3);
    for (let i = 0; i < n; i++) out = insert(out, lineStart(rng, out), Buffer.from(`${directiveComment(rng)}\n`, 'utf8'));
    return { name: `directive×${n}`, bytes: out };
  },
  longIdentifier: (rng, input) => {
    const text = input.toString('utf8');
    const words = [...text.matchAll(/\b[a-z_][a-z0-9_]{2,}\b/g)];
    const length = rng.pick([64, 100, 1000, 20_000]);
    const unit = rng.pick(['x', 'é', '中', '😀']);
    const long = rng.chance(0.5) ? unit.repeat(length) : `"${unit.repeat(length)}"`;
    if (words.length === 0) return { name: `long-ident(${length})`, bytes: Buffer.from(`CREATE TABLE ${long} (id bigint);\n${text}`, 'utf8') };
    const word = rng.pick(words);
    const at = word.index ?? 0;
    return { name: `long-ident(${length}${unit})`, bytes: Buffer.from(text.slice(0, at) + long + text.slice(at + word[0].length), 'utf8') };
  },
  splice: (rng, input, corpus) => {
    const other = rng.pick(corpus).bytes;
    const a = rng.int(input.length + 1);
    const b = rng.int(other.length + 1);
    return { name: `splice@${a}/${b}`, bytes: Buffer.concat([input.subarray(0, a), other.subarray(b)]) };
  },
  deleteRange: (rng, input) => {
    const a = rng.int(input.length + 1);
    const b = Math.min(input.length, a + rng.between(1, 64));
    return { name: `delete@${a}-${b}`, bytes: Buffer.concat([input.subarray(0, a), input.subarray(b)]) };
  },
  duplicateRange: (rng, input) => {
    const a = rng.int(input.length + 1);
    const b = Math.min(input.length, a + rng.between(1, 200));
    return { name: `dup@${a}-${b}`, bytes: insert(input, b, input.subarray(a, b)) };
  },
  unbalanced: (rng, input) => {
    const piece = rng.pick(["'", '"', '$$', '$tag$', '/*', '*/', '(', ')', ';', 'E\'\\', 'U&"', '--', '\\']);
    return { name: `unbalanced(${piece})`, bytes: insert(input, rng.int(input.length + 1), Buffer.from(piece)) };
  },
};

export const MUTATOR_NAMES: readonly string[] = Object.keys(MUTATORS);

/** One mutant: a corpus file with one to three mutations stacked. */
export function mutate(rng: Rng, corpus: readonly SeedFile[]): Mutant {
  const seed = rng.pick(corpus);
  let bytes = seed.bytes;
  const steps: string[] = [];
  const n = rng.chance(0.7) ? 1 : rng.between(2, 3);
  for (let i = 0; i < n; i++) {
    const { name, bytes: out } = MUTATORS[rng.pick(MUTATOR_NAMES)]!(rng, bytes, corpus);
    steps.push(name);
    bytes = out;
  }
  return { label: `${steps.join('+')} <- ${seed.origin}`, bytes };
}

/**
 * About `size` bytes of real SQL: the corpus files `parses` accepts, without their directive comments, renamed so
 * each copy creates its own tables.
 */
export function bigValidFile(corpus: readonly SeedFile[], size: number, parses: (text: string) => boolean): Buffer {
  const pieces = corpus
    .map((f) => f.bytes.toString('utf8').replace(/^[ \t]*--[ \t]*(verify|migrate):[^\n]*\n/gm, ''))
    .filter((text) => /\bcreate table\b/i.test(text) && parses(text));
  if (pieces.length === 0) throw new Error('no parseable CREATE TABLE in the corpus');
  const parts: string[] = [];
  let length = 0;
  for (let copy = 0; length < size; copy++) {
    for (const piece of pieces) {
      // The trailing ';' ends a last statement written without one (an empty statement is harmless).
      const text = `${piece.replace(/\b(create table(?: if not exists)?\s+)([a-z_][a-z0-9_]*)/gi, `$1$2_c${copy}`)}\n;\n`;
      parts.push(text);
      length += Buffer.byteLength(text);
      if (length >= size) break;
    }
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** About `size` bytes of a seed-data migration: one CREATE TABLE, then INSERTs of 500 rows each (with multi-byte text). */
export function bigSeedFile(size: number): Buffer {
  const parts = ['-- Seed data for the brand catalogue.\nCREATE TABLE brand_seed (\n    id BIGINT PRIMARY KEY,\n    name TEXT NOT NULL,\n    note TEXT\n);\n'];
  let length = Buffer.byteLength(parts[0]!);
  for (let id = 1; length < size; ) {
    const rows: string[] = [];
    for (let i = 0; i < 500; i++, id++) rows.push(`    (${id}, 'brand ${id}', 'sérum n°${id} 😀')`);
    const statement = `INSERT INTO brand_seed (id, name, note) VALUES\n${rows.join(',\n')};\n`;
    parts.push(statement);
    length += Buffer.byteLength(statement);
  }
  return Buffer.from(parts.join(''), 'utf8');
}

/** `size` bytes of bytes from the PRNG, with newlines sprinkled in: what a corrupted or binary file looks like. */
export function bigRandomFile(rng: Rng, size: number): Buffer {
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4) out.writeUInt32LE(Math.floor(rng.next() * 4294967296), Math.min(i, size - 4));
  for (let i = rng.int(200); i < size; i += 1 + rng.int(400)) out[i] = 0x0a;
  return out;
}

/** Pathologically nested statements, by name. Depths come from the caller. */
export const NESTED: Readonly<Record<string, (depth: number) => string>> = {
  parentheses: (n) => `SELECT ${'('.repeat(n)}1${')'.repeat(n)};\n`,
  unclosedParentheses: (n) => `SELECT ${'('.repeat(n)}1;\n`,
  functionCalls: (n) => `SELECT ${'abs('.repeat(n)}1${')'.repeat(n)};\n`,
  subqueries: (n) => `SELECT ${'(SELECT '.repeat(n)}1${')'.repeat(n)};\n`,
  arithmetic: (n) => `SELECT 1${' + 1'.repeat(n)};\n`,
  concatenation: (n) => `SELECT 'a'${" || 'a'".repeat(n)};\n`,
  booleans: (n) => `SELECT true${' AND NOT false'.repeat(n)};\n`,
  arrays: (n) => `SELECT ${'ARRAY['.repeat(n)}1${']'.repeat(n)};\n`,
  caseExpressions: (n) => `SELECT ${'CASE WHEN true THEN '.repeat(n)}1${' END'.repeat(n)};\n`,
  checkConstraint: (n) => `CREATE TABLE deep (id bigint PRIMARY KEY CHECK (id < ${'abs('.repeat(n)}1${')'.repeat(n)}));\n`,
  indexExpression: (n) => `-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS deep_idx ON deep ((${'abs('.repeat(n)}id${')'.repeat(n)}));\n`,
};

/** The text the verifier reads: invalid UTF-8 decoded to U+FFFD, as readFileSync(path, 'utf8') does. */
export function decoded(bytes: Buffer): string {
  return bytes.toString('utf8');
}

/** Number of lines as editors count them: newlines + 1. */
export function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The 1-based line's length in characters (code points), without its line ending. */
export function lineLength(lines: readonly string[], line: number): number {
  const text = lines[line - 1];
  return text === undefined ? -1 : [...text.replace(/\r$/, '')].length;
}
