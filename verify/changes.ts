// What a statement changes: its subject (for one-change-per-migration) and its actions,
// each with the actions that undo it (for down-reverses-up). Pure: reads the AST and the schema model.
import type { Statement, AstNode } from '../core/migrations/parse.js';
import type { SchemaModel } from './schema-model.js';
import { displayName, expressionColumns, indexUsedColumns, qualifiedFromList, qualifiedName, relationName, stringList } from './ast.js';

export interface Action {
  /** Canonical key, e.g. `create index public.idx_a`, `add column public.t.c`: what `undoneBy` lists. */
  readonly key: string;
  /** The key as data: what is done (`create`, `drop`, `add`, `set not null`, `insert`, `grant`, ...), */
  readonly verb: string;
  /** to which kind of object (`table`, `index`, `column`, `constraint`, `rows`, ...), */
  readonly kind: string;
  /** named how (qualified; a column or constraint as `schema.table.name`; a grant's object and grantee). */
  readonly name: string;
  /** How the up file's action reads: "creates index idx_a". */
  readonly label: string;
  /** How a down would undo it: "drops it". */
  readonly inverseLabel: string;
  /** Keys of down actions that undo it (including Postgres's implied drops). */
  readonly undoneBy: readonly string[];
  /** Keys of what Postgres drops along with this action, as the model knows it: a relation's indexes, constraints and owned sequences, a column's indexes, the views a CASCADE reaches. */
  readonly implies?: readonly string[];
  /** True for actions that destroy data or objects (drops, truncates, type changes). */
  readonly destroys?: boolean;
  /** True when Postgres offers no inverse (ALTER TYPE ... ADD VALUE). */
  readonly irreversible?: boolean;
  /** True for changes to rows, not to the schema (INSERT, UPDATE, DELETE, TRUNCATE). */
  readonly data?: boolean;
}

export interface StatementChanges {
  /** The one object the statement changes: `table public.x`, `function public.f`, ... or undefined. */
  readonly subject?: string;
  readonly actions: readonly Action[];
}

const OBJECT_KINDS: Readonly<Record<string, string>> = {
  OBJECT_TABLE: 'table', OBJECT_INDEX: 'index', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'domain', OBJECT_FUNCTION: 'function',
  OBJECT_PROCEDURE: 'function', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'view', OBJECT_SEQUENCE: 'sequence', OBJECT_EXTENSION: 'extension',
  OBJECT_SCHEMA: 'schema', OBJECT_TRIGGER: 'trigger', OBJECT_POLICY: 'policy', OBJECT_COLUMN: 'column', OBJECT_TABCONSTRAINT: 'constraint',
  OBJECT_AGGREGATE: 'function', OBJECT_ROUTINE: 'function', OBJECT_ROLE: 'role', OBJECT_DATABASE: 'database', OBJECT_EVENT_TRIGGER: 'event trigger',
  OBJECT_FOREIGN_TABLE: 'foreign table', OBJECT_LANGUAGE: 'language', OBJECT_PUBLICATION: 'publication', OBJECT_SUBSCRIPTION: 'subscription',
  OBJECT_TABLESPACE: 'tablespace', OBJECT_FDW: 'foreign-data wrapper', OBJECT_FOREIGN_SERVER: 'server', OBJECT_ACCESS_METHOD: 'access method',
  OBJECT_COLLATION: 'collation', OBJECT_CONVERSION: 'conversion', OBJECT_OPERATOR: 'operator', OBJECT_OPCLASS: 'operator class',
  OBJECT_OPFAMILY: 'operator family', OBJECT_RULE: 'rule', OBJECT_STATISTIC_EXT: 'statistics', OBJECT_CAST: 'cast', OBJECT_TRANSFORM: 'transform',
  OBJECT_TSCONFIGURATION: 'text search configuration', OBJECT_TSDICTIONARY: 'text search dictionary', OBJECT_TSPARSER: 'text search parser',
  OBJECT_TSTEMPLATE: 'text search template', OBJECT_LARGEOBJECT: 'large object', OBJECT_ATTRIBUTE: 'attribute', OBJECT_DOMCONSTRAINT: 'domain constraint',
  OBJECT_USER_MAPPING: 'user mapping', OBJECT_PARAMETER_ACL: 'parameter', OBJECT_DEFAULT: 'default', OBJECT_DEFACL: 'default privileges',
  OBJECT_AMOP: 'access method operator', OBJECT_AMPROC: 'access method function', OBJECT_PUBLICATION_NAMESPACE: 'publication schema',
  OBJECT_PUBLICATION_REL: 'publication table',
};

