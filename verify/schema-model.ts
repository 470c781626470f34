// The schema replayed across earlier migrations, without a database.
// Objects are immutable values in maps; every change is journaled so a down file can be undone (mark/rollback).
import type { Statement } from '../core/migrations/parse.js';
import type { AstNode } from '../core/migrations/parse.js';
import { expressionColumns, indexColumns, indexUsedColumns, qualifiedFromList, qualifiedName, queryRelations, relationName, stringList, typeRef, unwrap, visitNodes, type TypeRef } from './ast.js';
import { doBlockStatements } from '../core/migrations/do-block.js';
import { chooseName, indexColumnNames, makeObjectName, nameAddition } from './schema-names.js';

/** Where an object was defined: the migration, the file and the byte offset. */
export interface Origin {
  readonly migration: string;
  readonly file: string;
  readonly at: number;
}

export interface Column {
  readonly name: string;
  readonly type: TypeRef;
  readonly notNull: boolean;
  readonly hasDefault: boolean;
  /** The default's AST, to tell volatile from constant. */
  readonly defaultExpr?: AstNode;
  readonly identity: boolean;
  readonly generated: boolean;
  /** The default as compared state (its AST without positions, constant casts unwrapped). */
  readonly defaultText?: string;
  readonly comment?: string;
  /** GENERATED ALWAYS AS (expr) STORED: the expression's AST (a drafted down re-creates the column with it). */
  readonly generatedExpr?: AstNode;
  /** GENERATED ALWAYS or BY DEFAULT AS IDENTITY. */
  readonly identityKind?: 'always' | 'by default';
}

export type ConstraintType = 'primary' | 'unique' | 'foreign' | 'check' | 'exclusion' | 'notnull';

export interface Constraint {
  readonly name: string;
  readonly type: ConstraintType;
  readonly columns: readonly string[];
  readonly refTable?: string;
  readonly refColumns?: readonly string[];
  readonly notValid: boolean;
  /** For a check of the form `col IS NOT NULL`: the column. */
  readonly notNullColumn?: string;
  /** The constraint's definition as compared state (its AST without name and positions). */
  readonly definition?: string;
  readonly comment?: string;
  /** The constraint's AST as written (column renames followed), for a drafted down that re-creates it. */
  readonly node?: AstNode;
  readonly origin: Origin;
}

export interface Table {
  readonly name: string;
  readonly columns: readonly Column[];
  readonly constraints: readonly Constraint[];
  readonly origin: Origin;
  /** Touched by a statement the model cannot interpret (dynamic SQL): rules stay silent about it. */
  readonly unknown: boolean;
  /** PARTITION BY: the table holds no rows itself. */
  readonly partitioned?: boolean;
  readonly comment?: string;
}

export interface Index {
  readonly name: string;
  readonly table: string;
  readonly columns: readonly string[];
  readonly unique: boolean;
  readonly partial: boolean;
  /** Every column the index uses: its key columns, the columns inside its expressions, its INCLUDE columns and its predicate's. */
  readonly uses: readonly string[];
  /** The index's definition as compared state: method, keys, INCLUDE, predicate (not its name or table). */
  readonly definition?: string;
  readonly comment?: string;
  /** The CREATE INDEX AST as written (column renames followed), for a drafted down that re-creates it. */
  readonly node?: AstNode;
  readonly origin: Origin;
}

/** Where a statement's text is: its file and byte span. */
export interface SourceSpan {
  readonly file: string;
  readonly start: number;
  readonly end: number;
}

export interface NamedObject {
  readonly name: string;
  readonly kind: 'type' | 'enum' | 'function' | 'view' | 'sequence' | 'extension' | 'schema' | 'domain' | 'trigger' | 'policy' | 'role';
  readonly labels?: readonly string[];
  /** Functions: securityDefiner, searchPath (a SET search_path clause), notVolatile (STABLE or IMMUTABLE). Roles: superuser. Domains: constrained. */
  readonly attributes?: Readonly<Record<string, boolean>>;
  /** Sequences: the column that owns it (OWNED BY); Postgres drops the sequence with that column or its table. */
  readonly ownedBy?: { readonly table: string; readonly column: string };
  /** Views (materialized or not, and CREATE TABLE AS): the relations their query reads; DROP ... CASCADE of one drops the view. */
  readonly reads?: readonly string[];
  /** Triggers: the function they execute; DROP FUNCTION ... CASCADE drops them. */
  readonly executes?: string;
  /** Views: the query; functions, triggers, policies, types: the statement that made them (without positions). */
  readonly definition?: string;
  readonly comment?: string;
  /** Views, functions, triggers, policies, composite types, domains, sequences: the statement that made their current definition. */
  readonly source?: SourceSpan;
  readonly origin: Origin;
}

/** What a name in the relation namespace is. */
export type RelationKind = 'table' | 'view' | 'sequence';

/** Kinds whose drops are remembered, so that DROP ... IF EXISTS of something already gone is known to do nothing. */
export type DroppableKind = 'table' | 'index' | 'view' | 'sequence';

type Undo = () => void;

/** One journaled change; changes to tables, indexes and named objects carry the state key and both values, and where they came from. */
interface JournalEntry {
  readonly undo: Undo;
  readonly key?: string;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly at?: number;
  readonly file?: string;
}

/** One step in an object's history since a mark: the statement (file, byte offset) and the values around it. */
export interface StateStep {
  /** The journal position: steps at or past the mark taken after the up belong to the down. */
  readonly index: number;
  readonly before: unknown;
  readonly after: unknown;
  readonly at: number;
  readonly file: string;
}

/** An object touched since a mark: `kind` is table, index, or a NamedObject kind; `before` is its value at the mark, `after` now. */
export interface StateChange {
  readonly kind: string;
  readonly name: string;
  readonly before: unknown;
  readonly after: unknown;
  readonly steps: readonly StateStep[];
}

/** A definition Postgres rewrote in a way the model cannot follow: compares equal to anything (no claim either way). */
export const UNKNOWN_DEFINITION = '\u0000unknown';

/** A statement's AST as comparable text: positions left out, so the same definition written twice compares equal. */
export function fingerprint(node: unknown): string {
  return JSON.stringify(node ?? null, (key, value) => {
    if (POSITION_KEYS.has(key) || key === 'replace') return undefined;
    // 'a'::text is 'a', (score)::numeric is score: pg_dump writes the implicit casts Postgres stored, a migration seldom does.
    if (value?.TypeCast?.arg?.A_Const || value?.TypeCast?.arg?.ColumnRef) return value.TypeCast.arg;
    // `public.x` is `x`, `pg_catalog.int4` is `int4`: names compare as Postgres resolves them.
    if ((key === 'names' || key === 'funcname') && Array.isArray(value) && value.length > 1 && QUALIFIERS.has(value[0]?.String?.sval)) return value.slice(1);
    if (key === 'schemaname' && value === 'public') return undefined;
    return value;
  }) ?? '';
}

/** Every byte-offset field of PostgreSQL 18's AST (@pgsql/types): `x IN (…)` carries its list's span, a column reference its name's. */
const POSITION_KEYS = new Set(['location', 'stmt_location', 'stmt_len', 'list_start', 'list_end', 'rexpr_list_start', 'rexpr_list_end', 'name_location', 'rlocation']);
const QUALIFIERS = new Set(['public', 'pg_catalog']);

function isNullConstant(expr: AstNode): boolean {
  const inner = expr.TypeCast?.arg ?? expr;
  return inner.A_Const?.isnull === true;
}

/** A definition after a column rename: the column's name, as a reference or an index element, is the new one. */
export function renameInDefinition(definition: string, from: string, to: string): string {
  const name = (text: string): string => JSON.stringify(text);
  return definition.split(`{"String":{"sval":${name(from)}}}`).join(`{"String":{"sval":${name(to)}}}`).split(`"name":${name(from)}`).join(`"name":${name(to)}`);
}

/** A default as compared state: `'a'::text` and `'a'` are one default (Postgres stores the cast either way). */
export function defaultFingerprint(expr: AstNode | undefined): string | undefined {
  // DEFAULT NULL is no default: Postgres stores no pg_attrdef entry for a NULL constant.
  if (!expr || isNullConstant(expr)) return undefined;
  const strip = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== 'object') return node;
    const cast = (node as AstNode).TypeCast;
    if (cast?.arg?.A_Const) return strip(cast.arg);
    const out: AstNode = {};
    for (const [k, v] of Object.entries(node)) out[k] = strip(v);
    return out;
  };
  return fingerprint(strip(expr));
}

/** The model as plain data, for the result cache. */
export interface SchemaSnapshot {
  readonly tables: readonly Table[];
  readonly indexes: readonly Index[];
  readonly objects: readonly NamedObject[];
  readonly opaqueSince?: string;
  /** `kind name` of what the history dropped, with the table of a dropped index. */
  readonly dropped?: ReadonlyArray<readonly [string, string]>;
}

/** The tables a table's foreign keys point at, each once. */
function referencedTables(table: Table): string[] {
  const out: string[] = [];
  for (const c of table.constraints) if (c.type === 'foreign' && c.refTable !== undefined && !out.includes(c.refTable)) out.push(c.refTable);
  return out;
}

