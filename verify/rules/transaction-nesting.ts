import { defineRule } from '../rule.js';
import type { SourceFile } from '../migration-set.js';
import type { Statement } from '../parse.js';

const STARTS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const ENDS = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE']);

/** The runner owns the transaction of a migration: BEGIN, COMMIT and ROLLBACK in the file fight it. */
export default defineRule({
  meta: {
    name: 'transaction-nesting',
    description: 'A migration the runner wraps in a transaction does not BEGIN, COMMIT or ROLLBACK itself.',
    category: 'structure',
    severity: 'error',
    messages: {
      nestedBegin: '{{keyword}} inside the transaction the runner opened starts nothing (Postgres only warns), so this file does not control the transaction it seems to.',
      endsEarly: "{{keyword}} ends the runner's transaction early: the statements after it run outside any transaction, and a later failure no longer undoes the ones before it.",
      rollback: "{{keyword}} ends the runner's transaction early: it undoes the statements before it, while the statements after it, and the runner's record that the migration ran, commit on their own.",
      beginInBegin: '{{keyword}} inside the transaction this file already opened starts nothing (Postgres only warns), and the first COMMIT ends both.',
      nothingToEnd: '{{keyword}} has no transaction to end in this no-transaction migration (Postgres only warns), so the statements before it were never grouped.',
      unclosed: '{{keyword}} opens a transaction that nothing in this file commits, so its statements are committed or lost by whatever the runner does next on the connection.',
    },
    help: {
      nestedBegin: 'Remove {{keyword}}: the runner already wraps the migration in a transaction.',
      endsEarly: 'Remove {{keyword}}, or split the migration in two if part of it must commit first.',
      rollback: 'Remove {{keyword}}: to abandon the migration, make it fail (RAISE EXCEPTION) so the runner rolls back.',
      beginInBegin: 'COMMIT the open transaction before starting another one.',
      nothingToEnd: 'BEGIN before the statements the {{keyword}} should group, or remove it.',
      unclosed: 'COMMIT the transaction before the end of the file.',
    },
  },
  create(context) {
    return {
      statement({ statement, file }) {
        if (statement.kind !== 'TransactionStmt' || context.migration.noTransaction) return;
        const kind: string = statement.node.kind;
        const keyword = keywordOf(file, statement);
        if (STARTS.has(kind)) context.report({ messageId: 'nestedBegin', file, at: statement.start, data: { keyword } });
        else if (kind === 'TRANS_STMT_ROLLBACK') context.report({ messageId: 'rollback', file, at: statement.start, data: { keyword } });
        else if (ENDS.has(kind)) context.report({ messageId: 'endsEarly', file, at: statement.start, data: { keyword } });
      },
      fileEnd({ file }) {
        // Without the runner's transaction the file may manage its own: check that it opens and closes them in pairs.
        if (!context.migration.noTransaction) return;
        let open: Statement | undefined;
        for (const statement of file.parsed.statements) {
          if (statement.kind !== 'TransactionStmt') continue;
          const kind: string = statement.node.kind;
          const keyword = keywordOf(file, statement);
          if (STARTS.has(kind)) {
            if (open) context.report({ messageId: 'beginInBegin', file, at: statement.start, data: { keyword } });
            else open = statement;
          } else if (ENDS.has(kind)) {
            if (!open) context.report({ messageId: 'nothingToEnd', file, at: statement.start, data: { keyword } });
            // COMMIT AND CHAIN starts the next transaction at once.
            if (!statement.node.chain) open = undefined;
          }
        }
        if (open) context.report({ messageId: 'unclosed', file, at: open.start, data: { keyword: keywordOf(file, open) } });
      },
    };
  },
});

/** The statement's words as written, upper-cased: BEGIN, START TRANSACTION, END, COMMIT AND CHAIN, PREPARE TRANSACTION. */
function keywordOf(file: SourceFile, statement: Statement): string {
  const text = Buffer.from(file.text, 'utf8').toString('utf8', statement.start, statement.end);
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const first = (words[0] ?? '').toUpperCase();
  if (first === 'START' || first === 'PREPARE') return `${first} TRANSACTION`;
  return first;
}