/** Kinds named without a schema: the last name is the whole name. */
const UNQUALIFIED = new Set(['extension', 'schema', 'role', 'database', 'event trigger', 'language', 'publication', 'subscription', 'tablespace', 'foreign-data wrapper', 'server', 'access method']);

/** Kinds named after their table (`DROP TRIGGER x ON t`): they are part of that table's subject. */
const ON_TABLE = new Set(['trigger', 'policy', 'rule']);

/** Every kind word, longest first, to split a subject back into kind and name. */
const KIND_WORDS = [...new Set(Object.values(OBJECT_KINDS))].sort((a, b) => b.length - a.length);

const show = displayName;

/** A subject as a message shows it: `table orders`, `event trigger issue_pg_net_access`, `view audit.v`. */
export function describeSubject(subject: string): string {
  const kind = KIND_WORDS.find((k) => subject.startsWith(`${k} `)) ?? subject.slice(0, Math.max(0, subject.indexOf(' ')));
  return `${kind} ${show(subject.slice(kind.length + 1))}`;
}

/** A relation's kind as the model knows it (a view, a materialized view, a sequence), `table` when it does not know it. */
function relationKind(name: string, schema: SchemaModel): string {
  return schema.relationKind(name) ?? 'table';
}

/** Keys of what Postgres drops with relation `name`: its indexes, constraints and owned sequences; with CASCADE the views reading it (transitively), their indexes, and the foreign keys pointing at it. */
function relationDropImplies(name: string, schema: SchemaModel, cascade: boolean): string[] {
  const out: string[] = [];
  const relations = cascade ? [name, ...schema.dependentViews(name)] : [name];
  for (const relation of relations) {
    if (relation !== name) out.push(`drop ${relationKind(relation, schema)} ${relation}`);
    for (const index of schema.indexesOf(relation)) out.push(`drop index ${index.name}`);
    for (const constraint of schema.table(relation)?.constraints ?? []) out.push(`drop constraint ${relation}.${constraint.name}`);
    for (const sequence of schema.sequencesOwnedBy(relation)) out.push(`drop sequence ${sequence.name}`);
  }
  if (cascade && schema.table(name)) {
    for (const t of schema.referencing(name)) for (const c of t.constraints) if (c.type === 'foreign' && c.refTable === name) out.push(`drop constraint ${t.name}.${c.name}`);
  }
  return out;
}

/** Keys of what Postgres drops with column `table.column`: the indexes and constraints that use it, the sequence it owns. */
function columnDropImplies(table: string, column: string, schema: SchemaModel): string[] {
  const out = schema.indexesUsing(table, column).map((index) => `drop index ${index.name}`);
  for (const constraint of schema.table(table)?.constraints ?? []) if (constraint.columns.includes(column)) out.push(`drop constraint ${table}.${constraint.name}`);
  for (const sequence of schema.sequencesOwnedBy(table, column)) out.push(`drop sequence ${sequence.name}`);
  return out;
}

/** An action as the statement readers build it; typed() adds its verb, kind and name. */
type Draft = Omit<Action, 'verb' | 'kind' | 'name'>;

interface DraftChanges {
  readonly subject?: string;
  readonly actions: readonly Draft[];
}

function create(kind: string, name: string, extra: string[] = []): Draft {
  return { key: `create ${kind} ${name}`, label: `creates ${kind} ${show(name)}`, inverseLabel: 'drops it', undoneBy: [`drop ${kind} ${name}`, ...extra] };
}

function drop(kind: string, name: string, implies?: readonly string[]): Draft {
  return { key: `drop ${kind} ${name}`, label: `drops ${kind} ${show(name)}`, inverseLabel: 'recreates it', undoneBy: [`create ${kind} ${name}`], destroys: true, implies };
}

