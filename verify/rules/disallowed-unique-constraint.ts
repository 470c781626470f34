import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { alterTableOf, displayName } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

const KINDS: Readonly<Record<string, string>> = { CONSTR_UNIQUE: 'UNIQUE', CONSTR_PRIMARY: 'PRIMARY KEY' };

/** A UNIQUE or PRIMARY KEY constraint added to a table in use builds its index while reads and writes wait. */
export default defineRule({
  meta: {
    name: 'disallowed-unique-constraint',
    description: 'UNIQUE and PRIMARY KEY constraints on an existing table are added USING INDEX, on an index built CONCURRENTLY.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      constraint: 'Adding {{kind}} constraint {{name}} builds its index under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes until it finishes.',
      column: 'Adding column {{column}} with a {{kind}} constraint builds its index under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes until it finishes.',
    },
    help: {
      constraint: 'Create a unique index CONCURRENTLY in a no-transaction migration, then turn it into the constraint with ADD CONSTRAINT {{name}} {{kind}} USING INDEX <index>.',
      column: 'Add the column without {{kind}}, create a unique index on it CONCURRENTLY in a no-transaction migration, then turn it into the constraint with ADD CONSTRAINT ... {{kind}} USING INDEX <index>.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        const alter = alterTableOf(statement);
        if (!alter || !schema.isEstablished(alter.table, context.migration.name)) return;
        const table = alter.table;
        const shown = displayName(table);
        for (const cmd of alter.commands) {
          if (cmd.subtype === 'AT_AddConstraint') {
            const c: AstNode = cmd.def?.Constraint ?? {};
            const kind = KINDS[c.contype];
            // USING INDEX turns an index already built (CONCURRENTLY) into the constraint: no build under the lock.
            if (!kind || c.indexname) continue;
            const name = c.conname ?? defaultConstraintName(table, c);
            context.report({ messageId: 'constraint', file, at: c.location ?? statement.start, data: { kind, name, table: shown } });
          } else if (cmd.subtype === 'AT_AddColumn') {
            const def = cmd.def?.ColumnDef ?? {};
            for (const item of def.constraints ?? []) {
              const kind = KINDS[item.Constraint?.contype];
              if (kind) context.report({ messageId: 'column', file, at: item.Constraint.location ?? statement.start, data: { kind, column: def.colname, table: shown } });
            }
          }
        }
      },
    };
  },
});