export class SchemaModel {
  private readonly tables = new Map<string, Table>();
  private readonly indexes = new Map<string, Index>();
  /** table → names of its indexes; kept in step with `indexes` by putIndex(). */
  private readonly indexNamesByTable = new Map<string, Set<string>>();
  /** kind → name → object. */
  private readonly objects = new Map<NamedObject['kind'], Map<string, NamedObject>>();
  /** table → names of the sequences it owns; kept in step with the objects by putObject(). */
  private readonly sequencesByTable = new Map<string, Set<string>>();
  /** table → names of the tables with a foreign key to it; kept in step with `tables` by put(). */
  private readonly referencingByTable = new Map<string, Set<string>>();
  /** relation → names of the views whose query reads it; kept in step with the objects by putObject(). */
  private readonly readersByRelation = new Map<string, Set<string>>();
  /** `kind name` → the index's table (or ''): objects the history dropped or renamed away. */
  private readonly dropped = new Map<string, string>();
  private readonly journal: JournalEntry[] = [];
  /** Set when a statement the model cannot follow may have touched anything. */
  private opaqueSince: string | undefined;
  /** Which maps hold compared state, and under which kind. */
  private readonly stateKinds = new Map<Map<string, unknown>, string>([
    [this.tables, 'table'],
    [this.indexes, 'index'],
  ]);
  /** The statement being applied: where journal entries come from. */
  private current: { at: number; end: number; file: string } | undefined;

  // ---- saving and restoring

  toSnapshot(): SchemaSnapshot {
    const objects = [...this.objects.values()].flatMap((map) => [...map.values()]);
    return { tables: [...this.tables.values()], indexes: [...this.indexes.values()], objects, opaqueSince: this.opaqueSince, dropped: [...this.dropped] };
  }

  static fromSnapshot(snapshot: SchemaSnapshot): SchemaModel {
    const model = new SchemaModel();
    for (const table of snapshot.tables) {
      model.tables.set(table.name, table);
      for (const target of referencedTables(table)) model.link(model.referencingByTable, target, table.name);
    }
    for (const index of snapshot.indexes) {
      model.indexes.set(index.name, index);
      model.linkIndex(index.table, index.name);
    }
    for (const object of snapshot.objects) {
      model.kindMap(object.kind).set(object.name, object);
      model.linkObject(object);
    }
    for (const [key, table] of snapshot.dropped ?? []) model.dropped.set(key, table);
    model.opaqueSince = snapshot.opaqueSince;
    model.journal.length = 0;
    return model;
  }

  // ---- reading

  table(name: string): Table | undefined {
    return this.tables.get(name);
  }

  index(name: string): Index | undefined {
    return this.indexes.get(name);
  }

  object(kind: NamedObject['kind'], name: string): NamedObject | undefined {
    return this.objects.get(kind)?.get(name);
  }

  /** Every table, without copying (do not change the model while iterating). */
  allTables(): IterableIterator<Table> {
    return this.tables.values();
  }

  /** Every index, without copying (do not change the model while iterating). */
  allIndexes(): IterableIterator<Index> {
    return this.indexes.values();
  }

  objectsOf(kind: NamedObject['kind']): NamedObject[] {
    return [...(this.objects.get(kind)?.values() ?? [])];
  }

  private kindMap(kind: NamedObject['kind']): Map<string, NamedObject> {
    let map = this.objects.get(kind);
    if (!map) {
      this.objects.set(kind, (map = new Map()));
      this.stateKinds.set(map, kind);
    }
    return map;
  }

  indexesOf(table: string): Index[] {
    const out: Index[] = [];
    for (const name of this.indexNamesByTable.get(table) ?? []) {
      const index = this.indexes.get(name);
      if (index) out.push(index);
    }
    return out;
  }

  /** Tables with a foreign key pointing at `table`. */
  referencing(table: string): Table[] {
    const names = this.referencingByTable.get(table);
    if (!names?.size) return [];
    const refers = (t: Table | undefined): t is Table => t !== undefined && t.constraints.some((c) => c.type === 'foreign' && c.refTable === table);
    // In the tables' own order, as messages list them.
    if (names.size === 1) return [this.tables.get([...names][0]!)].filter(refers);
    return [...this.tables.values()].filter((t) => names.has(t.name) && refers(t));
  }

  /** What `name` is in the relation namespace: a table (CREATE TABLE AS included), a view (materialized or not), a sequence; undefined when the model does not know it. */
  relationKind(name: string): RelationKind | undefined {
    if (this.tables.has(name)) return 'table';
    const view = this.object('view', name);
    if (view) return view.attributes?.table ? 'table' : 'view';
    return this.object('sequence', name) ? 'sequence' : undefined;
  }

  /** Indexes on `table` that use `column` (as a key, inside an expression, in INCLUDE or in the predicate): DROP COLUMN drops them. */
  indexesUsing(table: string, column: string): Index[] {
    return this.indexesOf(table).filter((index) => index.uses.includes(column));
  }

  /** Sequences owned by a column of `table` (or by `column` only, when given): Postgres drops them with it. */
  sequencesOwnedBy(table: string, column?: string): NamedObject[] {
    const out: NamedObject[] = [];
    for (const name of this.sequencesByTable.get(table) ?? []) {
      const sequence = this.object('sequence', name);
      if (sequence && (column === undefined || sequence.ownedBy?.column === column)) out.push(sequence);
    }
    return out;
  }

  /** Views that read `relation`, directly or through other views: what DROP ... CASCADE of it drops too, nearest first. */
  dependentViews(relation: string): string[] {
    const out: string[] = [];
    const seen = new Set<string>([relation]);
    for (let i = -1; i < out.length; i++) {
      for (const reader of this.readersByRelation.get(i < 0 ? relation : out[i]!) ?? []) {
        if (seen.has(reader)) continue;
        seen.add(reader);
        out.push(reader);
      }
    }
    return out;
  }

  /** True when the history dropped (or renamed away) this object and nothing took its name since: DROP ... IF EXISTS of it does nothing. */
  wasDropped(kind: DroppableKind, name: string): boolean {
    const exists = kind === 'table' ? this.tables.has(name) : kind === 'index' ? this.indexes.has(name) : this.object(kind, name) !== undefined;
    return !exists && this.dropped.has(`${kind} ${name}`);
  }

  /** The table a dropped index was on, when the model saw it dropped. */
  droppedIndexTable(name: string): string | undefined {
    return this.wasDropped('index', name) ? this.dropped.get(`index ${name}`) || undefined : undefined;
  }

  /** True when the relation (table, view or sequence) was created in `migration`: no one else can be using it yet. */
  isNew(table: string, migration: string): boolean {
    return (this.tables.get(table) ?? this.object('view', table) ?? this.object('sequence', table))?.origin.migration === migration;
  }

  /** True when the table existed before this migration and the model can vouch for it: what lock rules look at. */
  isEstablished(table: string, migration: string): boolean {
    return !this.isNew(table, migration) && !this.isUnknown(table);
  }

  /** True when the model cannot vouch for the table (dynamic SQL may have changed it). */
  isUnknown(table: string): boolean {
    return this.tables.get(table)?.unknown ?? this.opaqueSince !== undefined;
  }

  // ---- journal

  mark(): number {
    return this.journal.length;
  }

  rollback(mark: number): void {
    while (this.journal.length > mark) this.journal.pop()!.undo();
  }

  /**
   * Every table, index and named object touched since `mark`, with its value at the mark, its value now and each
   * step between: "the schema after the down" against "the schema before the up", object by object.
   */
  stateChangesSince(mark: number): StateChange[] {
    const byKey = new Map<string, { before: unknown; steps: StateStep[] }>();
    for (let i = mark; i < this.journal.length; i++) {
      const entry = this.journal[i]!;
      if (entry.key === undefined) continue;
      let group = byKey.get(entry.key);
      if (!group) byKey.set(entry.key, (group = { before: entry.before, steps: [] }));
      group.steps.push({ index: i, before: entry.before, after: entry.after, at: entry.at ?? 0, file: entry.file ?? '' });
    }
    const out: StateChange[] = [];
    for (const [key, group] of byKey) {
      const space = key.indexOf(' ');
      const kind = key.slice(0, space);
      const name = key.slice(space + 1);
      const after = kind === 'table' ? this.tables.get(name) : kind === 'index' ? this.indexes.get(name) : this.object(kind as NamedObject['kind'], name);
      out.push({ kind, name, before: group.before, after, steps: group.steps });
    }
    return out;
  }

  /** True when the model saw dynamic SQL in `migration` that it could not pin to tables: it cannot vouch for anything. */
  opaqueIn(migration: string): boolean {
    return this.opaqueSince === migration;
  }

  /** True when `name` (schema-qualified) is taken in the relation namespace: a table, index, view, sequence or composite type. */
  relationNameTaken(name: string): boolean {
    return this.tables.has(name) || this.indexes.has(name) || this.object('view', name) !== undefined || this.object('sequence', name) !== undefined || this.object('type', name) !== undefined;
  }

  /** True when a constraint of that name exists on any table of `schema` (Postgres keeps constraint names unique per schema when it chooses one). */
  constraintNameTaken(schema: string, name: string): boolean {
    for (const table of this.tables.values()) {
      if (table.name.startsWith(`${schema}.`) && table.constraints.some((c) => c.name === name)) return true;
    }
    return false;
  }

  /** The name Postgres gives the unnamed constraint `c` on `table` here: truncated to 63 bytes, with 1, 2 ... on a clash (`pending`: names chosen earlier in the same statement). */
  chooseConstraintName(table: string, c: AstNode, columnContext: readonly string[] = [], pending: readonly string[] = []): string {
    const schema = table.split('.')[0] ?? 'public';
    const parts = constraintNameParts(table, c, columnContext);
    const indexBacked = c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION';
    return chooseName(parts[0], parts[1], parts[2], (name) => pending.includes(name) || this.constraintNameTaken(schema, name) || (indexBacked && this.relationNameTaken(`${schema}.${name}`)));
  }