function tableImplied(table: string, columns: readonly string[] = [], kind = 'table'): string[] {
  return [`drop ${kind} ${table}`, ...columns.map((c) => `drop column ${table}.${c}`)];
}

/** Verbs of more than one word, longest first: the rest of a key is `<kind> <name>` (or, for data, `<table>`). */
const VERBS = ['set not null', 'drop not null', 'set default', 'drop default', 'add value', 'rename value', 'alter type', 'enable trigger', 'disable trigger', 'enable rls', 'disable rls', 'force rls', 'noforce rls'];
const KIND_AFTER_VERB: Readonly<Record<string, string>> = { 'set not null': 'column', 'drop not null': 'column', 'set default': 'column', 'drop default': 'column', 'alter type': 'column', 'add value': 'type', 'rename value': 'type', 'enable trigger': 'trigger', 'disable trigger': 'trigger', 'enable rls': 'table', 'disable rls': 'table', 'force rls': 'table', 'noforce rls': 'table' };
const DATA_VERBS = new Set(['insert', 'update', 'delete', 'truncate']);

/** The key, read once here, as the action's verb, kind and name: rules read those, never the key. */
function typed(action: Draft): Action {
  const key = action.key;
  const long = VERBS.find((verb) => key.startsWith(verb) && key.charCodeAt(verb.length) === 0x20);
  if (long) return { ...action, verb: long, kind: KIND_AFTER_VERB[long]!, name: key.slice(long.length + 1) };
  const [verb = '', kind = '', ...rest] = key.split(' ');
  if (DATA_VERBS.has(verb)) return { ...action, verb, kind: 'rows', name: [kind, ...rest].join(' ') };
  return { ...action, verb, kind, name: rest.join(' ') };
}

/** Describe one statement. `schema` is the model just before it. */
export function changesOf(statement: Statement, schema: SchemaModel): StatementChanges {
  const changes = describeStatement(statement, schema);
  return { ...changes, actions: changes.actions.map(typed) };
}

