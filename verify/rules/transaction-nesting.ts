import { defineRule } from '../rule.js';
import { LAYOUTS, runnerOf, type SourceFile } from '../../core/migrations/layout.js';
import type { Statement } from '../../core/migrations/parse.js';

const STARTS = new Set(['TRANS_STMT_BEGIN', 'TRANS_STMT_START']);
const ENDS = new Set(['TRANS_STMT_COMMIT', 'TRANS_STMT_ROLLBACK', 'TRANS_STMT_PREPARE']);
const SAVEPOINTS = new Set(['TRANS_STMT_SAVEPOINT', 'TRANS_STMT_RELEASE', 'TRANS_STMT_ROLLBACK_TO']);

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
      implicitCommit:
        '{{runner}} sends this {{unit}} as one query, which Postgres runs as one implicit transaction until this {{keyword}}: it commits the statements before it on their own, so if a later statement fails they stay applied.',
      implicitRollback:
        '{{runner}} sends this {{unit}} as one query, which Postgres runs as one implicit transaction until this {{keyword}}: it undoes the statements before it, while the statements after it still run and commit.',
      savepointOutside: '{{keyword}} outside BEGIN ... COMMIT fails with "can only be used in transaction blocks", since {{runner}} opens no transaction for this {{unit}}, so the deploy stops here.',
    },
    help: {
      nestedBegin: 'Remove {{keyword}}: the runner already wraps the migration in a transaction.',
      endsEarly: 'Remove {{keyword}}, or split the migration in two if part of it must commit first.',
      rollback: 'Remove {{keyword}}: to abandon the migration, make it fail (RAISE EXCEPTION) so the runner rolls back.',
      beginInBegin: 'COMMIT the open transaction before starting another one.',
      nothingToEnd: 'BEGIN before the statements the {{keyword}} should group, or remove it.',
      unclosed: 'COMMIT the transaction before the end of the file.',
      implicitCommit: 'Remove {{keyword}}, or split the migration in two if part of it must commit first.',
      implicitRollback: 'Remove {{keyword}}: to abandon the migration, make it fail (RAISE EXCEPTION) so the whole {{unit}} rolls back.',
      savepointOutside: 'BEGIN before the statements the savepoint belongs to and COMMIT after them, or remove {{keyword}}.',
    },
  },
  create(context) {
    const { migration } = context;
    return {
      statement({ statement, file, side }) {
        if (statement.kind !== 'TransactionStmt' || migration.transaction[side] !== 'per-migration') return;
        const kind: string = statement.node.kind;
        const keyword = keywordOf(file, statement);
        if (STARTS.has(kind)) context.report({ messageId: 'nestedBegin', file, at: statement.start, data: { keyword } });
        else if (kind === 'TRANS_STMT_ROLLBACK') context.report({ messageId: 'rollback', file, at: statement.start, data: { keyword } });
        else if (ENDS.has(kind)) context.report({ messageId: 'endsEarly', file, at: statement.start, data: { keyword } });
      },
      fileEnd({ file, side }) {
        // Without the runner's transaction the file may manage its own: check that it opens and closes them in pairs.
        const mode = migration.transaction[side];
        if (mode === 'per-migration') return;
        const data = { runner: runnerOf(migration.layout), unit: LAYOUTS[migration.layout].unit };
        let open: Statement | undefined;
        // In one multi-statement query, the statements since the last transaction boundary form an implicit transaction.
        let grouped = 0;
        for (const statement of file.parsed.statements) {
          if (statement.kind !== 'TransactionStmt') {
            grouped++;
            continue;
          }
          const kind: string = statement.node.kind;
          const keyword = keywordOf(file, statement);
          if (STARTS.has(kind)) {
            if (open) context.report({ messageId: 'beginInBegin', file, at: statement.start, data: { keyword } });
            else open = statement;
          } else if (ENDS.has(kind)) {
            if (!open && mode === 'none') context.report({ messageId: 'nothingToEnd', file, at: statement.start, data: { keyword } });
            else if (!open && grouped > 0) {
              // A COMMIT or ROLLBACK ending the implicit block of statements before it (Postgres warns, then runs it).
              const messageId = kind === 'TRANS_STMT_ROLLBACK' ? 'implicitRollback' : 'implicitCommit';
              context.report({ messageId, file, at: statement.start, data: { ...data, keyword } });
            }
            // COMMIT AND CHAIN starts the next transaction at once.
            if (!statement.node.chain) open = undefined;
            grouped = 0;
          } else if (SAVEPOINTS.has(kind) && !open) {
            context.report({ messageId: 'savepointOutside', file, at: statement.start, data: { ...data, runner: mode === 'none' ? 'the runner' : data.runner, keyword } });
          }
        }
        if (open) context.report({ messageId: 'unclosed', file, at: open.start, data: { keyword: keywordOf(file, open) } });
      },
    };
  },
});

/** The statement's words as written, upper-cased: BEGIN, START TRANSACTION, END, COMMIT AND CHAIN, PREPARE TRANSACTION. */
function keywordOf(file: SourceFile, statement: Statement): string {
  if (statement.node.kind === 'TRANS_STMT_ROLLBACK_TO') return 'ROLLBACK TO SAVEPOINT';
  if (statement.node.kind === 'TRANS_STMT_RELEASE') return 'RELEASE SAVEPOINT';
  const text = Buffer.from(file.text, 'utf8').toString('utf8', statement.start, statement.end);
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const first = (words[0] ?? '').toUpperCase();
  if (first === 'START' || first === 'PREPARE') return `${first} TRANSACTION`;
  return first;
}
