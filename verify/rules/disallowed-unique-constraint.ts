import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { displayName, nodeOf, nodesOf } from '../ast.js';

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
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        const shown = displayName(table);
        if (cmd.subtype === 'AT_AddConstraint') {
          const c = nodeOf(cmd.def, 'Constraint') ?? {};
          const kind = KINDS[c.contype ?? ''];
          // USING INDEX turns an index already built (CONCURRENTLY) into the constraint: no build under the lock.
          if (!kind || c.indexname) return;
          const name = c.conname ?? defaultConstraintName(table, c);
          context.report({ messageId: 'constraint', file, at: c.location ?? statement.start, data: { kind, name, table: shown } });
        } else if (cmd.subtype === 'AT_AddColumn') {
          const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
          for (const c of nodesOf(def.constraints, 'Constraint')) {
            const kind = KINDS[c.contype ?? ''];
            if (kind) context.report({ messageId: 'column', file, at: c.location ?? statement.start, data: { kind, column: def.colname ?? '', table: shown } });
          }
        }
      },
    };
  },
});
