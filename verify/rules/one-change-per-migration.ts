import { defineRule } from '../rule.js';
import { describeSubject } from '../changes.js';
import { qualifiedFromList, qualifiedName, relationName, stringList } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';
import type { SourceFile } from '../../core/migrations/layout.js';

/**
 * Every statement of an up file changes one subject: one table (with its own parts), function, type, view, sequence,
 * extension or schema. What the file creates only to serve one table (a trigger function for its trigger, a type or
 * a sequence for its column) is part of that table's change.
 */
export default defineRule({
  meta: {
    name: 'one-change-per-migration',
    description: 'All statements of an up file change one subject.',
    category: 'structure',
    severity: 'error',
    messages: {
      secondSubject: 'This statement changes {{second}}, but the migration already changes {{first}}: a rollback of one would undo both.',
    },
    help: {
      secondSubject: 'Move the change to {{second}} into its own migration (make new NAME=...).',
    },
  },
  create(context) {
    let first: string | undefined;
    /** Statements whose subject differs from the first one's as written; ownership, known at the file's end, may still make them one. */
    const others: Array<{ subject: string; file: SourceFile; at: number }> = [];
    /** Subjects that are another one under a second name: a renamed table's new name, the view that keeps its old name. */
    const sameAs = new Map<string, string>();
    /** Functions, types and sequences this file creates, and the tables of this file that use each. */
    const created = new Set<string>();
    const usedBy = new Map<string, Set<string>>();
    const use = (helper: string, table: string): void => {
      usedBy.set(helper, (usedBy.get(helper) ?? new Set()).add(table));
    };
    return {
      statement({ side, changes, statement, file }) {
        if (side !== 'up') return;
        const n = statement.node;
        if (statement.kind === 'RenameStmt' && n.renameType === 'OBJECT_TABLE' && changes.subject === `table ${relationName(n.relation)}`) {
          const from = relationName(n.relation);
          const to = qualifiedName(n.relation?.schemaname, n.newname);
          const subject = resolve(`table ${from}`);
          sameAs.set(`table ${to}`, subject);
          sameAs.set(`view ${from}`, subject);
        }
        if (!changes.subject) return;
        if (HELPER_CREATES.has(statement.kind) && /^(function|type|sequence) /.test(changes.subject)) created.add(changes.subject);
        if (changes.subject.startsWith('table ')) {
          for (const helper of helpersUsed(statement.kind, n, file.lines.textBetween(statement.start, statement.end))) use(helper, resolve(changes.subject));
        }
        const subject = resolve(changes.subject);
        if (first === undefined) first = subject;
        else if (subject !== first) others.push({ subject, file, at: statement.start });
      },
      fileEnd({ side, schema }) {
        if (side !== 'up') return;
        // Known only once the file has run: a sequence OWNED BY a table column is one of that table's own parts.
        const owner = (subject: string): string => {
          // Created here for one table only: part of that table's change.
          const users = created.has(subject) ? usedBy.get(subject) : undefined;
          if (users?.size === 1) return [...users][0]!;
          if (!subject.startsWith('sequence ')) return subject;
          const table = schema.object('sequence', subject.slice('sequence '.length))?.ownedBy?.table;
          return table ? resolve(`table ${table}`) : subject;
        };
        if (first === undefined) return;
        const subject = owner(first);
        const second = others.find((s) => owner(s.subject) !== subject);
        if (!second) return;
        context.report({ messageId: 'secondSubject', file: second.file, at: second.at, data: { first: describeSubject(subject), second: describeSubject(owner(second.subject)) } });
      },
    };

    function resolve(subject: string): string {
      return sameAs.get(subject) ?? subject;
    }
  },
});

const HELPER_CREATES = new Set(['CreateFunctionStmt', 'CreateEnumStmt', 'CompositeTypeStmt', 'CreateRangeStmt', 'CreateDomainStmt', 'CreateSeqStmt']);

/** The functions, types and sequences a statement about a table uses: a trigger's function, columns' types, nextval('seq'). */
function helpersUsed(kind: string, n: AstNode, text: string): string[] {
  const helpers: string[] = [];
  if (kind === 'CreateTrigStmt') helpers.push(`function ${qualifiedFromList(stringList(n.funcname))}`);
  const columns: AstNode[] = [];
  if (kind === 'CreateStmt') for (const element of n.tableElts ?? []) if (element.ColumnDef) columns.push(element.ColumnDef);
  if (kind === 'AlterTableStmt') for (const cmd of n.cmds ?? []) if (cmd.AlterTableCmd?.def?.ColumnDef) columns.push(cmd.AlterTableCmd.def.ColumnDef);
  for (const column of columns) if (column.typeName?.names) helpers.push(`type ${qualifiedFromList(stringList(column.typeName.names))}`);
  for (const match of text.matchAll(/\bnextval\s*\(\s*'([^']+)'/gi)) helpers.push(`sequence ${qualifiedFromList(match[1]!.replace(/"/g, '').toLowerCase().split('.'))}`);
  return helpers;
}
