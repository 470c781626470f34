import type { Constraint } from '@pgsql/types';
import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { displayName, nodeOf, nodesOf } from '../ast.js';

/** CHECK and FOREIGN KEY constraints on a table in use are added NOT VALID and validated in a later transaction. */
export default defineRule({
  meta: {
    name: 'constraint-missing-not-valid',
    description: 'CHECK and FOREIGN KEY constraints added to an existing table are NOT VALID, and validated in a later migration.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      check: 'Adding check constraint {{name}} scans every row of {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      foreignKey: 'Adding foreign key {{name}} scans every row of {{table}} under a SHARE ROW EXCLUSIVE lock, which blocks writes until it finishes.',
      columnCheck: 'Adding column {{column}} with check constraint {{name}} scans every row of {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      checkInDown: 'Adding check constraint {{name}} scans every row of {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      foreignKeyInDown: 'Adding foreign key {{name}} scans every row of {{table}} under a SHARE ROW EXCLUSIVE lock, which blocks writes until it finishes.',
      validateInTransaction: 'Validating {{name}} in the transaction that added it scans every row of {{table}} while the {{lock}} lock taken by adding it is still held, which blocks {{blocked}} until the migration commits.',
    },
    help: {
      check: 'Add the constraint NOT VALID here, and VALIDATE CONSTRAINT {{name}} in a later migration.',
      foreignKey: 'Add the constraint NOT VALID here, and VALIDATE CONSTRAINT {{name}} in a later migration.',
      columnCheck: 'Add the column without the check, then add the constraint NOT VALID, and VALIDATE CONSTRAINT in a later migration.',
      checkInDown: 'A down restores {{name}} as the up found it, validated, and has no later migration to validate it in: say why the scan is acceptable with -- verify:ignore constraint-missing-not-valid <reason> above the statement.',
      foreignKeyInDown: 'A down restores {{name}} as the up found it, validated, and has no later migration to validate it in: say why the scan is acceptable with -- verify:ignore constraint-missing-not-valid <reason> above the statement.',
      validateInTransaction: 'Move VALIDATE CONSTRAINT {{name}} to a later migration.',
    },
  },
  create(context) {
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        const shown = displayName(table);
        switch (cmd.subtype) {
          case 'AT_AddConstraint': {
            const c = nodeOf(cmd.def, 'Constraint') ?? {};
            if (!validates(c)) break;
            // In a down there is no later migration: the help says so instead of sending the author in a circle.
            const down = file === context.migration.down;
            if (c.contype === 'CONSTR_CHECK') {
              context.report({ messageId: down ? 'checkInDown' : 'check', file, at: c.location ?? statement.start, data: { name: c.conname ?? defaultConstraintName(table, c), table: shown } });
            } else if (c.contype === 'CONSTR_FOREIGN') {
              context.report({ messageId: down ? 'foreignKeyInDown' : 'foreignKey', file, at: c.location ?? statement.start, data: { name: c.conname ?? defaultConstraintName(table, c), table: shown } });
            }
            break;
          }
          case 'AT_AddColumn': {
            // A column-level CHECK cannot be NOT VALID, and Postgres checks it on every row even when the column is all NULL.
            const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
            for (const c of nodesOf(def.constraints, 'Constraint')) {
              if (c.contype !== 'CONSTR_CHECK' || !validates(c)) continue;
              context.report({ messageId: 'columnCheck', file, at: c.location ?? statement.start, data: { column: def.colname ?? '', name: c.conname ?? defaultConstraintName(table, c, [def.colname ?? '']), table: shown } });
            }
            break;
          }
          case 'AT_ValidateConstraint': {
            // In one transaction, the lock taken by ADD CONSTRAINT ... NOT VALID lasts through the validating scan.
            if (context.migration.noTransaction) break;
            const added = schema.table(table)?.constraints.find((c) => c.name === cmd.name);
            if (!added?.notValid || added.origin.migration !== context.migration.name || added.origin.file !== file.path) break;
            const check = added.type === 'check';
            context.report({
              messageId: 'validateInTransaction',
              file,
              at: statement.start,
              data: { name: added.name, table: shown, lock: check ? 'ACCESS EXCLUSIVE' : 'SHARE ROW EXCLUSIVE', blocked: check ? 'reads and writes' : 'writes' },
            });
            break;
          }
          default:
            break;
        }
      },
    };
  },
});

/** Neither NOT VALID nor NOT ENFORCED: existing rows are checked now. */
function validates(c: Constraint): boolean {
  return !c.skip_validation && c.initially_valid !== false;
}
