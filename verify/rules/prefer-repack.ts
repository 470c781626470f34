import { defineRule } from '../rule.js';
import { displayName, optionEnabled, relationName } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** VACUUM FULL and CLUSTER rewrite a table while every query on it waits: rebuild it online instead. */
export default defineRule({
  meta: {
    name: 'prefer-repack',
    description: 'Tables in use are rewritten online with pg_repack or pg_squeeze, not with VACUUM FULL or CLUSTER.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      rewrite: '{{command}} rewrites {{tables}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      rewriteAll: '{{command}} without a table rewrites {{tables}}, each under an ACCESS EXCLUSIVE lock that blocks reads and writes until it finishes.',
    },
    help: {
      rewrite: 'Rebuild the table online with pg_repack or pg_squeeze, outside the migration.',
      rewriteAll: 'Rebuild the tables that need it online with pg_repack or pg_squeeze, outside the migration.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        const rewrite = rewriteOf(statement.kind, statement.node);
        if (!rewrite) return;
        const { command, relations } = rewrite;
        if (!relations) {
          const tables = command === 'CLUSTER' ? 'every table clustered before' : 'every table in the database';
          context.report({ messageId: 'rewriteAll', file, at: statement.start, data: { command, tables } });
          return;
        }
        const tables = relations.map(relationName).filter((t) => schema.isEstablished(t, context.migration.name));
        if (tables.length) context.report({ messageId: 'rewrite', file, at: statement.start, data: { command, tables: tables.map(displayName).join(', ') } });
      },
    };
  },
});

/** The rewriting command and the tables it names (undefined: every table it can reach). */
function rewriteOf(kind: string, n: AstNode): { command: string; relations?: AstNode[] } | undefined {
  if (kind === 'VacuumStmt' && n.is_vacuumcmd && optionEnabled(n.options, 'full')) {
    const relations: AstNode[] = (n.rels ?? []).map((r: AstNode) => r.VacuumRelation?.relation).filter(Boolean);
    return { command: 'VACUUM FULL', relations: relations.length ? relations : undefined };
  }
  if (kind === 'ClusterStmt') return { command: 'CLUSTER', relations: n.relation ? [n.relation] : undefined };
  return undefined;
}
