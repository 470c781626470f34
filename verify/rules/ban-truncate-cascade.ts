import { defineRule } from '../rule.js';
import { displayName, relationName } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';
import type { SchemaModel } from '../schema-model.js';

/** TRUNCATE ... CASCADE empties every table that references the named ones, none of which the statement names. */
export default defineRule({
  meta: {
    name: 'ban-truncate-cascade',
    description: 'TRUNCATE never uses CASCADE: every table it empties is named.',
    category: 'destructive',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      cascade: 'TRUNCATE ... CASCADE on {{tables}} also empties every table with a foreign key to {{tables}}, recursively{{known}}.',
    },
    help: {
      cascade: 'Name every table to empty in the TRUNCATE and drop CASCADE, so a table added later is never emptied by surprise.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        if (statement.kind !== 'TruncateStmt' || statement.node.behavior !== 'DROP_CASCADE') return;
        const named: string[] = (statement.node.relations ?? []).map((r: AstNode) => relationName(r.RangeVar));
        const reached = referencingClosure(schema, named);
        // Quiet only when everything it can reach was created in this migration: no data to lose yet.
        const fresh = (t: string): boolean => schema.isNew(t, context.migration.name);
        if (named.every(fresh) && reached.every(fresh) && !named.some((t) => schema.isUnknown(t))) return;
        const others = reached.filter((t) => !named.includes(t));
        const known = others.length ? ` (here: ${others.map(displayName).join(', ')})` : '';
        context.report({ messageId: 'cascade', file, at: statement.start, data: { tables: named.map(displayName).join(', '), known } });
      },
    };
  },
});

/** Every table that references one of `tables` by foreign key, directly or through others. */
function referencingClosure(schema: SchemaModel, tables: readonly string[]): string[] {
  const seen = new Set(tables);
  const queue = [...tables];
  const out: string[] = [];
  for (let table = queue.shift(); table !== undefined; table = queue.shift()) {
    for (const referencing of schema.referencing(table)) {
      if (seen.has(referencing.name)) continue;
      seen.add(referencing.name);
      out.push(referencing.name);
      queue.push(referencing.name);
    }
  }
  return out;
}