  /** The name Postgres gives CREATE INDEX without a name on `table` here (schema-qualified): `t_a_b_idx`, truncated, then `t_a_b_idx1` ... */
  chooseIndexName(node: AstNode): string {
    const schema = node.relation?.schemaname ?? 'public';
    const columns = indexColumnNames([...(node.indexParams ?? []), ...(node.indexIncludingParams ?? [])]);
    const bare = chooseName(node.relation?.relname ?? '', nameAddition(columns), 'idx', (name) => this.relationNameTaken(`${schema}.${name}`));
    return qualifiedName(schema, bare);
  }

  /** Forget the undo history (marks taken before are void): keeps memory flat over a long history. */
  commit(): void {
    this.journal.length = 0;
  }

  private put<K, V>(map: Map<K, V>, key: K, value: V | undefined): void {
    const had = map.has(key);
    const previous = map.get(key);
    const undo = (): unknown => (had ? map.set(key, previous as V) : map.delete(key));
    const kind = this.stateKinds.get(map as unknown as Map<string, unknown>);
    this.journal.push(kind ? { undo, key: `${kind} ${String(key)}`, before: previous, after: value, at: this.current?.at, file: this.current?.file } : { undo });
    if (value === undefined) map.delete(key);
    else map.set(key, value);
    if ((map as unknown) === this.tables) this.relinkReferences(String(key), previous as Table | undefined, value as Table | undefined);
  }

  /** Keep referencingByTable in step with a table's change (journaled by link/unlink). */
  private relinkReferences(name: string, previous: Table | undefined, next: Table | undefined): void {
    const before = previous ? referencedTables(previous) : [];
    const after = next ? referencedTables(next) : [];
    for (const target of before) if (!after.includes(target)) this.unlink(this.referencingByTable, target, name);
    for (const target of after) this.link(this.referencingByTable, target, name);
  }

  private record(undo: Undo): void {
    this.journal.push({ undo });
  }

  private putIndex(name: string, index: Index | undefined): void {
    const previous = this.indexes.get(name);
    this.put(this.indexes, name, index);
    if (previous && !index) this.put(this.dropped, `index ${name}`, previous.table);
    if (previous) this.unlinkIndex(previous.table, name);
    if (index) this.linkIndex(index.table, name);
    this.record(() => {
      if (index) this.unlinkIndex(index.table, name);
      if (previous) this.linkIndex(previous.table, name);
    });
  }

  private linkIndex(table: string, name: string): void {
    let names = this.indexNamesByTable.get(table);
    if (!names) this.indexNamesByTable.set(table, (names = new Set()));
    names.add(name);
  }

  private unlinkIndex(table: string, name: string): void {
    this.indexNamesByTable.get(table)?.delete(name);
  }

  private updateTable(name: string, change: (table: Table) => Table): void {
    const table = this.tables.get(name);
    if (table) this.put(this.tables, name, change(table));
  }

  private putObject(kind: NamedObject['kind'], name: string, object: Omit<NamedObject, 'kind' | 'name'> | undefined): void {
    const previous = this.object(kind, name);
    const next = object ? { ...object, kind, name } : undefined;
    this.put(this.kindMap(kind), name, next);
    if (previous) this.unlinkObject(previous);
    if (next) this.linkObject(next);
    if (previous && !next && (kind === 'view' || kind === 'sequence')) this.put(this.dropped, `${kind} ${name}`, '');
  }

  /** Index an object's owner and the relations it reads (journaled, so rollback() undoes it). */
  private linkObject(object: NamedObject): void {
    if (object.ownedBy) this.link(this.sequencesByTable, object.ownedBy.table, object.name);
    for (const relation of object.reads ?? []) this.link(this.readersByRelation, relation, object.name);
  }

  private unlinkObject(object: NamedObject): void {
    if (object.ownedBy) this.unlink(this.sequencesByTable, object.ownedBy.table, object.name);
    for (const relation of object.reads ?? []) this.unlink(this.readersByRelation, relation, object.name);
  }

  private link(map: Map<string, Set<string>>, key: string, value: string): void {
    let values = map.get(key);
    if (!values) map.set(key, (values = new Set()));
    if (values.has(value)) return;
    values.add(value);
    const added = values;
    this.record(() => added.delete(value));
  }

  private unlink(map: Map<string, Set<string>>, key: string, value: string): void {
    const values = map.get(key);
    if (!values?.delete(value)) return;
    this.record(() => values.add(value));
  }

  /** Remove a table from the model, remembering it was dropped. */
  private removeTable(name: string): void {
    this.put(this.tables, name, undefined);
    this.put(this.dropped, `table ${name}`, '');
  }

  // ---- replay

  /** Apply one statement to the model. `origin` says where it comes from. */
  apply(statement: Statement, origin: Omit<Origin, 'at'>): void {
    const at = { ...origin, at: statement.start };
    const node = statement.node;
    this.current = { at: statement.start, end: statement.end, file: origin.file };
    const source: SourceSpan = { file: origin.file, start: statement.start, end: statement.end };
    switch (statement.kind) {
      case 'CreateStmt':
        return this.createTable(node, at);
      case 'AlterTableStmt':
        return this.alterTable(node, at);
      case 'IndexStmt':
        return this.createIndex(node, at);
      case 'DropStmt':
        return this.drop(node);
      case 'RenameStmt':
        return this.rename(node);
      case 'CommentStmt':
        return this.comment(node);
      case 'CreateEnumStmt':
        return this.putObject('enum', qualifiedFromList(stringList(node.typeName)), { labels: stringList(node.vals), origin: at });
      case 'AlterEnumStmt':
        return this.alterEnum(node);
      case 'CompositeTypeStmt':
        return this.putObject('type', relationName(node.typevar), { origin: at, source, definition: fingerprint(node.coldeflist) });
      case 'CreateDomainStmt': {
        // A domain with a CHECK or NOT NULL makes ADD COLUMN check (and rewrite) every row.
        const constrained = (node.constraints ?? []).some((c: AstNode) => c.Constraint?.contype === 'CONSTR_CHECK' || c.Constraint?.contype === 'CONSTR_NOTNULL');
        return this.putObject('domain', qualifiedFromList(stringList(node.domainname)), { origin: at, source, attributes: { constrained }, definition: fingerprint({ ...node, domainname: undefined }) });
      }
      case 'CreateFunctionStmt': {
        // CREATE OR REPLACE keeps the function's comment; its definition is the whole statement.
        const name = qualifiedFromList(stringList(node.funcname));
        const existing = this.object('function', name);
        // LANGUAGE, IMMUTABLE, AS ... in any order are one definition.
        const options = [...(node.options ?? [])].sort((a: AstNode, b: AstNode) => String(a.DefElem?.defname).localeCompare(String(b.DefElem?.defname)));
        return this.putObject('function', name, { origin: existing?.origin ?? at, source, comment: existing?.comment, attributes: functionAttributes(node.options, {}), definition: fingerprint({ ...node, funcname: undefined, options }) });
      }
      case 'AlterFunctionStmt': {
        const name = qualifiedFromList(stringList(node.func?.objname));
        const existing = this.object('function', name);
        if (existing) this.putObject('function', name, { ...existing, attributes: functionAttributes(node.actions, existing.attributes ?? {}) });
        return;
      }
      case 'CreateRoleStmt':
        return this.putObject('role', node.role, { origin: at, attributes: { superuser: roleOption(node.options, 'superuser') ?? false } });
      case 'AlterRoleStmt': {
        const name = node.role?.rolename;
        const superuser = roleOption(node.options, 'superuser');
        const existing = name ? this.object('role', name) : undefined;
        if (name && superuser !== undefined) this.putObject('role', name, { origin: existing?.origin ?? at, attributes: { ...existing?.attributes, superuser } });
        return;
      }
      case 'DropRoleStmt':
        for (const role of node.roles ?? []) if (role.RoleSpec?.rolename) this.putObject('role', role.RoleSpec.rolename, undefined);
        return;
      case 'ViewStmt': {
        // CREATE OR REPLACE keeps the view (and its indexes, triggers, dependents): only what it reads changes.
        const name = relationName(node.view);
        const existing = this.object('view', name);
        return this.putObject('view', name, { ...existing, origin: existing?.origin ?? at, source, reads: queryRelations(node.query), definition: fingerprint({ query: node.query, options: node.options, check: node.withCheckOption }) + this.starColumns(node.query) });
      }
      case 'CreateTableAsStmt': {
        const name = relationName(node.into?.rel);
        if (node.if_not_exists && this.relationKind(name)) return;
        // CREATE TABLE AS makes a table whose columns the model does not know (and that no longer depends on its query).
        if (node.objtype !== 'OBJECT_MATVIEW') return this.put(this.tables, name, { name, columns: [], constraints: [], origin: at, unknown: true });
        return this.putObject('view', name, { origin: at, source, reads: queryRelations(node.query), attributes: { materialized: true, table: false }, definition: fingerprint(node.query) + this.starColumns(node.query) });
      }
      case 'CreateSeqStmt': {
        const name = relationName(node.sequence);
        if (node.if_not_exists && this.object('sequence', name)) return;
        return this.putObject('sequence', name, { origin: at, source, ownedBy: ownedByOption(node.options, undefined) });
      }
      case 'AlterSeqStmt': {
        const name = relationName(node.sequence);
        const existing = this.object('sequence', name);
        if (existing) this.putObject('sequence', name, { ...existing, ownedBy: ownedByOption(node.options, existing.ownedBy) });
        return;
      }
      case 'CreateExtensionStmt':
        if (node.if_not_exists && this.object('extension', node.extname)) return;
        return this.putObject('extension', node.extname, { origin: at });
      case 'CreateSchemaStmt':
        if (node.if_not_exists && this.object('schema', node.schemaname)) return;
        return this.putObject('schema', node.schemaname, { origin: at });
      case 'CreateTrigStmt': {
        const name = `${relationName(node.relation)}.${node.trigname}`;
        return this.putObject('trigger', name, { origin: at, source, comment: node.replace ? this.object('trigger', name)?.comment : undefined, executes: qualifiedFromList(stringList(node.funcname)), definition: fingerprint({ ...node, relation: undefined, trigname: undefined, funcname: undefined }) });
      }
      case 'CreatePolicyStmt':
        return this.putObject('policy', `${relationName(node.table)}.${node.policy_name}`, { origin: at, source, definition: fingerprint({ ...node, table: undefined, policy_name: undefined }) });
      case 'DoStmt':
        return this.opaque(statement, origin.migration);
      default:
        return;
    }
  }

