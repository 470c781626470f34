import { defineRule } from '../rule.js';
import { defaultConstraintName } from '../schema-model.js';
import { alterTableOf, displayName, stringList } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

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
      statement({ statement, schema, file }) {
        const alter = alterTableOf(statement);
        if (!alter || !schema.isEstablished(alter.table, context.migration.name)) return;
        const table = alter.table;
        const shown = displayName(table);
        for (const cmd of alter.commands) {
          if (cmd.subtype === 'AT_AddColumn') {
            const def: AstNode = cmd.def?.ColumnDef ?? {};
            const primary = (def.constraints ?? []).map((item: AstNode) => item.Constraint).find((c: AstNode | undefined) => c?.contype === 'CONSTR_PRIMARY');
            if (primary) context.report({ messageId: 'primaryKeyColumn', file, at: primary.location ?? statement.start, data: { table: shown, column: def.colname } });
          } else if (cmd.subtype === 'AT_AddConstraint') {
            const c: AstNode = cmd.def?.Constraint ?? {};
            if (c.contype !== 'CONSTR_PRIMARY' || c.indexname) continue;
            const name = c.conname ?? defaultConstraintName(table, c);
            context.report({ messageId: 'primaryKey', file, at: c.location ?? statement.start, data: { name, table: shown, columns: stringList(c.keys).join(', ') } });
          }
        }
      },
    };
  },
});