function describeStatement(statement: Statement, schema: SchemaModel): DraftChanges {
  const n = statement.node;
  switch (statement.kind) {
    case 'CreateStmt': {
      const table = relationName(n.relation);
      return { subject: `table ${table}`, actions: [create('table', table)] };
    }
    case 'CreateTableAsStmt': {
      const name = relationName(n.into?.rel);
      const kind = n.objtype === 'OBJECT_MATVIEW' ? 'view' : 'table';
      return { subject: `${kind} ${name}`, actions: [create(kind, name)] };
    }
    case 'IndexStmt': {
      // An index belongs to its relation: a table, or a materialized view.
      const table = relationName(n.relation);
      const kind = relationKind(table, schema);
      // An unnamed index gets Postgres's name for it (t_a_b_idx, t_a_b_idx1 ...); IF NOT EXISTS of an index that exists does nothing.
      const name = n.idxname ? qualifiedName(n.relation?.schemaname, n.idxname) : schema.chooseIndexName(n);
      if (n.if_not_exists && schema.index(name)) return { subject: `${kind} ${table}`, actions: [] };
      return { subject: `${kind} ${table}`, actions: [create('index', name, tableImplied(table, indexUsedColumns(n), kind))] };
    }
    case 'AlterTableStmt':
      return alterTable(n, schema);
    case 'DropStmt':
      return dropStatement(n, schema);
    case 'RenameStmt':
      return rename(n, schema);
    case 'CommentStmt':
      return comment(n, schema);
    case 'CreateEnumStmt':
    case 'CompositeTypeStmt':
    case 'CreateRangeStmt': {
      const name = statement.kind === 'CompositeTypeStmt' ? relationName(n.typevar) : qualifiedFromList(stringList(n.typeName));
      return { subject: `type ${name}`, actions: [create('type', name)] };
    }
    case 'CreateDomainStmt': {
      const name = qualifiedFromList(stringList(n.domainname));
      return { subject: `type ${name}`, actions: [create('domain', name, [`drop type ${name}`])] };
    }
    case 'AlterEnumStmt': {
      const name = qualifiedFromList(stringList(n.typeName));
      if (n.oldVal) {
        return { subject: `type ${name}`, actions: [{ key: `rename value ${name}.${n.oldVal}->${n.newVal}`, label: `renames value '${n.oldVal}' of type ${show(name)} to '${n.newVal}'`, inverseLabel: 'renames it back', undoneBy: [`rename value ${name}.${n.newVal}->${n.oldVal}`, `drop type ${name}`] }] };
      }
      return { subject: `type ${name}`, actions: [{ key: `add value ${name}.${n.newVal}`, label: `adds value '${n.newVal}' to type ${show(name)}`, inverseLabel: 'cannot remove it (Postgres has no DROP VALUE)', undoneBy: [`drop type ${name}`], irreversible: true }] };
    }
    case 'CreateFunctionStmt': {
      const name = qualifiedFromList(stringList(n.funcname));
      const kind = 'function';
      const existed = schema.object('function', name) !== undefined;
      if (n.replace && existed) {
        return { subject: `function ${name}`, actions: [{ key: `create function ${name}`, label: `replaces function ${show(name)}`, inverseLabel: 'restores the previous definition', undoneBy: [`create function ${name}`] }] };
      }
      return { subject: `function ${name}`, actions: [create(kind, name)] };
    }
    case 'ViewStmt': {
      const name = relationName(n.view);
      const existed = schema.object('view', name) !== undefined;
      if (n.replace && existed) return { subject: `view ${name}`, actions: [{ key: `create view ${name}`, label: `replaces view ${show(name)}`, inverseLabel: 'restores the previous definition', undoneBy: [`create view ${name}`] }] };
      return { subject: `view ${name}`, actions: [create('view', name)] };
    }
    case 'CreateSeqStmt': {
      const name = relationName(n.sequence);
      return { subject: `sequence ${name}`, actions: [create('sequence', name)] };
    }
    case 'AlterSeqStmt':
      return { subject: `sequence ${relationName(n.sequence)}`, actions: [] };
    case 'CreateExtensionStmt':
      return { subject: `extension ${n.extname}`, actions: [create('extension', n.extname)] };
    case 'CreateSchemaStmt':
      return { subject: `schema ${n.schemaname}`, actions: [create('schema', n.schemaname)] };
    case 'CreateTrigStmt': {
      const table = relationName(n.relation);
      const kind = relationKind(table, schema);
      return { subject: `${kind} ${table}`, actions: [create('trigger', `${table}.${n.trigname}`, [`drop ${kind} ${table}`])] };
    }
    case 'CreatePolicyStmt': {
      const table = relationName(n.table);
      return { subject: `table ${table}`, actions: [create('policy', `${table}.${n.policy_name}`, [`drop table ${table}`])] };
    }
    case 'InsertStmt':
    case 'UpdateStmt':
    case 'DeleteStmt': {
      const table = relationName(n.relation);
      const verb = statement.kind === 'InsertStmt' ? 'insert' : statement.kind === 'UpdateStmt' ? 'update' : 'delete';
      const inverse = verb === 'insert' ? ['delete', 'truncate'] : verb === 'update' ? ['update'] : ['insert'];
      return {
        subject: `table ${table}`,
        actions: [{ key: `${verb} ${table}`, label: `${verb === 'insert' ? 'inserts into' : verb === 'update' ? 'updates' : 'deletes from'} ${show(table)}`, inverseLabel: verb === 'insert' ? 'deletes those rows' : verb === 'update' ? 'updates them back' : 'restores those rows', undoneBy: [...inverse.map((v) => `${v} ${table}`), `drop table ${table}`], destroys: verb === 'delete', data: true }],
      };
    }
    case 'TruncateStmt': {
      const tables = (n.relations ?? []).map((r: AstNode) => relationName(r.RangeVar));
      return { subject: tables[0] ? `table ${tables[0]}` : undefined, actions: tables.map((t: string) => ({ key: `truncate ${t}`, label: `truncates ${show(t)}`, inverseLabel: 'restores those rows', undoneBy: [`insert ${t}`, `drop table ${t}`], destroys: true, data: true })) };
    }
    case 'GrantStmt':
      return grant(n, schema);
    case 'AlterOwnerStmt':
    case 'AlterFunctionStmt':
      return { subject: undefined, actions: [] };
    default:
      return { actions: [] };
  }
}

