import { defineRule } from '../rule.js';
import { qualifiedFromList, relationName, stringList, visitNodes } from '../ast.js';
import type { SchemaModel } from '../schema-model.js';
import type { AstNode } from '../../core/migrations/parse.js';

/** The oldest PostgreSQL the runner supports, and the default target. */
export const DEFAULT_POSTGRES_VERSION = 15;

interface Feature {
  readonly what: string;
  readonly since: number;
  readonly at?: number;
}

/** What a node needs, by node kind: the feature and the major version that brought it. */
function featuresOf(kind: string, n: AstNode): Feature[] {
  const at = typeof n.location === 'number' && n.location >= 0 ? n.location : undefined;
  const found: Feature[] = [];
  const add = (what: string, since: number): void => {
    found.push({ what, since, ...(at !== undefined ? { at } : {}) });
  };
  switch (kind) {
    case 'Constraint':
      if (n.contype === 'CONSTR_GENERATED' && n.generated_kind === 'v') add('A virtual generated column (GENERATED ALWAYS AS (...) without STORED)', 18);
      if (n.contype === 'CONSTR_NOTNULL' && n.skip_validation) add('NOT NULL ... NOT VALID', 18);
      if (n.contype === 'CONSTR_NOTNULL' && Array.isArray(n.keys) && n.keys.length > 0 && !n.skip_validation) add('A NOT NULL table constraint (ADD CONSTRAINT ... NOT NULL column)', 18);
      if ((n.contype === 'CONSTR_CHECK' || n.contype === 'CONSTR_FOREIGN') && n.is_enforced !== true && n.initially_valid !== true && n.skip_validation) add('NOT ENFORCED', 18);
      if (n.without_overlaps || n.fk_with_period) add('WITHOUT OVERLAPS / PERIOD in a key', 18);
      if (n.contype === 'CONSTR_GENERATED' && n.generated_kind === 's') add('A stored generated column (GENERATED ALWAYS AS (...) STORED)', 12);
      if (n.nulls_not_distinct) add('NULLS NOT DISTINCT', 15);
      if ((n.contype === 'CONSTR_UNIQUE' || n.contype === 'CONSTR_PRIMARY') && (n.including ?? []).length > 0) add('INCLUDE columns in a key', 11);
      break;
    case 'IndexStmt':
      if (n.nulls_not_distinct) add('NULLS NOT DISTINCT', 15);
      if ((n.indexIncludingParams ?? []).length > 0) add('INCLUDE columns in an index', 11);
      break;
    case 'ReindexStmt':
      if ((n.params ?? []).some((o: AstNode) => o.DefElem?.defname === 'concurrently')) add('REINDEX CONCURRENTLY', 12);
      break;
    case 'PartitionCmd':
      if (n.concurrent) add('DETACH PARTITION ... CONCURRENTLY', 14);
      break;
    case 'CreateFunctionStmt':
      if (n.is_procedure) add('CREATE PROCEDURE', 11);
      break;
    case 'MergeStmt':
      add('MERGE', 15);
      if (n.returningClause) add('MERGE ... RETURNING', 17);
      break;
    case 'AlterTableCmd':
      if (n.subtype === 'AT_SetExpression') add('ALTER COLUMN ... SET EXPRESSION', 17);
      break;
    case 'JsonTable':
      add('JSON_TABLE', 17);
      break;
    case 'JsonFuncExpr':
      add('JSON_QUERY, JSON_VALUE and JSON_EXISTS', 17);
      break;
    case 'JsonParseExpr':
    case 'JsonScalarExpr':
    case 'JsonSerializeExpr':
      add('JSON(), JSON_SCALAR() and JSON_SERIALIZE()', 17);
      break;
    case 'JsonObjectConstructor':
    case 'JsonArrayConstructor':
    case 'JsonArrayQueryConstructor':
    case 'JsonObjectAgg':
    case 'JsonArrayAgg':
      add('the SQL/JSON constructors (JSON_OBJECT, JSON_ARRAY, JSON_OBJECTAGG, JSON_ARRAYAGG)', 16);
      break;
    case 'JsonIsPredicate':
      add('IS JSON', 16);
      break;
    case 'FuncCall': {
      const name = qualifiedFromList(stringList(n.funcname));
      if (name === 'pg_catalog.system_user') add('SYSTEM_USER', 16);
      if (name === 'public.any_value' || name === 'pg_catalog.any_value') add('any_value()', 16);
      if (name === 'public.uuidv7' || name === 'pg_catalog.uuidv7') add('uuidv7()', 18);
      break;
    }
    default:
      break;
  }
  return found;
}

/**
 * Constraints a DROP CONSTRAINT or RENAME CONSTRAINT names that are, on PostgreSQL 18, the NOT NULL of a column
 * (`<table>_<column>_not_null`, as the table and column were named then): the table has no other constraint of that
 * name, and has NOT NULL columns.
 */
function namedNotNullConstraints(kind: string, n: AstNode, schema: SchemaModel): string[] {
  const named: Array<{ table: string; name: string }> = [];
  if (kind === 'AlterTableStmt') {
    for (const cmd of n.cmds ?? []) if (cmd.AlterTableCmd?.subtype === 'AT_DropConstraint' && cmd.AlterTableCmd.name) named.push({ table: relationName(n.relation), name: cmd.AlterTableCmd.name });
  } else if (kind === 'RenameStmt' && n.renameType === 'OBJECT_TABCONSTRAINT' && n.subname) named.push({ table: relationName(n.relation), name: n.subname });
  const out: string[] = [];
  for (const { table, name } of named) {
    const known = schema.table(table);
    if (!known || known.unknown || known.constraints.some((c) => c.name === name)) continue;
    // PostgreSQL names it when the column becomes NOT NULL, and keeps the name through renames of table and column.
    if (name.endsWith('_not_null') && known.columns.some((c) => c.notNull)) out.push(name);
  }
  return out;
}

/** The parser is PostgreSQL 18's: it accepts syntax older servers refuse. The target version says which servers count. */
export default defineRule({
  meta: {
    name: 'syntax-needs-newer-postgres',
    description: 'A migration uses no syntax or built-in function newer than the PostgreSQL version it targets.',
    category: 'integrity',
    severity: 'error',
    messages: {
      newer: '{{what}} needs PostgreSQL {{since}} or newer, but these migrations target PostgreSQL {{target}}: the statement fails there.',
    },
    help: {
      newer: 'Write it the way PostgreSQL {{target}} accepts, or raise postgresVersion in verify-migrations.json (or --pg-version) once every server runs {{since}} or newer.',
    },
  },
  create(context) {
    const target = context.options.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
    return {
      statement({ statement, file, schema }) {
        const seen = new Set<string>();
        const check = (kind: string, body: AstNode): void => {
          for (const feature of featuresOf(kind, body)) {
            if (feature.since <= target || seen.has(feature.what)) continue;
            seen.add(feature.what);
            context.report({ messageId: 'newer', file, at: feature.at ?? statement.start, data: { what: feature.what, since: feature.since, target } });
          }
        };
        check(statement.kind, statement.node);
        visitNodes(statement.node, check);
        for (const name of namedNotNullConstraints(statement.kind, statement.node, schema)) {
          const what = `The NOT NULL constraint ${name} (PostgreSQL names them, and DROP or RENAME CONSTRAINT reaches them, from 18)`;
          if (18 <= target || seen.has(what)) continue;
          seen.add(what);
          context.report({ messageId: 'newer', file, at: statement.start, data: { what, since: 18, target } });
        }
      },
    };
  },
});