  private createTable(node: AstNode, origin: Origin): void {
    const name = relationName(node.relation);
    // CREATE TABLE IF NOT EXISTS of a relation that exists does nothing.
    if (node.if_not_exists && this.relationKind(name)) return;
    const columns: Column[] = [];
    const constraints: Constraint[] = [];
    const chosen: string[] = [];
    const nameOf = (c: AstNode, context: readonly string[]): string => {
      const picked = c.conname ?? this.chooseConstraintName(name, c, context, chosen);
      chosen.push(picked);
      return picked;
    };
    let like = false;
    for (const element of node.tableElts ?? []) {
      const [kind, body] = unwrap(element);
      if (kind === 'ColumnDef') {
        const { column, constraints: own } = columnFrom(body, name, { ...origin, at: body.location ?? origin.at }, nameOf);
        columns.push(column);
        constraints.push(...own);
      } else if (kind === 'Constraint' && body.contype === 'CONSTR_NOTNULL') {
        // Postgres 18: CONSTRAINT n NOT NULL col, as a table element.
        const keys = stringList(body.keys);
        for (let i = 0; i < columns.length; i++) if (keys.includes(columns[i]!.name)) columns[i] = { ...columns[i]!, notNull: true };
      } else if (kind === 'Constraint') {
        const constraint = constraintFrom(body, name, [], { ...origin, at: body.location ?? origin.at }, CONSTRAINT_TYPES[body.contype] ? nameOf(body, []) : '');
        if (constraint) constraints.push(constraint);
      } else if (kind === 'TableLikeClause') like = true;
    }
    const unknown = Boolean(node.inhRelations?.length || node.partbound || like);
    const resolved = constraints.map((c) => this.withReferencedKey(c, name, constraints));
    constraints.length = 0;
    constraints.push(...resolved);
    this.put(this.tables, name, { name, columns, constraints: withNotNull(constraints, columns), origin, unknown, partitioned: Boolean(node.partspec) });
    for (const constraint of constraints) this.indexForConstraint(name, constraint, origin);
    for (const column of columns) this.serialSequence(name, column, origin);
  }

  /** REFERENCES t without columns references t's primary key: the model records its columns (`own`: the constraints of a table being created). */
  private withReferencedKey(constraint: Constraint, table: string, own: readonly Constraint[] = []): Constraint {
    if (constraint.type !== 'foreign' || constraint.refColumns?.length) return constraint;
    const target = constraint.refTable === table ? own : (this.tables.get(constraint.refTable ?? '')?.constraints ?? []);
    const key = target.find((c) => c.type === 'primary');
    return key ? { ...constraint, refColumns: key.columns } : constraint;
  }

  /** serial and identity columns own a sequence named `<table>_<column>_seq` (1, 2 ... on a clash): it goes with the column. */
  private serialSequence(table: string, column: Column, origin: Origin): void {
    if (!column.identity && column.type.name !== 'serial' && column.type.name !== 'bigserial' && column.type.name !== 'smallserial') return;
    const [schema, bare] = [table.split('.')[0]!, table.split('.')[1] ?? table];
    const name = qualifiedName(schema, chooseName(bare, column.name, 'seq', (n) => this.relationNameTaken(`${schema}.${n}`)));
    // The column's type says the sequence's (AS integer for serial, bigint for bigserial ...).
    this.putObject('sequence', name, { origin, ownedBy: { table, column: column.name }, attributes: { implicit: true, [column.identity ? 'identity' : column.type.name]: true } });
  }

  /** PRIMARY KEY and UNIQUE constraints bring their own index, named after the constraint. */
  private indexForConstraint(table: string, constraint: Constraint, origin: Origin): void {
    if (constraint.type !== 'primary' && constraint.type !== 'unique' && constraint.type !== 'exclusion') return;
    const schema = table.split('.')[0]!;
    const name = `${schema}.${constraint.name}`;
    this.putIndex(name, { name, table, columns: constraint.columns, unique: constraint.type !== 'exclusion', partial: false, uses: constraint.columns, definition: `constraint ${constraint.definition ?? ''}`, origin });
  }