function alterTable(n: AstNode, schema: SchemaModel): DraftChanges {
  const table = relationName(n.relation);
  const kind = OBJECT_KINDS[n.objtype] ?? 'table';
  if (kind !== 'table') return { subject: `${kind} ${table}`, actions: [] };
  const actions: Draft[] = [];
  const t = `${show(table)}`;
  // IF EXISTS / IF NOT EXISTS resolved against the model, where it knows the table.
  const known = schema.table(table);
  const vouched = known !== undefined && !known.unknown;
  const hasColumn = (name: string | undefined): boolean => known?.columns.some((c) => c.name === name) ?? false;
  for (const command of n.cmds ?? []) {
    const cmd = command.AlterTableCmd ?? {};
    const column = cmd.name as string | undefined;
    if (cmd.missing_ok && vouched) {
      const absent = cmd.subtype === 'AT_DropColumn' ? !hasColumn(column) : cmd.subtype === 'AT_DropConstraint' ? !known.constraints.some((c) => c.name === column) : false;
      const present = cmd.subtype === 'AT_AddColumn' && hasColumn(cmd.def?.ColumnDef?.colname);
      if (absent || present) continue;
    }
    switch (cmd.subtype) {
      case 'AT_AddColumn': {
        const name = cmd.def?.ColumnDef?.colname;
        actions.push({ key: `add column ${table}.${name}`, label: `adds column ${t}.${name}`, inverseLabel: 'drops it', undoneBy: [`drop column ${table}.${name}`, `drop table ${table}`] });
        break;
      }
      case 'AT_DropColumn':
        actions.push({ key: `drop column ${table}.${column}`, label: `drops column ${t}.${column}`, inverseLabel: 'adds it back', undoneBy: [`add column ${table}.${column}`], destroys: true, implies: columnDropImplies(table, column ?? '', schema) });
        break;
      case 'AT_AlterColumnType':
        actions.push({ key: `alter type ${table}.${column}`, label: `changes the type of ${t}.${column}`, inverseLabel: 'changes it back', undoneBy: [`alter type ${table}.${column}`, `drop column ${table}.${column}`, `drop table ${table}`], destroys: true });
        break;
      case 'AT_SetNotNull':
        actions.push({ key: `set not null ${table}.${column}`, label: `sets ${t}.${column} NOT NULL`, inverseLabel: 'drops NOT NULL', undoneBy: [`drop not null ${table}.${column}`, ...tableImplied(table, [column ?? ''])] });
        break;
      case 'AT_DropNotNull':
        actions.push({ key: `drop not null ${table}.${column}`, label: `drops NOT NULL on ${t}.${column}`, inverseLabel: 'sets NOT NULL back', undoneBy: [`set not null ${table}.${column}`, ...tableImplied(table, [column ?? ''])] });
        break;
      case 'AT_ColumnDefault': {
        const had = schema.table(table)?.columns.find((c) => c.name === column)?.hasDefault ?? false;
        if (cmd.def) actions.push({ key: `set default ${table}.${column}`, label: `sets a default on ${t}.${column}`, inverseLabel: had ? 'restores the previous default' : 'drops it', undoneBy: [...(had ? [`set default ${table}.${column}`] : [`drop default ${table}.${column}`]), ...tableImplied(table, [column ?? ''])] });
        else actions.push({ key: `drop default ${table}.${column}`, label: `drops the default of ${t}.${column}`, inverseLabel: 'sets it back', undoneBy: [`set default ${table}.${column}`, ...tableImplied(table, [column ?? ''])] });
        break;
      }
      case 'AT_AddConstraint': {
        const c = cmd.def?.Constraint ?? {};
        const name = c.conname ?? schema.chooseConstraintName(table, c);
        const columns = [...stringList(c.keys), ...stringList(c.fk_attrs), ...expressionColumns(c.raw_expr)];
        actions.push({ key: `add constraint ${table}.${name}`, label: `adds constraint ${name} on ${t}`, inverseLabel: 'drops it', undoneBy: [`drop constraint ${table}.${name}`, ...tableImplied(table, columns)] });
        break;
      }
      case 'AT_DropConstraint':
        actions.push({ key: `drop constraint ${table}.${column}`, label: `drops constraint ${column} on ${t}`, inverseLabel: 'adds it back', undoneBy: [`add constraint ${table}.${column}`], destroys: false });
        break;
      case 'AT_EnableRowSecurity':
        actions.push({ key: `enable rls ${table}`, label: `enables row level security on ${t}`, inverseLabel: 'disables it', undoneBy: [`disable rls ${table}`, `drop table ${table}`] });
        break;
      case 'AT_DisableRowSecurity':
        actions.push({ key: `disable rls ${table}`, label: `disables row level security on ${t}`, inverseLabel: 'enables it', undoneBy: [`enable rls ${table}`, `drop table ${table}`] });
        break;
      case 'AT_ForceRowSecurity':
        actions.push({ key: `force rls ${table}`, label: `forces row level security on ${t}`, inverseLabel: 'unforces it', undoneBy: [`noforce rls ${table}`, `drop table ${table}`] });
        break;
      case 'AT_NoForceRowSecurity':
        actions.push({ key: `noforce rls ${table}`, label: `stops forcing row level security on ${t}`, inverseLabel: 'forces it', undoneBy: [`force rls ${table}`, `drop table ${table}`] });
        break;
      case 'AT_EnableTrig':
      case 'AT_EnableAlwaysTrig':
      case 'AT_EnableReplicaTrig':
        actions.push({ key: `enable trigger ${table}.${column}`, label: `enables trigger ${column} on ${t}`, inverseLabel: 'disables it', undoneBy: [`disable trigger ${table}.${column}`, `drop table ${table}`, `drop trigger ${table}.${column}`] });
        break;
      case 'AT_DisableTrig':
        actions.push({ key: `disable trigger ${table}.${column}`, label: `disables trigger ${column} on ${t}`, inverseLabel: 'enables it', undoneBy: [`enable trigger ${table}.${column}`, `drop table ${table}`] });
        break;
      default:
        break;
    }
  }
  // ALTER TABLE also reaches views and sequences: the subject is what the model knows the relation to be.
  return { subject: `${relationKind(table, schema)} ${table}`, actions };
}

