import { defineRule } from '../rule.js';
import { displayName, qualifiedName, relationName, stringList } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** CREATE statements that take IF NOT EXISTS, by node kind: the word for messages and the keywords to write. */
const CREATES: Readonly<Record<string, { kind: string; keyword: string; name: (n: AstNode) => string }>> = {
  CreateStmt: { kind: 'table', keyword: 'TABLE', name: (n) => relationName(n.relation) },
  CreateSeqStmt: { kind: 'sequence', keyword: 'SEQUENCE', name: (n) => relationName(n.sequence) },
  CreateSchemaStmt: { kind: 'schema', keyword: 'SCHEMA', name: (n) => n.schemaname ?? '' },
  CreateExtensionStmt: { kind: 'extension', keyword: 'EXTENSION', name: (n) => n.extname ?? '' },
  CreateTableAsStmt: { kind: 'table', keyword: 'TABLE', name: (n) => relationName(n.into?.rel) },
};

/** CREATE statements that take OR REPLACE instead. */
const REPLACEABLE: Readonly<Record<string, { kind: string; keyword: string; name: (n: AstNode) => string }>> = {
  ViewStmt: { kind: 'view', keyword: 'VIEW', name: (n) => relationName(n.view) },
  CreateFunctionStmt: { kind: 'function', keyword: 'FUNCTION', name: (n) => nameFromList(stringList(n.funcname)) },
  CreateTrigStmt: { kind: 'trigger', keyword: 'TRIGGER', name: (n) => n.trigname ?? '' },
};

const DROP_KEYWORDS: Readonly<Record<string, string>> = {
  OBJECT_MATVIEW: 'MATERIALIZED VIEW', OBJECT_FOREIGN_TABLE: 'FOREIGN TABLE', OBJECT_TSCONFIGURATION: 'TEXT SEARCH CONFIGURATION',
  OBJECT_TSDICTIONARY: 'TEXT SEARCH DICTIONARY', OBJECT_FDW: 'FOREIGN DATA WRAPPER', OBJECT_FOREIGN_SERVER: 'SERVER',
};

