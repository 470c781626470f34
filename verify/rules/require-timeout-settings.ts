import { defineRule } from '../rule.js';
import { displayName } from '../ast.js';
import { runnerOf, type SourceFile } from '../../core/migrations/layout.js';
import { sessionChange } from '../../core/migrations/session-statements.js';

/** Statements that take a lock strong enough to queue every query behind them while they wait for it. */
const STRONG_LOCK = new Set(['AlterTableStmt', 'RenameStmt', 'DropStmt', 'IndexStmt', 'CreateTrigStmt', 'TruncateStmt', 'ReindexStmt', 'LockStmt', 'ClusterStmt', 'VacuumStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CommentStmt']);
/** What else can run long: data changes over a table. */
const SLOW = new Set([...STRONG_LOCK, 'UpdateStmt', 'DeleteStmt', 'InsertStmt', 'RefreshMatViewStmt']);

/**
 * squawk's require-lock-timeout and require-statement-timeout, for runners that set no timeout themselves. This
 * repository's runner sets both on every migration session (MIGRATE_LOCK_TIMEOUT, MIGRATE_STATEMENT_TIMEOUT).
 */
export default defineRule({
  meta: {
    name: 'require-timeout-settings',
    description: 'Under a runner that sets no timeouts, a migration sets lock_timeout and statement_timeout before statements that lock or scan a table in use.',
    category: 'lock-safety',
    severity: 'warning',
    messages: {
      lockTimeout: 'No lock_timeout is set before this statement on {{table}}, and {{runner}} sets none: while it waits for its lock behind a long query, every later query on {{table}} waits behind it.',
      statementTimeout: 'No statement_timeout is set before this statement on {{table}}, and {{runner}} sets none: if it runs far longer than planned, it holds its locks on {{table}} all that time.',
    },
    help: {
      lockTimeout: "Put SET lock_timeout = '2s'; (or SET LOCAL inside a transaction) at the top of the file, and retry the migration when it times out.",
      statementTimeout: "Put SET statement_timeout = '5min'; (or SET LOCAL inside a transaction) at the top of the file, sized to what the statement should take.",
    },
  },
  create(context) {
    const { migration } = context;
    const set = new Map<SourceFile, Set<string>>();
    const reported = new Map<SourceFile, Set<string>>();
    return {
      statement({ statement, file, schema, changes }) {
        // Ours sets both timeouts on every migration session.
        if (migration.layout === 'paired') return;
        const text = file.lines.textBetween(statement.start, statement.end);
        const seen = set.get(file) ?? new Set<string>();
        set.set(file, seen);
        const name = statement.kind === 'VariableSetStmt' ? String(statement.node.name ?? '') : /\bset_config\s*\(\s*'(lock_timeout|statement_timeout)'/i.exec(text)?.[1]?.toLowerCase();
        if (name === 'lock_timeout' || name === 'statement_timeout') {
          seen.add(name);
          return;
        }
        if (sessionChange(statement, text)) return;
        const table = changes.subject?.startsWith('table ') ? changes.subject.slice('table '.length) : undefined;
        if (table === undefined || !schema.isEstablished(table, migration.name)) return;
        const done = reported.get(file) ?? new Set<string>();
        reported.set(file, done);
        const data = { table: displayName(table), runner: runnerOf(migration.layout) };
        // Once per file each: the first statement that needs the setting is where it belongs above.
        if (STRONG_LOCK.has(statement.kind) && !seen.has('lock_timeout') && !done.has('lock')) {
          done.add('lock');
          context.report({ messageId: 'lockTimeout', file, at: statement.start, data });
        }
        if (SLOW.has(statement.kind) && !seen.has('statement_timeout') && !done.has('statement')) {
          done.add('statement');
          context.report({ messageId: 'statementTimeout', file, at: statement.start, data });
        }
      },
    };
  },
});