function dropStatement(n: AstNode, schema: SchemaModel): DraftChanges {
  const kind = OBJECT_KINDS[n.removeType] ?? 'object';
  const cascade = n.behavior === 'DROP_CASCADE';
  const actions: Draft[] = [];
  let subject: string | undefined;
  for (const object of n.objects ?? []) {
    const names = object.List ? stringList(object.List.items) : object.String ? [object.String.sval] : object.TypeName ? stringList(object.TypeName.names) : object.ObjectWithArgs ? stringList(object.ObjectWithArgs.objname) : [];
    let name = UNQUALIFIED.has(kind) ? (names[names.length - 1] ?? '') : qualifiedFromList(names);
    if (ON_TABLE.has(kind)) name = `${qualifiedFromList(names.slice(0, -1))}.${names[names.length - 1]}`;
    // DROP ... IF EXISTS of what the history already dropped, or of a trigger or policy a known table lacks, does nothing: no action, nothing to undo.
    const owner = ON_TABLE.has(kind) ? schema.table(qualifiedFromList(names.slice(0, -1))) : undefined;
    const gone =
      n.missing_ok &&
      (((kind === 'table' || kind === 'index' || kind === 'view' || kind === 'sequence') && schema.wasDropped(kind, name)) ||
        (owner !== undefined && !owner.unknown && (kind === 'trigger' || kind === 'policy') && !schema.object(kind, name)));
    if (!gone) actions.push(drop(kind, name, kind === 'table' || kind === 'view' ? relationDropImplies(name, schema, cascade) : undefined));
    if (kind === 'index') {
      const table = schema.index(name)?.table ?? schema.droppedIndexTable(name);
      subject ??= table ? `${relationKind(table, schema)} ${table}` : `index ${name}`;
    } else if (ON_TABLE.has(kind)) {
      const table = qualifiedFromList(names.slice(0, -1));
      subject ??= `${relationKind(table, schema)} ${table}`;
    } else {
      subject ??= `${kind === 'domain' ? 'type' : kind} ${name}`;
    }
  }
  return { subject, actions };
}

