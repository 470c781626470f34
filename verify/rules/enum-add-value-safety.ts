import { defineRule } from '../rule.js';
import type { AstNode, Statement } from '../../core/migrations/parse.js';
import type { SchemaModel } from '../schema-model.js';
import { displayName, qualifiedFromList, relationName, stringList } from '../ast.js';
import { literalEnd } from '../spans.js';

/** ALTER TYPE ... ADD VALUE: the new value is unusable until it commits, and the statement cannot be undone. */
export default defineRule({
  meta: {
    name: 'enum-add-value-safety',
    description: 'A value added to an existing enum is not used before it commits, and a no-transaction ADD VALUE can be rerun.',
    category: 'integrity',
    severity: 'error',
    messages: {
      usedBeforeCommit: "Value '{{value}}' is added to enum {{type}} in this transaction and used here: Postgres rejects it (unsafe use of new value) until the ALTER TYPE commits, so the migration fails.",
      notRerunnable: "ALTER TYPE {{type}} ADD VALUE '{{value}}' commits on its own in this no-transaction migration and cannot be dropped again: if a later statement fails, rerunning the migration fails here because the value already exists.",
    },
    help: {
      usedBeforeCommit: 'Use the new value in a later migration, or make this one -- migrate:no-transaction with ADD VALUE IF NOT EXISTS.',
      notRerunnable: "Write ALTER TYPE {{type}} ADD VALUE IF NOT EXISTS '{{value}}'.",
    },
  },
  create(context) {
    /** Values added in the current file to enums that existed before it: enum → labels. */
    let added = new Map<string, Set<string>>();
    let side: 'up' | 'down' | undefined;
    return {
      statement({ statement, file, schema, migration, side: current }) {
        if (current !== side) {
          side = current;
          added = new Map();
        }
        const n = statement.node;
        if (statement.kind === 'AlterEnumStmt') {
          if (n.oldVal || !n.newVal) return; // RENAME VALUE
          const type = qualifiedFromList(stringList(n.typeName));
          // An enum created earlier in this same file is new with it: its values are usable at once, and a rerun
          // would stop at its CREATE TYPE anyway.
          if (schema.object('enum', type)?.origin.file === file.path) return;
          if (migration.noTransaction) {
            if (!n.skipIfNewValExists) context.report({ messageId: 'notRerunnable', file, at: statement.start, data: { type: displayName(type), value: n.newVal } });
            return;
          }
          const labels = added.get(type) ?? new Set<string>();
          labels.add(n.newVal);
          added.set(type, labels);
          return;
        }
        if (migration.noTransaction) return;
        for (const [type, labels] of added) {
          if (!involves(statement, type, schema)) continue;
          const reported = new Set<string>();
          for (const literal of stringLiterals(statement.node)) {
            if (!labels.has(literal.value) || reported.has(literal.value)) continue;
            reported.add(literal.value);
            context.report({ messageId: 'usedBeforeCommit', file, at: literal.at >= 0 ? literal.at : statement.start, endAt: literal.at >= 0 ? literalEnd(file.lines, literal.at, statement.end) : undefined, data: { type: displayName(type), value: literal.value } });
          }
        }
      },
    };
  },
});

/** True when the statement names the enum type, or a table with a column of that type. */
export function involves(statement: Statement, type: string, schema: SchemaModel): boolean {
  let found = false;
  const visit = (node: unknown, key: string): void => {
    if (found) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, key);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const body = node as AstNode;
    if ((key === 'typeName' || key === 'TypeName') && Array.isArray(body.names)) {
      const names = stringList(body.names);
      if (qualifiedFromList(names) === type) found = true;
    }
    if (typeof body.relname === 'string') {
      const table = schema.table(relationName(body));
      if (table?.columns.some((c) => c.type.name === type)) found = true;
    }
    for (const [k, value] of Object.entries(body)) if (value && typeof value === 'object') visit(value, k);
  };
  visit(statement.node, '');
  return found;
}

/** String constants of a node ('x', not identifiers or function bodies), with their byte offsets. */
function stringLiterals(node: unknown, out: Array<{ value: string; at: number }> = []): Array<{ value: string; at: number }> {
  if (Array.isArray(node)) {
    for (const item of node) stringLiterals(item, out);
  } else if (node && typeof node === 'object') {
    const constant = (node as AstNode).A_Const;
    if (constant && typeof constant.sval?.sval === 'string') out.push({ value: constant.sval.sval, at: constant.location ?? -1 });
    for (const value of Object.values(node)) if (value && typeof value === 'object') stringLiterals(value, out);
  }
  return out;
}