/** In a no-transaction migration a failure halfway is not rolled back, and the file is run again: each statement must survive that. */
export default defineRule({
  meta: {
    name: 'prefer-robust-stmts',
    description: 'Statements of a no-transaction migration can run again: CREATE ... IF NOT EXISTS, DROP ... IF EXISTS.',
    category: 'structure',
    severity: 'warning',
    messages: {
      create: 'Creating {{kind}} {{name}} without IF NOT EXISTS fails when this no-transaction migration runs again after failing partway, since {{name}} then already exists.',
      createIndex: 'Creating index {{name}} without IF NOT EXISTS fails when this no-transaction migration runs again after failing partway, since {{name}} then already exists.',
      unnamedIndex: 'Creating an unnamed index on {{table}} builds a second, duplicate index when this no-transaction migration runs again after failing partway.',
      replace: 'Creating {{kind}} {{name}} without OR REPLACE fails when this no-transaction migration runs again after failing partway, since {{name}} then already exists.',
      drop: 'Dropping {{kind}} {{name}} without IF EXISTS fails when this no-transaction migration runs again after failing partway, since {{name}} is then already gone.',
      addColumn: 'Adding column {{table}}.{{column}} without IF NOT EXISTS fails when this no-transaction migration runs again after failing partway, since the column then already exists.',
      dropColumn: 'Dropping column {{table}}.{{column}} without IF EXISTS fails when this no-transaction migration runs again after failing partway, since the column is then already gone.',
      dropConstraint: 'Dropping constraint {{name}} on {{table}} without IF EXISTS fails when this no-transaction migration runs again after failing partway, since it is then already gone.',
    },
    help: {
      create: 'Write CREATE {{keyword}} IF NOT EXISTS {{name}}.',
      createIndex: 'Write IF NOT EXISTS before {{name}}, and drop an INVALID index left by a failed CONCURRENTLY build before running the migration again.',
      unnamedIndex: 'Name the index and write IF NOT EXISTS before its name.',
      replace: 'Write CREATE OR REPLACE {{keyword}} {{name}}.',
      drop: 'Write DROP {{keyword}} IF EXISTS {{name}}.',
      addColumn: 'Write ADD COLUMN IF NOT EXISTS {{column}}.',
      dropColumn: 'Write DROP COLUMN IF EXISTS {{column}}.',
      dropConstraint: 'Write DROP CONSTRAINT IF EXISTS {{name}}.',
    },
  },
  create(context) {
    return {
      statement({ statement, file, inExplicitTransaction }) {
        // Inside the file's own BEGIN ... COMMIT a failure rolls the block back, so running it again is safe.
        if (!context.migration.noTransaction || inExplicitTransaction) return;
        const n = statement.node;
        const at = statement.start;
        const create = CREATES[statement.kind];
        if (create) {
          if (!n.if_not_exists) context.report({ messageId: 'create', file, at, data: { kind: createKind(statement.kind, n, create.kind), keyword: createKeyword(statement.kind, n, create.keyword), name: displayName(create.name(n)) } });
          return;
        }
        const replaceable = REPLACEABLE[statement.kind];
        if (replaceable) {
          // A constraint trigger has no OR REPLACE form.
          if (n.replace || n.isconstraint) return;
          const keyword = statement.kind === 'CreateFunctionStmt' && n.is_procedure ? 'PROCEDURE' : statement.kind === 'ViewStmt' && n.view?.relpersistence === 't' ? 'TEMP VIEW' : replaceable.keyword;
          context.report({ messageId: 'replace', file, at, data: { kind: keyword.toLowerCase(), keyword, name: displayName(replaceable.name(n)) } });
          return;
        }
        switch (statement.kind) {
          case 'IndexStmt': {
            if (n.if_not_exists) return;
            const table = relationName(n.relation);
            if (!n.idxname) context.report({ messageId: 'unnamedIndex', file, at, data: { table: displayName(table) } });
            else context.report({ messageId: 'createIndex', file, at, data: { name: displayName(qualifiedName(n.relation?.schemaname, n.idxname)) } });
            return;
          }
          case 'DropStmt': {
            if (n.missing_ok) return;
            const keyword = (DROP_KEYWORDS[n.removeType] ?? String(n.removeType ?? '').replace(/^OBJECT_/, '').replace(/_/g, ' ')) + (n.concurrent ? ' CONCURRENTLY' : '');
            const names = (n.objects ?? []).map(objectLabel).join(', ');
            context.report({ messageId: 'drop', file, at, data: { kind: keyword.replace(/ CONCURRENTLY$/, '').toLowerCase(), keyword, name: names } });
            return;
          }
          case 'AlterTableStmt': {
            const table = displayName(relationName(n.relation));
            for (const command of n.cmds ?? []) {
              const cmd = command.AlterTableCmd ?? {};
              if (cmd.missing_ok) continue;
              if (cmd.subtype === 'AT_AddColumn') context.report({ messageId: 'addColumn', file, at, data: { table, column: cmd.def?.ColumnDef?.colname } });
              else if (cmd.subtype === 'AT_DropColumn') context.report({ messageId: 'dropColumn', file, at, data: { table, column: cmd.name } });
              else if (cmd.subtype === 'AT_DropConstraint') context.report({ messageId: 'dropConstraint', file, at, data: { table, name: cmd.name } });
            }
            return;
          }
          default:
            return;
        }
      },
    };
  },
});

function createKind(kind: string, n: AstNode, fallback: string): string {
  return kind === 'CreateTableAsStmt' && n.objtype === 'OBJECT_MATVIEW' ? 'materialized view' : fallback;
}

function createKeyword(kind: string, n: AstNode, fallback: string): string {
  return kind === 'CreateTableAsStmt' && n.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : fallback;
}

function nameFromList(names: readonly string[]): string {
  return names.length >= 2 ? names.slice(-2).join('.') : qualifiedName(undefined, names[0] ?? '');
}

/** A dropped object's name as written: a.b, f(int), ... */
function objectLabel(object: AstNode): string {
  if (object.List) return displayName(nameFromList(stringList(object.List.items)));
  if (object.String) return object.String.sval;
  if (object.TypeName) return displayName(nameFromList(stringList(object.TypeName.names)));
  if (object.ObjectWithArgs) return displayName(nameFromList(stringList(object.ObjectWithArgs.objname)));
  return '?';
}