  private alterTable(node: AstNode, origin: Origin): void {
    const name = relationName(node.relation);
    if (node.objtype && node.objtype !== 'OBJECT_TABLE') return;
    const chosen: string[] = [];
    const nameOf = (c: AstNode, context: readonly string[]): string => {
      const picked = c.conname ?? this.chooseConstraintName(name, c, context, chosen);
      chosen.push(picked);
      return picked;
    };
    /** Columns whose type this statement changes: Postgres rebuilds the indexes on them once, after every command. */
    const retyped: string[] = [];
    for (const command of node.cmds ?? []) {
      const cmd = command.AlterTableCmd ?? {};
      const at = { ...origin, at: cmd.def?.ColumnDef?.location ?? cmd.def?.Constraint?.location ?? origin.at };
      const table = this.tables.get(name);
      const hasColumn = (column: string): boolean => table?.columns.some((c) => c.name === column) ?? false;
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          // ADD COLUMN IF NOT EXISTS of a column the table has does nothing.
          if (cmd.missing_ok && hasColumn(cmd.def?.ColumnDef?.colname)) break;
          const { column, constraints: raw } = columnFrom(cmd.def?.ColumnDef ?? {}, name, at, nameOf);
          const constraints = raw.map((c) => this.withReferencedKey(c, name));
          this.updateTable(name, (t) => ({ ...t, columns: [...t.columns.filter((c) => c.name !== column.name), column], constraints: [...t.constraints, ...constraints] }));
          for (const constraint of constraints) this.indexForConstraint(name, constraint, at);
          if (table) this.serialSequence(name, column, at);
          break;
        }
        case 'AT_DropColumn':
          // DROP COLUMN IF EXISTS of a column a known table lacks does nothing.
          if (table && !table.unknown && !hasColumn(cmd.name)) break;
          this.dropColumn(name, cmd.name, cmd.behavior === 'DROP_CASCADE');
          break;
        case 'AT_AlterColumnType': {
          const type = typeRef(cmd.def?.ColumnDef?.typeName);
          this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (c.name === cmd.name ? { ...c, type } : c)) }));
          retyped.push(cmd.name);
          break;
        }
        case 'AT_SetNotNull':
        case 'AT_DropNotNull':
          this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (c.name === cmd.name ? { ...c, notNull: cmd.subtype === 'AT_SetNotNull' } : c)) }));
          break;
        case 'AT_ColumnDefault':
          this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (c.name === cmd.name ? { ...c, hasDefault: Boolean(cmd.def), defaultExpr: cmd.def, defaultText: defaultFingerprint(cmd.def) } : c)) }));
          break;
        case 'AT_AddIdentity':
        case 'AT_DropIdentity':
          {
          const kind: Column['identityKind'] = cmd.subtype === 'AT_AddIdentity' ? (cmd.def?.Constraint?.generated_when === 'a' ? 'always' : 'by default') : undefined;
          this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (c.name === cmd.name ? { ...c, identity: cmd.subtype === 'AT_AddIdentity', identityKind: kind } : c)) }));
        }
          break;
        case 'AT_AddConstraint': {
          const def = cmd.def?.Constraint ?? {};
          if (def.contype === 'CONSTR_NOTNULL') {
            // Postgres 18: ADD CONSTRAINT n NOT NULL col.
            const columns = stringList(def.keys);
            this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (columns.includes(c.name) ? { ...c, notNull: true } : c)) }));
            break;
          }
          if (!CONSTRAINT_TYPES[def.contype]) break;
          const parsed = constraintFrom(def, name, [], at, nameOf(def, []));
          if (!parsed) break;
          const constraint = this.withReferencedKey(parsed, name, table?.constraints);
          if (constraint.type === 'primary' || constraint.type === 'unique') {
            // ADD CONSTRAINT ... USING INDEX: the index takes the constraint's name.
            const using = cmd.def?.Constraint?.indexname;
            if (using) this.putIndex(qualifiedName(name.split('.')[0], using), undefined);
          }
          if (constraint.type === 'primary' && table) this.updateTable(name, (t) => ({ ...t, columns: t.columns.map((c) => (constraint.columns.includes(c.name) ? { ...c, notNull: true } : c)) }));
          this.updateTable(name, (t) => ({ ...t, constraints: [...t.constraints, constraint] }));
          this.indexForConstraint(name, constraint, at);
          break;
        }
        case 'AT_ValidateConstraint':
          this.updateTable(name, (t) => ({ ...t, constraints: t.constraints.map((c) => (c.name === cmd.name ? { ...c, notValid: false } : c)) }));
          break;
        case 'AT_DropConstraint': {
          const dropped = table?.constraints.find((c) => c.name === cmd.name);
          if (!dropped) break;
          this.dropConstraint(name, dropped, cmd.behavior === 'DROP_CASCADE');
          break;
        }
        default:
          break;
      }
    }
    if (retyped.length) this.rebuildIndexesAfterTypeChange(name, retyped);
  }

  /**
   * Postgres rebuilds an index whose expressions or predicate read a retyped column from its stored text, parsed again
   * for the new types. The stored text holds the implicit casts made when it was last parsed: where an expression mixes
   * integer columns of different widths (`COALESCE(rerun_of, id)` once id is bigint) the narrower one is cast, the cast
   * is written out, and it stays until the column has that type itself (then it is a no-op and goes). The model keeps
   * those casts as part of the definition; where it cannot tell (other types, function-style casts such as `date(day)`),
   * the stored definition is unknown.
   */
  private rebuildIndexesAfterTypeChange(table: string, retyped: readonly string[]): void {
    const types = this.columnTypes(table);
    for (const index of this.indexesOf(table)) {
      if (!retyped.some((c) => index.uses.includes(c)) || !(index.partial || index.columns.includes('(expr)'))) continue;
      const [base, casts] = splitCasts(index.definition);
      const kept = new Map([...casts].filter(([column, type]) => types.get(column) !== type));
      const made = base === undefined || callsOn(base, retyped) ? 'unknown' : implicitCasts(base, types, kept);
      const definition = made === 'unknown' ? UNKNOWN_DEFINITION : withCasts(base!, made);
      this.putIndex(index.name, { ...index, definition });
    }
  }

  /** A new index's definition with the implicit casts its expressions get from the table's column types now. */
  private definitionWithCasts(table: string, definition: string): string {
    const casts = implicitCasts(definition, this.columnTypes(table), new Map());
    return casts === 'unknown' ? definition : withCasts(definition, casts);
  }

  /** Each column's type as the casts compare them: `int4`, `int8`, `numeric(12,2)`. */
  private columnTypes(table: string): Map<string, string> {
    return new Map((this.tables.get(table)?.columns ?? []).map((c) => [c.name, `${SERIAL_TYPES[c.type.name] ?? c.type.name}${c.type.mods.length ? `(${c.type.mods.join(',')})` : ''}${c.type.array ? '[]' : ''}`]));
  }

  /** DROP CONSTRAINT: a primary key's or unique constraint's index goes with it; with CASCADE, the foreign keys that use that key too. */
  private dropConstraint(table: string, constraint: Constraint, cascade: boolean): void {
    this.updateTable(table, (t) => ({ ...t, constraints: t.constraints.filter((c) => c.name !== constraint.name) }));
    if (constraint.type !== 'primary' && constraint.type !== 'unique' && constraint.type !== 'exclusion') return;
    this.putIndex(`${table.split('.')[0]}.${constraint.name}`, undefined);
    if (!cascade) return;
    const sameColumns = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x) => b.includes(x));
    for (const t of this.referencing(table)) {
      const gone = t.constraints.filter((c) => c.type === 'foreign' && c.refTable === table && (c.refColumns?.length ? sameColumns(c.refColumns, constraint.columns) : constraint.type === 'primary'));
      if (gone.length) this.updateTable(t.name, (x) => ({ ...x, constraints: x.constraints.filter((c) => !gone.includes(c)) }));
    }
  }

  private dropColumn(table: string, column: string, cascade = false): void {
    // Dropping a column drops the indexes and constraints that use it (multi-column ones included), and the sequence it owns.
    this.updateTable(table, (t) => ({
      ...t,
      columns: t.columns.filter((c) => c.name !== column),
      constraints: t.constraints.filter((c) => !c.columns.includes(column)),
    }));
    for (const index of this.indexesUsing(table, column)) this.putIndex(index.name, undefined);
    for (const sequence of this.sequencesOwnedBy(table, column)) this.putObject('sequence', sequence.name, undefined);
    if (!cascade) return;
    // CASCADE: the foreign keys that reference the column, and the views that read it, go too.
    for (const t of this.referencing(table)) {
      const gone = t.constraints.filter((c) => c.type === 'foreign' && c.refTable === table && (c.refColumns ?? []).includes(column));
      if (gone.length) this.updateTable(t.name, (x) => ({ ...x, constraints: x.constraints.filter((c) => !gone.includes(c)) }));
    }
    const mention = `"sval":${JSON.stringify(column)}`;
    for (const view of this.dependentViews(table).reverse()) if (this.object('view', view)?.definition?.includes(mention)) this.dropView(view);
  }

  private createIndex(node: AstNode, origin: Origin): void {
    const table = relationName(node.relation);
    const schema = node.relation?.schemaname ?? 'public';
    const name = node.idxname ? qualifiedName(schema, node.idxname) : this.chooseIndexName(node);
    if (node.if_not_exists && this.indexes.has(name)) return;
    const { idxname: _name, relation: _relation, concurrent: _concurrent, if_not_exists: _ifNotExists, ...definition } = node;
    this.putIndex(name, {
      name,
      table,
      columns: indexColumns(node.indexParams),
      unique: Boolean(node.unique),
      partial: Boolean(node.whereClause),
      uses: indexUsedColumns(node),
      definition: this.definitionWithCasts(table, fingerprint(definition)),
      node,
      origin,
    });
  }

  /** COMMENT ON ... IS: the comment is part of the object's state (NULL removes it). */
  private comment(node: AstNode): void {
    const text: string | undefined = node.comment ?? undefined;
    const names = objectNames(node.object ?? {});
    const last = names[names.length - 1] ?? '';
    switch (node.objtype) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE': {
        const name = qualifiedFromList(names);
        if (this.tables.has(name)) return this.updateTable(name, (t) => ({ ...t, comment: text }));
        for (const kind of ['view', 'sequence'] as const) {
          const object = this.object(kind, name);
          if (object) return this.putObject(kind, name, { ...object, comment: text });
        }
        return;
      }
      case 'OBJECT_COLUMN': {
        const table = qualifiedFromList(names.slice(0, -1));
        return this.updateTable(table, (t) => ({ ...t, columns: t.columns.map((c) => (c.name === last ? { ...c, comment: text } : c)) }));
      }
      case 'OBJECT_TABCONSTRAINT': {
        const table = qualifiedFromList(names.slice(0, -1));
        return this.updateTable(table, (t) => ({ ...t, constraints: t.constraints.map((c) => (c.name === last ? { ...c, comment: text } : c)) }));
      }
      case 'OBJECT_INDEX': {
        const name = qualifiedFromList(names);
        const index = this.indexes.get(name);
        if (index) this.putIndex(name, { ...index, comment: text });
        return;
      }
      case 'OBJECT_TRIGGER':
      case 'OBJECT_POLICY': {
        const kind = node.objtype === 'OBJECT_TRIGGER' ? 'trigger' : 'policy';
        const name = `${qualifiedFromList(names.slice(0, -1))}.${last}`;
        const object = this.object(kind, name);
        if (object) this.putObject(kind, name, { ...object, comment: text });
        return;
      }
      default: {
        const kinds: ReadonlyArray<NamedObject['kind']> =
          node.objtype === 'OBJECT_FUNCTION' || node.objtype === 'OBJECT_PROCEDURE' ? ['function'] : node.objtype === 'OBJECT_TYPE' ? ['enum', 'type'] : node.objtype === 'OBJECT_DOMAIN' ? ['domain'] : node.objtype === 'OBJECT_SCHEMA' ? ['schema'] : node.objtype === 'OBJECT_EXTENSION' ? ['extension'] : [];
        const name = node.objtype === 'OBJECT_SCHEMA' || node.objtype === 'OBJECT_EXTENSION' ? last : qualifiedFromList(names);
        for (const kind of kinds) {
          const object = this.object(kind, name);
          if (object) return this.putObject(kind, name, { ...object, comment: text });
        }
        return;
      }
    }
  }

  private drop(node: AstNode): void {
    const cascade = node.behavior === 'DROP_CASCADE';
    for (const object of node.objects ?? []) {
      const names = objectNames(object);
      const name = qualifiedFromList(names);
      switch (node.removeType) {
        case 'OBJECT_TABLE':
          if (cascade) this.dropDependents(name);
          if (this.relationKind(name) === 'table' && !this.tables.has(name)) this.dropView(name);
          else this.dropTable(name, cascade);
          break;
        case 'OBJECT_INDEX':
          this.putIndex(name, undefined);
          break;
        case 'OBJECT_TYPE':
        case 'OBJECT_DOMAIN':
          // DROP TYPE ... CASCADE drops the columns of that type (and what they carry).
          if (cascade) this.dropColumnsOfType(name);
          this.putObject('enum', name, undefined);
          this.putObject('type', name, undefined);
          this.putObject('domain', name, undefined);
          break;
        case 'OBJECT_FUNCTION':
        case 'OBJECT_PROCEDURE': {
          // DROP FUNCTION ... CASCADE drops the triggers that execute it.
          const fn = qualifiedFromList(stringList(object.ObjectWithArgs?.objname));
          if (cascade) for (const trigger of this.objectsOf('trigger')) if (trigger.executes === fn) this.putObject('trigger', trigger.name, undefined);
          this.putObject('function', fn, undefined);
          break;
        }
        case 'OBJECT_VIEW':
        case 'OBJECT_MATVIEW':
          if (cascade) this.dropDependents(name);
          this.dropView(name);
          break;
        case 'OBJECT_SEQUENCE':
          this.putObject('sequence', name, undefined);
          break;
        case 'OBJECT_EXTENSION':
          this.putObject('extension', names[names.length - 1] ?? '', undefined);
          break;
        case 'OBJECT_SCHEMA': {
          const schema = names[names.length - 1] ?? '';
          if (cascade) this.dropSchemaContents(schema);
          this.putObject('schema', schema, undefined);
          break;
        }
        case 'OBJECT_TRIGGER':
          this.putObject('trigger', `${qualifiedFromList(names.slice(0, -1))}.${names[names.length - 1]}`, undefined);
          break;
        case 'OBJECT_POLICY':
          this.putObject('policy', `${qualifiedFromList(names.slice(0, -1))}.${names[names.length - 1]}`, undefined);
          break;
        default:
          break;
      }
    }
  }

  /** DROP TABLE: its indexes, triggers, policies and owned sequences go with it; with CASCADE, the foreign keys pointing at it too. */
  private dropTable(name: string, cascade = false): void {
    this.dropRelationParts(name);
    for (const sequence of this.sequencesOwnedBy(name)) this.putObject('sequence', sequence.name, undefined);
    if (cascade) {
      for (const t of this.referencing(name)) this.updateTable(t.name, (x) => ({ ...x, constraints: x.constraints.filter((c) => c.type !== 'foreign' || c.refTable !== name) }));
    }
    this.removeTable(name);
  }

  /** DROP TYPE ... CASCADE: every column of that type goes. */
  private dropColumnsOfType(type: string): void {
    for (const table of [...this.tables.values()]) for (const column of table.columns) if (column.type.name === type) this.dropColumn(table.name, column.name);
  }

  /** DROP SCHEMA ... CASCADE: everything in it goes. */
  private dropSchemaContents(schema: string): void {
    const inside = (name: string): boolean => name.startsWith(`${schema}.`);
    for (const view of this.objectsOf('view')) if (inside(view.name) && this.object('view', view.name)) this.dropView(view.name);
    for (const table of [...this.tables.keys()]) if (inside(table)) this.dropTable(table, true);
    for (const kind of ['sequence', 'function', 'enum', 'type', 'domain', 'trigger', 'policy'] as const) {
      for (const object of this.objectsOf(kind)) if (inside(object.name)) this.putObject(kind, object.name, undefined);
    }
  }

  /** DROP VIEW / DROP MATERIALIZED VIEW: its indexes and triggers go with it. */
  private dropView(name: string): void {
    this.dropRelationParts(name);
    this.putObject('view', name, undefined);
  }

  /** DROP ... CASCADE: the views that read the relation, directly or not, go first. */
  private dropDependents(name: string): void {
    for (const view of this.dependentViews(name).reverse()) this.dropView(view);
  }

  private dropRelationParts(name: string): void {
    for (const index of this.indexesOf(name)) this.putIndex(index.name, undefined);
    for (const kind of ['trigger', 'policy'] as const) {
      for (const object of this.objectsOf(kind)) if (object.name.startsWith(`${name}.`)) this.putObject(kind, object.name, undefined);
    }
  }

  private rename(node: AstNode): void {
    const newName = node.newname as string;
    switch (node.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE':
        // ALTER TABLE ... RENAME works on any relation (an index too), and the others on tables: the model goes by what the name is.
        if (this.indexes.has(relationName(node.relation))) return this.renameIndex(relationName(node.relation), qualifiedName(node.relation?.schemaname, newName));
        return this.renameRelation(relationName(node.relation), qualifiedName(node.relation?.schemaname, newName));
      case 'OBJECT_COLUMN': {
        const table = relationName(node.relation);
        const from = node.subname as string;
        const swap = (c: string): string => (c === from ? newName : c);
        // Postgres keeps columns by number: a constraint's or index's definition now reads the new name.
        const redefine = (definition: string | undefined): string | undefined => definition && renameInDefinition(definition, from, newName);
        const renode = (ast: AstNode | undefined): AstNode | undefined => ast && JSON.parse(renameInDefinition(JSON.stringify(ast), from, newName));
        this.updateTable(table, (t) => ({
          ...t,
          columns: t.columns.map((c) => (c.name === from ? { ...c, name: newName } : c)),
          constraints: t.constraints.map((c) => ({ ...c, columns: c.columns.map(swap), notNullColumn: c.notNullColumn === from ? newName : c.notNullColumn, definition: redefine(c.definition), node: renode(c.node) })),
        }));
        for (const index of this.indexesOf(table)) this.putIndex(index.name, { ...index, columns: index.columns.map(swap), uses: index.uses.map(swap), definition: redefine(index.definition), node: renode(index.node) });
        // A foreign key elsewhere that references the column references it under its new name.
        for (const t of this.referencing(table)) {
          if (t.constraints.some((c) => c.type === 'foreign' && c.refTable === table && c.refColumns?.includes(from))) {
            this.updateTable(t.name, (x) => ({ ...x, constraints: x.constraints.map((c) => (c.type === 'foreign' && c.refTable === table ? { ...c, refColumns: c.refColumns?.map(swap) } : c)) }));
          }
        }
        for (const sequence of this.sequencesOwnedBy(table, from)) this.putObject('sequence', sequence.name, { ...sequence, ownedBy: { table, column: newName } });
        return;
      }
      case 'OBJECT_INDEX':
        return this.renameIndex(relationName(node.relation), qualifiedName(node.relation?.schemaname, newName));
      case 'OBJECT_ROLE': {
        const role = this.object('role', node.subname);
        if (!role) return;
        this.putObject('role', node.subname, undefined);
        this.putObject('role', newName, role);
        return;
      }
      case 'OBJECT_TABCONSTRAINT': {
        // A primary key's or unique constraint's index is renamed with it.
        const table = relationName(node.relation);
        const constraint = this.tables.get(table)?.constraints.find((c) => c.name === node.subname);
        if (!constraint) return;
        this.updateTable(table, (t) => ({ ...t, constraints: t.constraints.map((c) => (c.name === node.subname ? { ...c, name: newName } : c)) }));
        const schema = table.split('.')[0]!;
        const index = this.indexes.get(`${schema}.${node.subname}`);
        if (index && index.table === table) {
          this.putIndex(index.name, undefined);
          this.putIndex(`${schema}.${newName}`, { ...index, name: `${schema}.${newName}` });
        }
        return;
      }
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        // Columns follow a renamed type (Postgres keeps its oid).
        const names = objectNames(node.object ?? {});
        const from = qualifiedFromList(names);
        const to = qualifiedFromList([...names.slice(0, -1), newName]);
        for (const kind of ['enum', 'type', 'domain'] as const) {
          const object = this.object(kind, from);
          if (!object) continue;
          this.putObject(kind, from, undefined);
          this.putObject(kind, to, object);
        }
        for (const table of [...this.tables.values()]) {
          if (table.columns.some((c) => c.type.name === from)) this.updateTable(table.name, (t) => ({ ...t, columns: t.columns.map((c) => (c.type.name === from ? { ...c, type: { ...c.type, name: to } } : c)) }));
        }
        return;
      }
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE': {
        const names = objectNames(node.object ?? {});
        const from = qualifiedFromList(names);
        const object = this.object('function', from);
        if (!object) return;
        const to = qualifiedFromList([...names.slice(0, -1), newName]);
        this.putObject('function', from, undefined);
        this.putObject('function', to, object);
        // Triggers execute the function, whatever it is called.
        for (const trigger of this.objectsOf('trigger')) if (trigger.executes === from) this.putObject('trigger', trigger.name, { ...trigger, executes: to });
        return;
      }
      case 'OBJECT_TRIGGER':
      case 'OBJECT_POLICY': {
        const kind = node.renameType === 'OBJECT_TRIGGER' ? 'trigger' : 'policy';
        const table = relationName(node.relation);
        const object = this.object(kind, `${table}.${node.subname}`);
        if (!object) return;
        this.putObject(kind, `${table}.${node.subname}`, undefined);
        this.putObject(kind, `${table}.${newName}`, object);
        return;
      }
      default:
        return;
    }
  }

  /** ALTER INDEX ... RENAME: a constraint's index renames the constraint too. */
  private renameIndex(from: string, to: string): void {
    const index = this.indexes.get(from);
    if (!index) return;
    this.putIndex(from, undefined);
    this.putIndex(to, { ...index, name: to });
    const bareFrom = from.slice(from.indexOf('.') + 1);
    const bareTo = to.slice(to.indexOf('.') + 1);
    const table = this.tables.get(index.table);
    if (table?.constraints.some((c) => c.name === bareFrom && (c.type === 'primary' || c.type === 'unique' || c.type === 'exclusion'))) {
      this.updateTable(index.table, (t) => ({ ...t, constraints: t.constraints.map((c) => (c.name === bareFrom ? { ...c, name: bareTo } : c)) }));
    }
  }

  /** A relation renamed: its indexes, triggers and policies, owned sequences, the foreign keys and views that point at it follow. */
  private renameRelation(from: string, to: string): void {
    const table = this.tables.get(from);
    if (table) {
      this.removeTable(from);
      this.put(this.tables, to, { ...table, name: to });
      for (const t of this.referencing(from)) this.updateTable(t.name, (x) => ({ ...x, constraints: x.constraints.map((c) => (c.refTable === from ? { ...c, refTable: to } : c)) }));
      for (const sequence of this.sequencesOwnedBy(from)) this.putObject('sequence', sequence.name, { ...sequence, ownedBy: { table: to, column: sequence.ownedBy!.column } });
    } else {
      const kind = this.object('view', from) ? 'view' : this.object('sequence', from) ? 'sequence' : undefined;
      if (!kind) return;
      const object = this.object(kind, from)!;
      this.putObject(kind, from, undefined);
      this.putObject(kind, to, object);
    }
    for (const index of this.indexesOf(from)) this.putIndex(index.name, { ...index, table: to });
    for (const kind of ['trigger', 'policy'] as const) {
      for (const object of this.objectsOf(kind)) {
        if (!object.name.startsWith(`${from}.`)) continue;
        this.putObject(kind, object.name, undefined);
        this.putObject(kind, `${to}${object.name.slice(from.length)}`, object);
      }
    }
    for (const reader of [...(this.readersByRelation.get(from) ?? [])]) {
      const view = this.object('view', reader);
      if (view) this.putObject('view', reader, { ...view, reads: (view.reads ?? []).map((r) => (r === from ? to : r)) });
    }
  }

  private alterEnum(node: AstNode): void {
    const name = qualifiedFromList(stringList(node.typeName));
    const existing = this.object('enum', name);
    if (!existing || !node.newVal) return;
    const labels = [...(existing.labels ?? [])];
    if (node.oldVal) {
      // RENAME VALUE
      this.putObject('enum', name, { ...existing, labels: labels.map((l) => (l === node.oldVal ? node.newVal : l)) });
      return;
    }
    const anchor = node.newValNeighbor ? labels.indexOf(node.newValNeighbor) : -1;
    if (anchor < 0) labels.push(node.newVal);
    else labels.splice(node.newValIsAfter ? anchor + 1 : anchor, 0, node.newVal);
    this.putObject('enum', name, { ...existing, labels });
  }

  /**
   * Postgres expands `*` in a view's query when the view is made: the view keeps the columns its tables had then, in
   * their order, whatever those tables become. A view re-made after a column moved to the end is another view.
   */
  private starColumns(query: AstNode | undefined): string {
    if (!JSON.stringify(query ?? null).includes('"A_Star"')) return '';
    const expanded: string[] = [];
    visitNodes(query, (kind, select) => {
      if (kind !== 'SelectStmt') return;
      for (const target of select.targetList ?? []) {
        const fields: AstNode[] = target.ResTarget?.val?.ColumnRef?.fields ?? [];
        if (!fields.some((f) => f.A_Star)) continue;
        // `*` reads every relation of this SELECT's FROM; `t.*` the one named or aliased t.
        const qualifier = fields.length > 1 ? fields[fields.length - 2]?.String?.sval : undefined;
        for (const rangeVar of fromRelations(select.fromClause)) {
          if (qualifier !== undefined && (rangeVar.alias?.aliasname ?? rangeVar.relname) !== qualifier) continue;
          const relation = relationName(rangeVar);
          expanded.push(` ${relation}(${this.tables.get(relation)?.columns.map((c) => c.name).join(',') ?? '?'})`);
        }
      }
    });
    return expanded.join('');
  }

  /**
   * A DO block. When its body holds only written-out statements (no EXECUTE), each may have run or not (IF, exception
   * handlers): the tables they name become unknown; data, owners, grants, roles and extensions leave the model as it is;
   * any other change makes the migration's schema unknown. Dynamic SQL: every known table whose name appears in the
   * body becomes unknown, and a body that creates, alters or drops something else makes the migration's schema unknown.
   */
  private opaque(statement: Statement, migration: string): void {
    const embedded = doBlockStatements(statement.node);
    if (embedded !== 'dynamic') {
      let unpinned = false;
      for (const inner of embedded) {
        if (DO_BLOCK_UNTRACKED.has(inner.kind)) continue;
        if (!DO_BLOCK_TABLE_CHANGES.has(inner.kind)) unpinned = true;
        visitNodes(inner.node, (kind, body) => {
          if (kind !== 'RangeVar' || !body.relname) return;
          const table = this.tables.get(relationName(body));
          if (table) this.put(this.tables, table.name, { ...table, unknown: true });
        });
      }
      if (!unpinned) return;
      const previous = this.opaqueSince;
      this.record(() => (this.opaqueSince = previous));
      this.opaqueSince = migration;
      return;
    }
    const body = JSON.stringify(statement.node).toLowerCase();
    let matched = false;
    for (const table of this.tables.values()) {
      const bare = table.name.split('.')[1]!;
      if (new RegExp(`\\b${bare.replace(/[^a-z0-9_]/g, '.')}\\b`).test(body)) {
        this.put(this.tables, table.name, { ...table, unknown: true });
        matched = true;
      }
    }
    if (!matched && /\b(create|alter|drop)\b/.test(body)) {
      const previous = this.opaqueSince;
      this.record(() => (this.opaqueSince = previous));
      this.opaqueSince = migration;
    }
  }
}

