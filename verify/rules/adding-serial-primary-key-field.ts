import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { displayName, nodeOf, nodesOf, stringList } from '../ast.js';

/** A primary key added to a table in use builds its unique index while holding ACCESS EXCLUSIVE, unless USING INDEX adopts a ready one. */
export default defineRule({
  meta: {
    name: 'adding-serial-primary-key-field',
    description: 'A primary key added to an existing table adopts an index built CONCURRENTLY (PRIMARY KEY USING INDEX).',
    category: 'lock-safety',
    severity: 'error',
    supersedes: ['disallowed-unique-constraint'],
    lock: 'AccessExclusiveLock',
    messages: {
      primaryKeyColumn: 'Adding column {{table}}.{{column}} as PRIMARY KEY builds its unique index under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes until it finishes.',
      primaryKey: 'Adding primary key {{name}} builds its unique index under an ACCESS EXCLUSIVE lock on {{table}}, which blocks reads and writes until it finishes.',
    },
    help: {
      primaryKeyColumn: 'Add the column without PRIMARY KEY and fill it, build a unique index on it CONCURRENTLY, then ADD CONSTRAINT ... PRIMARY KEY USING INDEX.',
      primaryKey: 'Build a unique index on ({{columns}}) CONCURRENTLY in an earlier migration, then ADD CONSTRAINT {{name}} PRIMARY KEY USING INDEX.',
    },
  },
  create(context) {
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        const shown = displayName(table);
        if (cmd.subtype === 'AT_AddColumn') {
          const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
          const primary = nodesOf(def.constraints, 'Constraint').find((c) => c.contype === 'CONSTR_PRIMARY');
          if (primary) context.report({ messageId: 'primaryKeyColumn', file, at: primary.location ?? statement.start, data: { table: shown, column: def.colname ?? '' } });
        } else if (cmd.subtype === 'AT_AddConstraint') {
          const c = nodeOf(cmd.def, 'Constraint') ?? {};
          if (c.contype !== 'CONSTR_PRIMARY' || c.indexname) return;
          const name = c.conname ?? defaultConstraintName(table, c);
          context.report({ messageId: 'primaryKey', file, at: c.location ?? statement.start, data: { name, table: shown, columns: stringList(c.keys).join(', ') } });
        }
      },
    };
  },
});
