import type { Constraint } from '@pgsql/types';
import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { displayName, nodeOf, nodesOf, relationName } from '../ast.js';

/** A foreign key added to a table in use checks every row while both tables are locked against writes. */
export default defineRule({
  meta: {
    name: 'adding-foreign-key-constraint',
    description: 'A foreign key added to an existing table is added NOT VALID and validated in a later migration.',
    category: 'lock-safety',
    severity: 'error',
    supersedes: ['constraint-missing-not-valid'],
    lock: 'ShareRowExclusiveLock',
    messages: {
      addForeignKey: 'Adding foreign key {{name}} checks every row of {{table}} while holding SHARE ROW EXCLUSIVE locks on {{table}} and {{ref}}, which block writes to both until it finishes.',
      addColumnForeignKey: 'Adding column {{column}} with a default and a foreign key checks every row of {{table}} under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes, and a SHARE ROW EXCLUSIVE lock on {{ref}}, which blocks writes.',
    },
    help: {
      addForeignKey: 'Add the foreign key NOT VALID here, and VALIDATE CONSTRAINT {{name}} in a later migration.',
      addColumnForeignKey: 'Add the column without REFERENCES, then add the foreign key NOT VALID, and VALIDATE CONSTRAINT in a later migration.',
    },
  },
  create(context) {
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        if (cmd.subtype === 'AT_AddConstraint') {
          const c = nodeOf(cmd.def, 'Constraint');
          if (c?.contype !== 'CONSTR_FOREIGN' || !validates(c)) return;
          const name = c.conname ?? defaultConstraintName(table, c);
          context.report({ messageId: 'addForeignKey', file, at: c.location ?? statement.start, data: { name, table: displayName(table), ref: displayName(relationName(c.pktable)) } });
        } else if (cmd.subtype === 'AT_AddColumn') {
          // A new column without a value is all NULL: Postgres skips the check. A default, identity or generated value is checked row by row.
          const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
          const own = nodesOf(def.constraints, 'Constraint');
          if (!def.raw_default && !own.some((c) => c.contype === 'CONSTR_DEFAULT' || c.contype === 'CONSTR_IDENTITY' || c.contype === 'CONSTR_GENERATED')) return;
          for (const c of own) {
            if (c.contype !== 'CONSTR_FOREIGN' || !validates(c)) continue;
            context.report({ messageId: 'addColumnForeignKey', file, at: c.location ?? statement.start, data: { column: def.colname ?? '', table: displayName(table), ref: displayName(relationName(c.pktable)) } });
          }
        }
      },
    };
  },
});

/** Neither NOT VALID nor NOT ENFORCED: existing rows are checked now. */
function validates(c: Constraint): boolean {
  return !c.skip_validation && c.initially_valid !== false;
}