function rename(n: AstNode, schema: SchemaModel): DraftChanges {
  const kind = OBJECT_KINDS[n.renameType] ?? 'object';
  const table = relationName(n.relation);
  const to = n.newname as string;
  switch (kind) {
    case 'table':
    case 'foreign table':
    case 'view':
    case 'sequence': {
      // ALTER TABLE ... RENAME works on views and sequences too: name the relation as the model knows it.
      const relation = schema.relationKind(table) ?? kind;
      const target = qualifiedName(n.relation?.schemaname, to);
      return { subject: `${relation} ${table}`, actions: [{ key: `rename ${relation} ${table}->${target}`, label: `renames ${relation} ${show(table)} to ${show(target)}`, inverseLabel: 'renames it back', undoneBy: [`rename ${relation} ${target}->${table}`], destroys: false }] };
    }
    case 'index': {
      const target = qualifiedName(n.relation?.schemaname, to);
      const owner = schema.index(table)?.table;
      return { subject: owner ? `${relationKind(owner, schema)} ${owner}` : `index ${table}`, actions: [{ key: `rename index ${table}->${target}`, label: `renames index ${show(table)} to ${show(target)}`, inverseLabel: 'renames it back', undoneBy: [`rename index ${target}->${table}`, `drop index ${target}`] }] };
    }
    case 'trigger':
    case 'policy':
    case 'rule': {
      // ALTER TRIGGER x ON t RENAME TO y: part of t.
      const owner = relationKind(table, schema);
      return { subject: `${owner} ${table}`, actions: [{ key: `rename ${kind} ${table}.${n.subname}->${to}`, label: `renames ${kind} ${n.subname} on ${show(table)} to ${to}`, inverseLabel: 'renames it back', undoneBy: [`rename ${kind} ${table}.${to}->${n.subname}`, `drop ${kind} ${table}.${to}`, `drop ${owner} ${table}`] }] };
    }
    case 'column':
      return { subject: `table ${table}`, actions: [{ key: `rename column ${table}.${n.subname}->${to}`, label: `renames column ${show(table)}.${n.subname} to ${to}`, inverseLabel: 'renames it back', undoneBy: [`rename column ${table}.${to}->${n.subname}`, `drop table ${table}`] }] };
    case 'constraint':
      return { subject: `table ${table}`, actions: [{ key: `rename constraint ${table}.${n.subname}->${to}`, label: `renames constraint ${n.subname} on ${show(table)} to ${to}`, inverseLabel: 'renames it back', undoneBy: [`rename constraint ${table}.${to}->${n.subname}`, `drop table ${table}`, `drop constraint ${table}.${to}`] }] };
    default: {
      const names = n.object?.List ? stringList(n.object.List.items) : n.object?.String ? [n.object.String.sval] : stringList(n.object?.ObjectWithArgs?.objname ?? n.object?.TypeName?.names);
      // Schemas, roles, databases and tablespaces are named by subname; the other unqualified kinds by their one name.
      const unqualified = UNQUALIFIED.has(kind);
      const from = unqualified ? (n.subname ?? names[names.length - 1] ?? '') : qualifiedFromList(names);
      const target = unqualified ? to : qualifiedFromList([...names.slice(0, -1), to]);
      return { subject: `${kind} ${from}`, actions: [{ key: `rename ${kind} ${from}->${target}`, label: `renames ${kind} ${show(from)} to ${show(target)}`, inverseLabel: 'renames it back', undoneBy: [`rename ${kind} ${target}->${from}`] }] };
    }
  }
}

