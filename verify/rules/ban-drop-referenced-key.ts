import { defineRule } from '../rule.js';
import { alterTableOf, displayName } from '../ast.js';
import type { Constraint, SchemaModel } from '../schema-model.js';

/** Dropping a primary key or unique constraint that foreign keys reference: refused, or (CASCADE) their checks go too. */
export default defineRule({
  meta: {
    name: 'ban-drop-referenced-key',
    description: 'A migration does not drop a primary key or unique constraint that foreign keys reference.',
    category: 'integrity',
    severity: 'error',
    messages: {
      cascade: 'Dropping {{name}} with CASCADE also drops the foreign keys that reference it ({{foreignKeys}}): from then on nothing checks that those rows point at a {{table}} that exists.',
      refused: 'Dropping {{name}} fails: the foreign keys {{foreignKeys}} reference it, and PostgreSQL refuses to drop a key others depend on without CASCADE.',
    },
    help: {
      cascade: 'Drop or re-point the foreign keys by name first (each in its own step), then drop the key without CASCADE.',
      refused: 'Drop or re-point the foreign keys by name first (each in its own step), then drop the key.',
    },
  },
  create(context) {
    return {
      statement({ statement, schema, file }) {
        const alter = alterTableOf(statement);
        if (!alter) return;
        for (const cmd of alter.commands) {
          if (cmd.subtype !== 'AT_DropConstraint') continue;
          const key = schema.table(alter.table)?.constraints.find((c) => c.name === cmd.name);
          if (!key || (key.type !== 'primary' && key.type !== 'unique')) continue;
          const referencing = foreignKeysOn(schema, alter.table, key);
          if (referencing.length === 0) continue;
          const data = { name: key.name, table: displayName(alter.table), foreignKeys: referencing.join(', ') };
          context.report({ messageId: cmd.behavior === 'DROP_CASCADE' ? 'cascade' : 'refused', file, at: statement.start, data });
        }
      },
    };
  },
});

/** The foreign keys (as `table.name`) whose referenced columns are the key's: an omitted column list means the primary key. */
function foreignKeysOn(schema: SchemaModel, table: string, key: Constraint): string[] {
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((c, i) => c === b[i]);
  return schema
    .referencing(table)
    .flatMap((t) => t.constraints.filter((c) => c.type === 'foreign' && c.refTable === table && (c.refColumns?.length ? same(c.refColumns, key.columns) : key.type === 'primary')).map((c) => `${displayName(t.name)}.${c.name}`));
}