/** The tables and views a FROM list names directly (joins included, subqueries and functions not). */
function fromRelations(from: readonly AstNode[] | undefined): AstNode[] {
  const out: AstNode[] = [];
  const visit = (item: AstNode | undefined): void => {
    if (item?.RangeVar) out.push(item.RangeVar);
    else if (item?.JoinExpr) {
      visit(item.JoinExpr.larg);
      visit(item.JoinExpr.rarg);
    }
  };
  for (const item of from ?? []) visit(item);
  return out;
}

/** serial types are integers with a default. */
const SERIAL_TYPES: Readonly<Record<string, string>> = { serial: 'int4', bigserial: 'int8', smallserial: 'int2', serial4: 'int4', serial8: 'int8', serial2: 'int2' };
/** Integer widths, narrowest first: in an expression mixing them, Postgres casts the narrower operand to the wider. */
const INTEGER_WIDTHS = ['int2', 'int4', 'int8'];
const CASTS = ' casts ';

/** An index definition without and with its recorded casts (`column::type`); undefined when the definition is not known. */
function splitCasts(definition: string | undefined): [string | undefined, Map<string, string>] {
  if (definition === undefined || definition === UNKNOWN_DEFINITION) return [undefined, new Map()];
  const at = definition.indexOf(CASTS);
  if (at < 0) return [definition, new Map()];
  return [definition.slice(0, at), new Map(definition.slice(at + CASTS.length).split(', ').map((c) => c.split('::') as [string, string]))];
}

