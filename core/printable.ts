// Text from files (names, SQL, identifiers) shown on a terminal or in a CI log: control characters would end a
// one-line message early (a file named "x\nerror: …" forges a line), ANSI escapes would recolour or retitle the
// terminal, and bidirectional overrides ("Trojan Source") would show text in another order than it is. Each is
// written as a visible escape instead; everything else, non-ASCII letters included, is kept as it is.

// C0 controls but tab, DEL, C1 controls, the bidirectional embeddings, overrides and isolates, and the line and
// paragraph separators.
const UNPRINTABLE = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;
const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** One line's worth of text, with what a terminal would act on written as an escape (`\n`, `\e`, `\x07`, `\u202e`). */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
}

/** Text whose line breaks are meant (a reconciling statement over several lines): each line made printable. */
export function printableLines(text: string): string {
  return text.split('\n').map(printable).join('\n');
}

/** A source line in a code frame: each such character becomes one U+FFFD, so the caret under it stays in its column. */
export function printableSource(line: string): string {
  return line.replace(UNPRINTABLE, '\ufffd');
}
