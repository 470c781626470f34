import { defineRule } from '../rule.js';
import { displayName, nodeOf, stringList } from '../ast.js';
import type { SchemaModel } from '../schema-model.js';
import { DEFAULT_POSTGRES_VERSION } from './syntax-needs-newer-postgres.js';

/** From this version on, a validated CHECK (column IS NOT NULL) lets SET NOT NULL skip its scan. */
const CHECK_PROVES_NOT_NULL = 12;

/** SET NOT NULL on a table in use scans every row under an ACCESS EXCLUSIVE lock, unless a validated check proves it. */
export default defineRule({
  meta: {
    name: 'adding-not-nullable-field',
    description: 'SET NOT NULL on an existing table comes after a validated CHECK (column IS NOT NULL).',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      setNotNull: 'Setting {{table}}.{{column}} NOT NULL scans every row of {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      addNotNull: 'Adding NOT NULL constraint {{name}} on {{table}}.{{column}} scans every row of {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      setNotNullBefore12: 'Setting {{table}}.{{column}} NOT NULL scans every row of {{table}} under an ACCESS EXCLUSIVE lock on PostgreSQL {{target}}, even after a validated CHECK, which blocks reads and writes until it finishes.',
    },
    help: {
      setNotNull: 'Add CHECK ({{column}} IS NOT NULL) NOT VALID in an earlier migration and VALIDATE it before this statement, so SET NOT NULL skips the scan.',
      addNotNull: 'Add CHECK ({{column}} IS NOT NULL) NOT VALID in an earlier migration and VALIDATE it before this statement, so the NOT NULL constraint skips the scan.',
      setNotNullBefore12: 'Keep the validated CHECK ({{column}} IS NOT NULL) in place of NOT NULL until every server runs PostgreSQL 12 or newer, where SET NOT NULL uses it to skip the scan.',
    },
  },
  create(context) {
    const target = context.options.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        const bare = table.split('.')[1] ?? table;
        if (cmd.subtype === 'AT_SetNotNull') {
          if (target < CHECK_PROVES_NOT_NULL) {
            if (schema.table(table)?.columns.some((c) => c.name === cmd.name && c.notNull)) return;
            context.report({ messageId: 'setNotNullBefore12', file, at: statement.start, data: { table: displayName(table), column: cmd.name ?? '', target } });
            return;
          }
          if (proven(schema, table, cmd.name ?? '')) return;
          context.report({ messageId: 'setNotNull', file, at: statement.start, data: { table: displayName(table), column: cmd.name ?? '' } });
        } else if (cmd.subtype === 'AT_AddConstraint' && nodeOf(cmd.def, 'Constraint')?.contype === 'CONSTR_NOTNULL') {
          // Postgres 18: ADD CONSTRAINT <name> NOT NULL <column>, the named form of SET NOT NULL.
          const c = nodeOf(cmd.def, 'Constraint')!;
          const column = stringList(c.keys)[0] ?? '';
          if (c.skip_validation || c.initially_valid === false || proven(schema, table, column)) return;
          context.report({ messageId: 'addNotNull', file, at: c.location ?? statement.start, data: { name: c.conname ?? `${bare}_${column}_not_null`, table: displayName(table), column } });
        }
      },
    };
  },
});

/** Postgres skips the scan when the column is already NOT NULL or a validated CHECK (column IS NOT NULL) proves it. */
function proven(schema: SchemaModel, table: string, column: string): boolean {
  const model = schema.table(table);
  if (!model) return false;
  if (model.columns.some((c) => c.name === column && c.notNull)) return true;
  return model.constraints.some((c) => c.type === 'check' && c.notNullColumn === column && !c.notValid);
}