function withCasts(base: string, casts: ReadonlyMap<string, string>): string {
  return casts.size ? `${base}${CASTS}${[...casts].map(([c, t]) => `${c}::${t}`).sort().join(', ')}` : base;
}

/** Whether a function call or a cast in the definition reads one of `columns`: how Postgres stores it after a type change is not modelled. */
function callsOn(definition: string, columns: readonly string[]): boolean {
  let found = false;
  try {
    visitNodes(JSON.parse(definition), (kind, body) => {
      if ((kind === 'FuncCall' || kind === 'TypeCast') && expressionColumns(body).some((c) => columns.includes(c))) found = true;
    });
  } catch {
    return true;
  }
  return found;
}

/**
 * The casts the stored text holds after it is parsed with `types`: `kept` (written out before) plus those of every
 * COALESCE, GREATEST/LEAST or operator whose column operands are integers of different widths; 'unknown' where columns
 * of other types meet.
 */
function implicitCasts(definition: string, types: ReadonlyMap<string, string>, kept: ReadonlyMap<string, string>): Map<string, string> | 'unknown' {
  let tree: unknown;
  try {
    tree = JSON.parse(definition);
  } catch {
    return 'unknown';
  }
  const casts = new Map(kept);
  let unknown = false;
  visitNodes(tree, (kind, body) => {
    const operands: AstNode[] = kind === 'CoalesceExpr' || kind === 'MinMaxExpr' ? (body.args ?? []) : kind === 'A_Expr' ? [body.lexpr, body.rexpr] : [];
    const columns = operands.map((o) => stringList(o?.ColumnRef?.fields).pop()).filter((n): n is string => typeof n === 'string' && types.has(n));
    if (columns.length < 2) return;
    const effective = (column: string): string => casts.get(column) ?? types.get(column)!;
    const distinct = new Set(columns.map(effective));
    if (distinct.size < 2) return;
    if (![...distinct].every((t) => INTEGER_WIDTHS.includes(t))) {
      unknown = true;
      return;
    }
    const widest = INTEGER_WIDTHS[Math.max(...[...distinct].map((t) => INTEGER_WIDTHS.indexOf(t)))]!;
    for (const column of columns) if (effective(column) !== widest) casts.set(column, widest);
  });
  return unknown ? 'unknown' : casts;
}

