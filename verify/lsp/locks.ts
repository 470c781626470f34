// The language server's hover: the locks a statement takes (verify/lock-table.ts), and what the lock-safety rules found
// (their meta.lock, and whether the statement rewrites or scans the table, as their messages say).
import type { Statement } from '../../core/migrations/parse.js';
import { displayName } from '../ast.js';
import { lockBlocks, statementLocks } from '../lock-table.js';
import type { Rule, Violation } from '../rule.js';

/** Markdown for a hover: the statement's locks, then what the lock-safety rules found (rewrite, scan, the lock held). */
export function hoverMarkdown(statement: Statement, found: readonly Violation[], rules: readonly Rule[], docLink: (rule: string) => string | undefined, tableOf?: (index: string) => string | undefined): string {
  const out: string[] = [];
  const locks = statementLocks(statement, tableOf);
  const byRule = new Map(rules.map((r) => [r.meta.name, r]));
  const flagged = found.filter((v) => byRule.get(v.rule)?.meta.lock !== undefined);
  if (locks.length === 0 && flagged.length === 0) {
    out.push(`**Locks:** no lock on a table that the verifier knows of (\`${statement.kind}\`).`);
  } else if (locks.length) {
    out.push('**Locks**', '');
    for (const lock of locks) out.push(`- \`${lock.mode}\` on \`${displayName(lock.relation)}\`: ${lockBlocks(lock.mode)}`);
  }
  const rewrites = flagged.some((v) => /\brewrites?\b|\brebuilds?\b/.test(v.message));
  const scans = flagged.some((v) => /\b(scans|checks) every row\b/.test(v.message));
  out.push('', `**Rewrites the table:** ${rewrites ? 'yes' : 'no rule found a rewrite'} · **Scans the table:** ${scans ? 'yes' : 'no rule found a scan'}`);
  if (flagged.length) {
    out.push('', '**Lock-safety findings**', '');
    for (const v of flagged) {
      const lock = byRule.get(v.rule)!.meta.lock!;
      const link = docLink(v.rule);
      out.push(`- \`${lock}\` · ${link ? `[${v.rule}](${link})` : v.rule}: ${v.message}${v.help ? ` ${v.help}` : ''}`);
    }
  }
  return out.join('\n');
}
