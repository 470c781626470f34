import { defineRule } from '../rule.js';
import { displayName } from '../ast.js';
import type { Constraint, SchemaModel } from '../schema-model.js';
import type { SourceFile } from '../migration-set.js';

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
      missingIndex: 'Create an index on {{table}} ({{columns}}) in the same migration; a primary key or unique constraint leading with those columns also counts.',
      droppedCoveringIndex: 'Keep an index on {{table}} ({{columns}}), or create its replacement before dropping this one.',
    },
  },
  create(context) {
    /** Tables that lost an index or constraint in this file, with where it happened. */
    const drops = new Map<string, { file: SourceFile; at: number }>();
    return {
      statement({ statement, schema, file, changes }) {
        for (const action of changes.actions) {
          const match = /^drop (index|constraint|column) (.+)$/.exec(action.key);
          if (!match) continue;
          const table = match[1] === 'index' ? schema.index(match[2]!)?.table : match[2]!.split('.').slice(0, 2).join('.');
          if (table && !drops.has(`${file.path}\0${table}`)) drops.set(`${file.path}\0${table}`, { file, at: statement.start });
        }
      },
      fileEnd({ file, schema }) {
        const tables = new Set<string>();
        for (const key of drops.keys()) if (key.startsWith(`${file.path}\0`)) tables.add(key.slice(file.path.length + 1));
        for (const table of tables) checkTable(table, 'dropped');
        for (const name of newForeignKeyTables(schema, file)) checkTable(name, 'defined');

        function checkTable(name: string, why: 'dropped' | 'defined'): void {
          const table = schema.table(name);
          if (!table || schema.isUnknown(name)) return;
          for (const fk of table.constraints) {
            if (fk.type !== 'foreign') continue;
            const definedHere = fk.origin.file === file.path;
            if (why === 'defined' && !definedHere) continue;
            if (covered(schema, name, fk)) continue;
            const data = { name: fk.name, table: displayName(name), columns: fk.columns.join(', '), ref: displayName(fk.refTable ?? '') };
            if (definedHere) context.report({ messageId: 'missingIndex', file, at: fk.origin.at, data });
            else {
              const drop = drops.get(`${file.path}\0${name}`);
              if (drop) context.report({ messageId: 'droppedCoveringIndex', file: drop.file, at: drop.at, data });
            }
          }
        }
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