/** Statements inside a DO block that change no state the model keeps (data, owners, grants, roles, extensions). */
const DO_BLOCK_UNTRACKED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'TruncateStmt', 'CopyStmt', 'VariableSetStmt', 'NotifyStmt', 'PerformStmt', 'CallStmt', 'AlterOwnerStmt', 'GrantStmt', 'GrantRoleStmt', 'CreateRoleStmt', 'AlterRoleStmt', 'AlterRoleSetStmt', 'DropRoleStmt', 'AlterDefaultPrivilegesStmt', 'CreateExtensionStmt', 'AlterExtensionStmt', 'RefreshMatViewStmt', 'LockStmt']);
/** Statements inside a DO block whose effect stays on the tables they name (which become unknown); what makes new names (CREATE TABLE, CREATE INDEX, RENAME) is not among them. */
const DO_BLOCK_TABLE_CHANGES = new Set(['AlterTableStmt', 'CreateTrigStmt', 'CreatePolicyStmt', 'AlterPolicyStmt', 'CommentStmt']);

/** The OWNED BY option of CREATE / ALTER SEQUENCE: the owning column, or undefined for OWNED BY NONE; `previous` when absent. */
function ownedByOption(options: readonly AstNode[] | undefined, previous: NamedObject['ownedBy']): NamedObject['ownedBy'] {
  for (const option of options ?? []) {
    if (option.DefElem?.defname !== 'owned_by') continue;
    const names = stringList(option.DefElem.arg?.List?.items);
    if (names.length < 2) return undefined;
    return { table: qualifiedFromList(names.slice(0, -1)), column: names[names.length - 1]! };
  }
  return previous;
}

function objectNames(object: AstNode): string[] {
  if (object.List) return stringList(object.List.items);
  if (object.String) return [object.String.sval];
  if (object.TypeName) return stringList(object.TypeName.names);
  if (object.ObjectWithArgs) return stringList(object.ObjectWithArgs.objname);
  return [];
}

type ConstraintNamer = (c: AstNode, columnContext: readonly string[]) => string;

function columnFrom(def: AstNode, table: string, origin: Origin, nameOf: ConstraintNamer): { column: Column; constraints: Constraint[] } {
  const type = typeRef(def.typeName);
  let notNull = Boolean(def.is_not_null);
  let hasDefault = false;
  let defaultExpr: AstNode | undefined;
  let identity = false;
  let generated = false;
  let generatedExpr: AstNode | undefined;
  let identityKind: Column['identityKind'];
  const constraints: Constraint[] = [];
  for (const item of def.constraints ?? []) {
    const c = item.Constraint ?? {};
    switch (c.contype) {
      case 'CONSTR_NOTNULL':
        notNull = true;
        break;
      case 'CONSTR_DEFAULT':
        hasDefault = true;
        defaultExpr = c.raw_expr;
        break;
      case 'CONSTR_IDENTITY':
        identity = true;
        identityKind = c.generated_when === 'a' ? 'always' : 'by default';
        notNull = true;
        break;
      case 'CONSTR_GENERATED':
        generated = true;
        generatedExpr = c.raw_expr;
        break;
      case 'CONSTR_PRIMARY':
        notNull = true;
        break;
      default:
        break;
    }
    if (!CONSTRAINT_TYPES[c.contype]) continue;
    const constraint = constraintFrom(c, table, [def.colname], { ...origin, at: c.location ?? origin.at }, nameOf(c, [def.colname]));
    if (constraint) constraints.push(constraint);
  }
  if (type.name === 'serial' || type.name === 'bigserial' || type.name === 'smallserial') {
    hasDefault = true;
    notNull = true;
  }
  return { column: { name: def.colname, type, notNull, hasDefault, defaultExpr, identity, generated, defaultText: defaultFingerprint(defaultExpr), ...(generatedExpr ? { generatedExpr } : {}), ...(identityKind ? { identityKind } : {}) }, constraints };
}

const CONSTRAINT_TYPES: Readonly<Record<string, ConstraintType>> = {
  CONSTR_PRIMARY: 'primary',
  CONSTR_UNIQUE: 'unique',
  CONSTR_FOREIGN: 'foreign',
  CONSTR_CHECK: 'check',
  CONSTR_EXCLUSION: 'exclusion',
};

const SUFFIX: Readonly<Record<ConstraintType, string>> = { primary: 'pkey', unique: 'key', foreign: 'fkey', check: 'check', exclusion: 'excl', notnull: 'not_null' };

/** The columns a constraint is about: its keys, a CHECK's columns, or the column it is declared on. */
function constraintColumns(c: AstNode, type: ConstraintType, columnContext: readonly string[]): string[] {
  const keys = type === 'foreign' ? stringList(c.fk_attrs) : type === 'exclusion' ? (c.exclusions ?? []).map((e: AstNode) => indexColumns(e.List?.items?.slice(0, 1))[0] ?? '(expr)') : stringList(c.keys);
  return keys.length ? keys : type === 'check' ? expressionColumns(c.raw_expr) : [...columnContext];
}

/** makeObjectName's three parts for the unnamed constraint `c` on `table`: the table, the column part, the label. */
function constraintNameParts(table: string, c: AstNode, columnContext: readonly string[]): [string, string | undefined, string] {
  const bare = table.split('.')[1] ?? table;
  const type = CONSTRAINT_TYPES[c.contype] ?? (c.contype === 'CONSTR_NOTNULL' ? 'notnull' : undefined);
  if (!type) return [bare, stringList(c.keys).join('_') || undefined, 'constraint'];
  if (type === 'primary') return [bare, undefined, SUFFIX.primary];
  const columns = constraintColumns(c, type, columnContext);
  const named = columns.length ? columns : [...columnContext];
  // A CHECK is named after its column only when it uses exactly one (AddRelationNewConstraints).
  if (type === 'check') return [bare, named.length === 1 ? named[0] : undefined, SUFFIX.check];
  if (type === 'exclusion') return [bare, nameAddition(indexColumnNames((c.exclusions ?? []).map((e: AstNode) => e.List?.items?.[0] ?? {}))), SUFFIX.exclusion];
  return [bare, nameAddition(named), SUFFIX[type]];
}

/**
 * The name Postgres gives the unnamed constraint `c` on `table` (`columnContext`: the column it is declared on, if
 * any), truncated to 63 bytes as makeObjectName does; the model's chooseConstraintName() also adds the 1, 2 ... of a clash.
 */
export function defaultConstraintName(table: string, c: AstNode, columnContext: readonly string[] = []): string {
  const [name1, name2, label] = constraintNameParts(table, c, columnContext);
  return makeObjectName(name1, name2, label);
}

function constraintFrom(c: AstNode, table: string, columnContext: string[], origin: Origin, name: string = c.conname ?? defaultConstraintName(table, c, columnContext)): Constraint | undefined {
  const type = CONSTRAINT_TYPES[c.contype];
  if (!type) return undefined;
  const columns = constraintColumns(c, type, columnContext);
  const { conname: _name, location: _location, ...definition } = c;
  return {
    name,
    type,
    columns,
    refTable: type === 'foreign' ? relationName(c.pktable) : undefined,
    refColumns: type === 'foreign' ? stringList(c.pk_attrs) : undefined,
    notValid: c.skip_validation === true || c.initially_valid === false,
    notNullColumn: type === 'check' ? isNotNullCheck(c.raw_expr) : undefined,
    definition: fingerprint({ ...definition, skip_validation: undefined, initially_valid: undefined, keys: undefined, fk_attrs: undefined, indexname: undefined, pktable: undefined, pk_attrs: undefined }),
    node: c,
    origin,
  };
}

function isNotNullCheck(expr: AstNode | undefined): string | undefined {
  const test = expr?.NullTest;
  if (!test || test.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const names = stringList(test.arg?.ColumnRef?.fields);
  return names[names.length - 1];
}

function withNotNull(constraints: Constraint[], columns: Column[]): Constraint[] {
  // Table-level PRIMARY KEY makes its columns NOT NULL; the columns list is updated by the caller's view of columns.
  const primary = constraints.find((c) => c.type === 'primary');
  if (primary) for (const column of columns) if (primary.columns.includes(column.name)) (column as { notNull: boolean }).notNull = true;
  return constraints;
}

/** SECURITY DEFINER and SET search_path from CREATE/ALTER FUNCTION options. */
function functionAttributes(options: readonly AstNode[] | undefined, previous: Readonly<Record<string, boolean>>): Record<string, boolean> {
  const out = { securityDefiner: previous.securityDefiner ?? false, searchPath: previous.searchPath ?? false, notVolatile: previous.notVolatile ?? false };
  for (const option of options ?? []) {
    const def = option.DefElem;
    if (!def) continue;
    if (def.defname === 'security') out.securityDefiner = def.arg?.Boolean?.boolval === true;
    if (def.defname === 'volatility') out.notVolatile = def.arg?.String?.sval === 'stable' || def.arg?.String?.sval === 'immutable';
    if (def.defname === 'set') {
      const set = def.arg?.VariableSetStmt;
      if (set?.name === 'search_path') out.searchPath = set.kind !== 'VAR_RESET' && set.kind !== 'VAR_SET_DEFAULT';
      if (set?.kind === 'VAR_RESET_ALL') out.searchPath = false;
    }
  }
  return out;
}

/** A boolean role option (SUPERUSER / NOSUPERUSER ...), or undefined when absent. */
function roleOption(options: readonly AstNode[] | undefined, name: string): boolean | undefined {
  const def = (options ?? []).map((o) => o.DefElem).find((d: AstNode | undefined) => d?.defname === name);
  return def ? def.arg?.Boolean?.boolval === true : undefined;
}
