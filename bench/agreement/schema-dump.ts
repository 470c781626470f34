// The judge's view of a schema: `pg_dump --schema-only` text turned into a multiset of statements, so two dumps compare
// regardless of the order pg_dump chose and of the order of a table's columns (a column dropped and re-added comes
// back at the end, and that is a restored schema). Ownership (ALTER ... OWNER TO), privileges (GRANT/REVOKE),
// comments, defaults, constraints, indexes, functions and everything else pg_dump writes are kept as written.

/** A dump as the judge compares it: each normalized statement with how many times it occurs. */
export type SchemaDump = ReadonlyMap<string, number>;

export interface DumpDifference {
  /** Statements of the first dump that the second lacks (something the down did not restore). */
  readonly missing: readonly string[];
  /** Statements of the second dump that the first lacks (something the down left behind or changed). */
  readonly extra: readonly string[];
}

/**
 * Parse pg_dump's plain-format output into the judge's comparable form. `clockDays` are the dates (YYYY-MM-DD) the
 * run's clock showed: a timestamp literal of those days in a definition was read from the clock when the object was
 * created (`'now'::timestamp` in a view is folded to a constant), so re-creating the object by the same SQL gives
 * another one; it is compared as `'<clock>'`.
 */
export function parseDump(text: string, clockDays: readonly string[] = runDays()): SchemaDump {
  const counts = new Map<string, number>();
  const clock = clockDays.length ? new RegExp(`'(?:${clockDays.join('|')})[ T]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d+)?(?:[+-]\\d{2}(?::?\\d{2})?)?'`, 'g') : undefined;
  for (const statement of splitDumpStatements(text)) {
    const normalized = clock ? normalizeStatement(statement).replace(clock, "'<clock>'") : normalizeStatement(statement);
    if (!normalized) continue;
    counts.set(normalized, (counts.get(normalized) ?? 0) + 1);
  }
  return counts;
}

/** Today and yesterday (UTC and local), the days a run's `now()` can have read. */
function runDays(): string[] {
  const now = Date.now();
  const days = new Set<string>();
  for (const at of [now, now - 86_400_000]) {
    const date = new Date(at);
    days.add(date.toISOString().slice(0, 10));
    days.add(`${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`);
  }
  return [...days];
}

export function compareDumps(before: SchemaDump, after: SchemaDump): DumpDifference {
  const missing: string[] = [];
  const extra: string[] = [];
  for (const [statement, count] of before) {
    for (let i = after.get(statement) ?? 0; i < count; i++) missing.push(statement);
  }
  for (const [statement, count] of after) {
    for (let i = before.get(statement) ?? 0; i < count; i++) extra.push(statement);
  }
  return { missing: missing.sort(), extra: extra.sort() };
}

/**
 * The dumps differ only in whitespace (a function or view body re-created with other indentation): still a
 * difference to the judge, which compares what the catalog holds, but worth saying apart.
 */
export function onlyWhitespace(difference: DumpDifference): boolean {
  const squash = (statements: readonly string[]) => statements.map((s) => s.replace(/\s+/g, ' ')).sort().join('\n');
  return !sameSchema(difference) && squash(difference.missing) === squash(difference.extra);
}

export function sameSchema(difference: DumpDifference): boolean {
  return difference.missing.length === 0 && difference.extra.length === 0;
}

/**
 * The statements of a dump, without pg_dump's comment lines, session settings and psql meta-commands
 * (`\restrict <random key>` of recent point releases). A statement ends at a semicolon at the end of a line outside
 * quotes; function bodies are dollar-quoted, so their inner semicolons do not end anything.
 */
export function splitDumpStatements(text: string): string[] {
  const statements: string[] = [];
  let current: string[] = [];
  let quote: string | undefined; // "'" or a dollar tag like "$_$"
  for (const line of text.split('\n')) {
    if (quote === undefined && current.length === 0) {
      if (line.trim() === '' || line.startsWith('--') || line.startsWith('\\')) continue;
    }
    current.push(line);
    quote = scanQuotes(line, quote);
    if (quote === undefined && /;\s*$/.test(line)) {
      statements.push(current.join('\n'));
      current = [];
    }
  }
  if (current.length > 0 && current.join('').trim() !== '') statements.push(current.join('\n'));
  return statements.filter((statement) => !isSessionSetting(statement));
}

/** The quote still open at the end of `line`, given the one open at its start. */
function scanQuotes(line: string, open: string | undefined): string | undefined {
  let quote = open;
  let i = 0;
  while (i < line.length) {
    if (quote === undefined) {
      const c = line[i]!;
      if (c === "'") {
        quote = "'";
        i++;
      } else if (c === '-' && line[i + 1] === '-') {
        return undefined; // the rest of the line is a comment
      } else if (c === '$') {
        const tag = /^\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/.exec(line.slice(i));
        if (tag) {
          quote = tag[0];
          i += tag[0].length;
        } else i++;
      } else i++;
    } else if (quote === "'") {
      const close = line.indexOf("'", i);
      if (close < 0) return quote;
      if (line[close + 1] === "'") i = close + 2;
      else {
        quote = undefined;
        i = close + 1;
      }
    } else {
      const close = line.indexOf(quote, i);
      if (close < 0) return quote;
      i = close + quote.length;
      quote = undefined;
    }
  }
  return quote;
}

function isSessionSetting(statement: string): boolean {
  return /^SET\s/.test(statement) || /^SELECT pg_catalog\.set_config\('search_path'/.test(statement);
}

/**
 * One statement as compared. A table's column and table-constraint lines are sorted (column order is not part of
 * the schema the judge asks for), and their trailing commas dropped, since the last line changes when order does.
 */
export function normalizeStatement(statement: string): string {
  const text = statement.replace(/[ \t]+$/gm, '').trim();
  const table = /^(CREATE (?:UNLOGGED |FOREIGN )?TABLE [^\n]*\()\n([\s\S]*?)\n(\)[^\n]*(?:\n[\s\S]*)?)$/.exec(text);
  if (!table) return text;
  const lines = table[2]!.split('\n').map((line) => line.replace(/,$/, ''));
  return [table[1]!, ...lines.sort(), table[3]!].join('\n');
}