function comment(n: AstNode, schema: SchemaModel): DraftChanges {
  const kind = OBJECT_KINDS[n.objtype] ?? 'object';
  const names = n.object?.List ? stringList(n.object.List.items) : n.object?.String ? [n.object.String.sval] : n.object?.TypeName ? stringList(n.object.TypeName.names) : stringList(n.object?.ObjectWithArgs?.objname);
  let target: string;
  let subject: string;
  const implied: string[] = [];
  if (kind === 'column') {
    const table = qualifiedFromList(names.slice(0, -1));
    const column = names[names.length - 1];
    target = `${table}.${column}`;
    subject = `table ${table}`;
    implied.push(...tableImplied(table, [column ?? '']));
  } else if (kind === 'constraint' || ON_TABLE.has(kind)) {
    const table = qualifiedFromList(names.slice(0, -1));
    const owner = relationKind(table, schema);
    target = `${table}.${names[names.length - 1]}`;
    subject = `${owner} ${table}`;
    implied.push(`drop ${kind} ${target}`, `drop ${owner} ${table}`);
  } else if (kind === 'index') {
    target = qualifiedFromList(names);
    const table = schema.index(target)?.table;
    const owner = table ? relationKind(table, schema) : 'table';
    subject = table ? `${owner} ${table}` : `index ${target}`;
    implied.push(`drop index ${target}`, ...(table ? [`drop ${owner} ${table}`] : []));
  } else {
    target = UNQUALIFIED.has(kind) ? (names[names.length - 1] ?? '') : qualifiedFromList(names);
    subject = `${kind === 'domain' ? 'type' : kind} ${target}`;
    implied.push(`drop ${kind} ${target}`);
  }
  const key = `comment ${kind} ${target}`;
  return { subject, actions: [{ key, label: `comments on ${kind} ${show(target)}`, inverseLabel: 'restores the previous comment (or NULL)', undoneBy: [key, ...implied] }] };
}

function grant(n: AstNode, schema: SchemaModel): DraftChanges {
  const kind = OBJECT_KINDS[n.objtype] ?? 'object';
  const grantees = (n.grantees ?? []).map((g: AstNode) => (g.RoleSpec?.roletype === 'ROLESPEC_PUBLIC' ? 'public' : (g.RoleSpec?.rolename ?? '?')));
  const verb = n.is_grant ? 'grant' : 'revoke';
  const opposite = n.is_grant ? 'revoke' : 'grant';
  const to = n.is_grant ? 'to' : 'from';
  const actions: Draft[] = [];
  if (n.targtype === 'ACL_TARGET_ALL_IN_SCHEMA') {
    // ON ALL TABLES IN SCHEMA s: the objects are schemas; the subject is the schema.
    const schemas = (n.objects ?? []).map((o: AstNode) => o.String?.sval ?? '');
    const what = `all ${kind === 'function' ? 'functions' : `${kind}s`} in schema`;
    for (const name of schemas) for (const grantee of grantees) {
      actions.push({ key: `${verb} ${what} ${name} ${grantee}`, label: `${n.is_grant ? 'grants' : 'revokes'} privileges on ${what} ${name} ${to} ${grantee}`, inverseLabel: `${opposite}s them`, undoneBy: [`${opposite} ${what} ${name} ${grantee}`, `drop schema ${name}`] });
    }
    return { subject: schemas[0] ? `schema ${schemas[0]}` : undefined, actions };
  }
  const objects: string[] = (n.objects ?? []).map((o: AstNode) => (o.RangeVar ? relationName(o.RangeVar) : o.String ? o.String.sval : qualifiedFromList(stringList(o.ObjectWithArgs?.objname ?? o.List?.items))));
  // GRANT ... ON TABLE also covers views and sequences: the object is dropped as what the model knows it to be.
  const owner = (object: string): string => (kind === 'table' ? relationKind(object, schema) : kind);
  for (const object of objects) for (const grantee of grantees) {
    actions.push({ key: `${verb} ${kind} ${object} ${grantee}`, label: `${n.is_grant ? 'grants' : 'revokes'} privileges on ${show(object)} ${to} ${grantee}`, inverseLabel: `${opposite}s them`, undoneBy: [`${opposite} ${kind} ${object} ${grantee}`, `drop ${owner(object)} ${object}`] });
  }
  return { subject: objects[0] ? `${owner(objects[0])} ${objects[0]}` : undefined, actions };
}
