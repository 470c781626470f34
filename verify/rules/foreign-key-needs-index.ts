import { defineRule } from '../rule.js';
import { displayName } from '../ast.js';
import type { Constraint, SchemaModel } from '../schema-model.js';
import type { SourceFile } from '../../core/migrations/layout.js';

/** Every foreign key needs an index whose leading columns are the key's columns. */
export default defineRule({
  meta: {
    name: 'foreign-key-needs-index',
    description: 'Every foreign key has an index whose leading columns are its columns.',
    category: 'integrity',
    severity: 'error',
    messages: {
      missingIndex: 'Foreign key {{name}} on {{table}} ({{columns}}) has no index leading with its columns: every delete or key update on {{ref}} scans {{table}} while holding its locks.',
      droppedCoveringIndex: 'This drops the last index covering foreign key {{name}} on {{table}} ({{columns}}): every delete or key update on {{ref}} will scan {{table}} while holding its locks.',
    },
    help: {
      missingIndex: 'Create an index on {{table}} ({{columns}}) {{where}}; a primary key or unique constraint leading with those columns also counts.',
      droppedCoveringIndex: 'Keep an index on {{table}} ({{columns}}), or create its replacement before dropping this one.',
    },
  },
  create(context) {
    /** The last statement that dropped an index or constraint: the foreign keys of the tables it touched that an index covered just before it. */
    let pending: { at: number; coveredBefore: Map<string, Set<string>> } | undefined;
    /** Foreign key (`table\0name`) → the statement of this file that dropped its last covering index (the latest one, if several did). */
    const uncoveredAt = new Map<string, number>();

    /** Now that the schema stands after the pending statement: which of the keys it saw covered are covered no more. */
    function settle(schema: SchemaModel): void {
      if (!pending) return;
      for (const [name, before] of pending.coveredBefore) {
        for (const fk of schema.table(name)?.constraints ?? []) {
          if (fk.type === 'foreign' && before.has(fk.name) && !covered(schema, name, fk)) uncoveredAt.set(`${name}\0${fk.name}`, pending.at);
        }
      }
      pending = undefined;
    }

    return {
      statement({ statement, schema, changes }) {
        settle(schema);
        const coveredBefore = new Map<string, Set<string>>();
        for (const action of changes.actions) {
          const match = /^drop (index|constraint|column) (.+)$/.exec(action.key);
          if (!match) continue;
          const name = match[1] === 'index' ? schema.index(match[2]!)?.table : match[2]!.split('.').slice(0, 2).join('.');
          const table = name === undefined || coveredBefore.has(name) ? undefined : schema.table(name);
          if (!table) continue;
          coveredBefore.set(table.name, new Set(table.constraints.filter((c) => c.type === 'foreign' && covered(schema, table.name, c)).map((c) => c.name)));
        }
        if (coveredBefore.size > 0) pending = { at: statement.start, coveredBefore };
      },
      fileEnd({ file, schema }) {
        settle(schema);
        const report = (messageId: string, name: string, fk: Constraint, at: number): void => {
          // A table the migration creates is empty: its index goes beside it. On a table in use it is built CONCURRENTLY,
          // which cannot share a transaction, so it comes first, in a migration of its own.
          const where = schema.isEstablished(name, context.migration.name) ? 'CONCURRENTLY in a no-transaction migration before this one' : 'in the same migration';
          const data = { name: fk.name, table: displayName(name), columns: fk.columns.join(', '), ref: displayName(fk.refTable ?? ''), where };
          context.report({ messageId, file, at, data });
        };
        for (const name of newForeignKeyTables(schema, file)) {
          if (schema.isUnknown(name)) continue;
          for (const fk of schema.table(name)!.constraints) {
            if (fk.type === 'foreign' && fk.origin.file === file.path && !covered(schema, name, fk)) report('missingIndex', name, fk, fk.origin.at);
          }
        }
        for (const [key, at] of uncoveredAt) {
          const [name, fkName] = key.split('\0') as [string, string];
          const fk = schema.table(name)?.constraints.find((c) => c.type === 'foreign' && c.name === fkName);
          if (!fk || fk.origin.file === file.path || schema.isUnknown(name) || covered(schema, name, fk)) continue;
          report('droppedCoveringIndex', name, fk, at);
        }
        uncoveredAt.clear();
      },
    };
  },
});

function newForeignKeyTables(schema: SchemaModel, file: SourceFile): Set<string> {
  const out = new Set<string>();
  for (const statement of file.parsed.statements) {
    const relation = statement.node.relation;
    if ((statement.kind === 'CreateStmt' || statement.kind === 'AlterTableStmt') && relation) {
      const name = `${relation.schemaname ?? 'public'}.${relation.relname}`;
      if (!out.has(name) && schema.table(name)) out.add(name);
    }
  }
  return out;
}

/** An index (not partial) whose first columns are exactly the key's columns, in any order. */
export function covered(schema: SchemaModel, table: string, fk: Constraint): boolean {
  const wanted = new Set(fk.columns);
  return schema.indexesOf(table).some((index) => {
    if (index.partial || index.columns.length < wanted.size) return false;
    const leading = index.columns.slice(0, wanted.size);
    return leading.every((c) => wanted.has(c)) && new Set(leading).size === wanted.size;
  });
}
