import { defineRule } from '../rule.js';
import { displayName, optionEnabled, relationName } from '../ast.js';
import { DEFAULT_POSTGRES_VERSION } from './syntax-needs-newer-postgres.js';

/** REINDEX ... CONCURRENTLY exists since PostgreSQL 12. */
const CONCURRENT_REINDEX_SINCE = 12;

/** REINDEX without CONCURRENTLY rebuilds under locks that stop writes to the table (and reads through its indexes). */
export default defineRule({
  meta: {
    name: 'require-concurrent-reindex',
    description: 'REINDEX of an index or table in use uses CONCURRENTLY.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'ShareLock',
    messages: {
      reindex: 'REINDEX {{kind}} {{name}} takes a SHARE lock on {{table}}, blocking writes until the rebuild finishes, and an ACCESS EXCLUSIVE lock on each index it rebuilds, blocking the reads that use it.',
      reindexBefore12: 'REINDEX {{kind}} {{name}} takes a SHARE lock on {{table}}, blocking writes until the rebuild finishes, and an ACCESS EXCLUSIVE lock on each index it rebuilds, blocking the reads that use it.',
    },
    help: {
      reindex: 'Write REINDEX {{kind}} CONCURRENTLY {{name}} in a no-transaction migration.',
      reindexBefore12: 'PostgreSQL {{target}} has no REINDEX CONCURRENTLY: in a no-transaction migration, CREATE INDEX CONCURRENTLY a copy of each index, then DROP INDEX CONCURRENTLY the old one and rename the copy (or raise postgresVersion once every server runs 12 or newer).',
    },
  },
  create(context) {
    const target = context.options.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
    return {
      statement({ statement, schema, file }) {
        const n = statement.node;
        if (statement.kind !== 'ReindexStmt' || !n.relation) return;
        if (optionEnabled(n.params, 'concurrently')) return;
        const kind = n.kind === 'REINDEX_OBJECT_INDEX' ? 'INDEX' : 'TABLE';
        const name = relationName(n.relation);
        const table = kind === 'INDEX' ? schema.index(name)?.table : name;
        // Rebuilding what this migration created: nobody else uses it yet.
        if (table !== undefined && schema.isNew(table, context.migration.name)) return;
        const data = { kind, name: displayName(name), table: table ? displayName(table) : 'its table', target };
        // Before 12 there is no REINDEX CONCURRENTLY to suggest: the way then is a new index built beside the old one.
        context.report({ messageId: target < CONCURRENT_REINDEX_SINCE ? 'reindexBefore12' : 'reindex', file, at: statement.start, data });
      },
    };
  },
});
