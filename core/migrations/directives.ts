// `-- verify:` and `-- migrate:` comments: what they say, where they apply, and which were used.
import type { Comment, Statement } from './parse.js';
import { canonicalRule } from './rule-aliases.js';

export type DirectiveKind = 'ignore' | 'allow-destructive' | 'irreversible' | 'no-transaction' | 'invalid';

export interface Directive {
  readonly kind: DirectiveKind;
  /** Rule ids for `ignore`. */
  readonly rules: readonly string[];
  readonly reason: string;
  /** Byte span of the comment. */
  readonly start: number;
  readonly end: number;
  /** 'file' when it stands before the first statement, else the index of the statement directly below it. */
  readonly scope: 'file' | number | 'none';
  /** For kind 'invalid': why. */
  readonly problem?: string;
  /** For 'no-transaction' said by dbmate's section marker (`-- migrate:up transaction:false`): which section. */
  readonly marker?: 'up' | 'down';
}

const VERIFY = /^--\s*verify:([a-z-]*)\s*(.*)$/;
const MIGRATE = /^--\s*migrate:([a-z-]*)\s*(.*)$/;
const RULE_LIST = /^([a-z0-9-]+(?:\s*,\s*[a-z0-9-]+)*)\s*(.*)$/;

/** Read the directives of a file from its comments. `text` is needed to tell what stands between a comment and a statement. */
export function readDirectives(comments: readonly Comment[], statements: readonly Statement[], bytes: Buffer): Directive[] {
  const directives: Directive[] = [];
  for (const comment of comments) {
    const text = comment.text.trim();
    const verify = VERIFY.exec(text);
    const migrate = verify ? undefined : MIGRATE.exec(text);
    if (!verify && !migrate) continue;
    const scope = scopeOf(comment, statements, bytes);
    if (migrate) {
      const marker = migrate[1] === 'up' || migrate[1] === 'down' ? migrate[1] : undefined;
      // dbmate reads the options of a section marker as key:value words (parseMigrationOptions).
      const noTransaction = migrate[1] === 'no-transaction' || (marker !== undefined && /(^|\s)transaction:false(\s|$)/.test(migrate[2] ?? ''));
      if (noTransaction) directives.push({ kind: 'no-transaction', rules: [], reason: migrate[2] ?? '', start: comment.start, end: comment.end, scope: 'file', ...(marker ? { marker } : {}) });
      else if (migrate[1] !== 'up' && migrate[1] !== 'down')
        directives.push(invalid(comment, scope, `Unknown directive migrate:${migrate[1]}: the runner knows only -- migrate:no-transaction.`));
      continue;
    }
    const name = verify![1] ?? '';
    const rest = (verify![2] ?? '').trim();
    if (name === 'ignore') {
      const list = RULE_LIST.exec(rest);
      if (!list) {
        directives.push(invalid(comment, scope, 'Directive verify:ignore names no rule: write -- verify:ignore <rule>[,<rule>] <reason>.'));
        continue;
      }
      const rules = list[1]!.split(',').map((r) => canonicalRule(r.trim()));
      const reason = (list[2] ?? '').trim();
      if (!reason) {
        directives.push(invalid(comment, scope, `Directive verify:ignore ${rules.join(',')} gives no reason: say why after the rule names.`));
        continue;
      }
      directives.push({ kind: 'ignore', rules, reason, start: comment.start, end: comment.end, scope });
    } else if (name === 'allow-destructive' || name === 'irreversible') {
      if (!rest) {
        directives.push(invalid(comment, scope, `Directive verify:${name} gives no reason: write -- verify:${name} <why this is safe>.`));
        continue;
      }
      directives.push({ kind: name, rules: [], reason: rest, start: comment.start, end: comment.end, scope: name === 'irreversible' ? 'file' : scope });
    } else {
      directives.push(invalid(comment, scope, `Unknown directive verify:${name}: use verify:ignore, verify:allow-destructive or verify:irreversible.`));
    }
  }
  return directives;
}

function invalid(comment: Comment, scope: Directive['scope'], problem: string): Directive {
  return { kind: 'invalid', rules: [], reason: '', start: comment.start, end: comment.end, scope, problem };
}

/** A comment before the first statement covers the file; otherwise the statement directly below it (only blanks and comments between). */
function scopeOf(comment: Comment, statements: readonly Statement[], bytes: Buffer): Directive['scope'] {
  const first = statements[0];
  if (!first || comment.end <= first.start) return 'file';
  const next = statements.find((s) => s.start >= comment.end);
  if (!next) return 'none';
  const previous = [...statements].reverse().find((s) => s.start < comment.start);
  // A trailing comment on the line of a previous statement belongs to nothing.
  if (previous && previous.end > comment.start) return 'none';
  const between = bytes.subarray(comment.end, next.start).toString('utf8');
  return /^(\s|--[^\n]*|\/\*[\s\S]*?\*\/)*$/.test(between) ? next.index : 'none';
}
