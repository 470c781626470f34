// Semantic checks against the schema model, like a compiler's: a statement that names an object that already exists
// (CREATE without IF NOT EXISTS, ADD COLUMN of a column the table has) or does not exist, with PostgreSQL's own words.
// "Does not exist" is said only where the model can know: the history dropped it and nothing took the name since, the
// name is a near miss of an object the history made, or the history starts from an empty database (a setting). Extensions, dynamic SQL and tables the model cannot vouch for keep it quiet.
import type { AstNode, Statement } from '../core/migrations/parse.js';
import type { SchemaModel, Table } from './schema-model.js';
import type { RuleContext, RuleVisitor, StatementContext } from './rule.js';
import type { SourceFile } from '../core/migrations/layout.js';
import { indexColumns, qualifiedFromList, qualifiedName, relationName, stringList } from './ast.js';

export interface ObjectProblem {
  /** `dependents`: a DROP without CASCADE of something other objects depend on. */
  readonly kind: 'exists' | 'missing' | 'dependents';
  /** Byte offset of the name in the statement (the statement's start when the parser gives none). */
  readonly at: number;
  /** What PostgreSQL says: `relation "prodcts" does not exist`. */
  readonly error: string;
  /** For `missing`: the known name it is a near miss of. */
  readonly suggestion?: string;
  /** For `dependents`: the first dependent, as PostgreSQL's DETAIL line says it (`column c of table t depends on type x`). */
  readonly detail?: string;
}

export interface ObjectCheckOptions {
  /** The history starts from an empty database: what it never created does not exist. */
  readonly startsEmpty: boolean;
}

type Kind = 'relation' | 'table' | 'index' | 'view' | 'sequence' | 'type' | 'schema' | 'extension';

/** Postgres's name for a qualified name in a message: `public.x` is `x`. */
function bare(name: string): string {
  return name.startsWith('public.') ? name.slice(7) : name;
}

/** Levenshtein distance, capped: near misses only. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length]!;
}

/** The known name `name` is a near miss of: same schema, a letter or two off (or only the case differs), at least 4 letters long. */
export function nearMiss(name: string, known: Iterable<string>): string | undefined {
  const dot = name.indexOf('.');
  const schema = dot < 0 ? '' : name.slice(0, dot + 1);
  const want = name.slice(schema.length);
  if (want.length < 4) return undefined;
  let best: { name: string; d: number } | undefined;
  for (const candidate of known) {
    if (!candidate.startsWith(schema) || candidate === name) continue;
    const other = candidate.slice(schema.length);
    const d = other.toLowerCase() === want.toLowerCase() ? 0 : distance(want, other);
    const limit = want.length < 6 ? 1 : 2;
    if (d <= limit && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best?.name;
}

/** Computed once per statement and options: three rules (object-missing, object-exists, drop-has-dependents) read it. */
const found = new WeakMap<StatementContext, Map<boolean, ObjectProblem[]>>();

/** What PostgreSQL would refuse in the statement, against the schema before it. */
export function objectProblems(context: StatementContext, options: ObjectCheckOptions): ObjectProblem[] {
  let byOptions = found.get(context);
  if (!byOptions) found.set(context, (byOptions = new Map()));
  const startsEmpty = options.startsEmpty === true;
  let problems = byOptions.get(startsEmpty);
  if (!problems) byOptions.set(startsEmpty, (problems = checkObjects(context.statement, context.schema, context.migration.name, options)));
  return problems;
}

/** The visitor of the rules that say what PostgreSQL would refuse (object-missing, object-exists, drop-has-dependents): each reports the problems of its kind. */
export function objectProblemVisitor(context: RuleContext, kind: ObjectProblem['kind'], report: (problem: ObjectProblem, file: SourceFile) => void): RuleVisitor {
  const options = { startsEmpty: context.options.startsEmpty === true };
  return {
    statement(statementContext) {
      for (const problem of objectProblems(statementContext, options)) if (problem.kind === kind) report(problem, statementContext.file);
    },
  };
}

function checkObjects(statement: Statement, schema: SchemaModel, migration: string, options: ObjectCheckOptions): ObjectProblem[] {
  // Dynamic SQL since the start (or in this migration) may have made or dropped anything.
  if (schema.opaqueIn(migration) || schema.isUnknown('')) return [];
  const checker = new Checker(statement, schema, options);
  checker.run();
  return checker.problems;
}

class Checker {
  readonly problems: ObjectProblem[] = [];
  constructor(
    private readonly statement: Statement,
    private readonly schema: SchemaModel,
    private readonly options: ObjectCheckOptions,
  ) {}

  /** AST locations are byte offsets in the file. */
  private at(location: number | undefined): number {
    return typeof location === 'number' && location >= this.statement.start ? location : this.statement.start;
  }

  private exists(error: string, location?: number): void {
    this.problems.push({ kind: 'exists', at: this.at(location), error });
  }

  /** Names of this kind the model knows, for near misses. */
  private known(kind: Kind): string[] {
    const tables = (): string[] => Array.from(this.schema.allTables(), (t) => t.name);
    switch (kind) {
      case 'table':
        return tables();
      case 'index':
        return Array.from(this.schema.allIndexes(), (i) => i.name);
      case 'view':
        return this.schema.objectsOf('view').map((o) => o.name);
      case 'sequence':
        return this.schema.objectsOf('sequence').map((o) => o.name);
      case 'type':
        return [...this.schema.objectsOf('enum'), ...this.schema.objectsOf('type'), ...this.schema.objectsOf('domain')].map((o) => o.name);
      case 'schema':
        return this.schema.objectsOf('schema').map((o) => o.name);
      case 'extension':
        return this.schema.objectsOf('extension').map((o) => o.name);
      default:
        return [...tables(), ...this.schema.objectsOf('view').map((o) => o.name), ...this.schema.objectsOf('sequence').map((o) => o.name)];
    }
  }

  /** Report `error` when the model can know the object is missing: a near miss, or a history that starts empty (not for what extensions may bring). */
  private missing(kind: Kind, name: string, error: string, location?: number): void {
    // The model saw it dropped (explicitly, or with a column, a table, a CASCADE) and nothing has taken the name since.
    const seenDropped = (['table', 'index', 'view', 'sequence'] as const).some((k) => (kind === k || (kind === 'relation' && k !== 'index')) && this.schema.wasDropped(k, name));
    const suggestion = seenDropped ? undefined : nearMiss(name, this.known(kind));
    const extensions = this.schema.objectsOf('extension').length > 0;
    const knowable = seenDropped || (this.options.startsEmpty && !(extensions && (kind === 'type' || kind === 'relation' || kind === 'table' || kind === 'view')));
    if (!suggestion && !knowable) return;
    this.problems.push({ kind: 'missing', at: this.at(location), error, ...(suggestion ? { suggestion: bare(suggestion) } : {}) });
  }

  /**
   * A column or constraint missing from a table the model knows: reported with the member it is a near miss of, or
   * without one when the history starts empty (the model then knows every member).
   */
  private missingMember(name: string, members: Iterable<string>, error: string): void {
    const suggestion = nearMiss(`x.${name}`, Array.from(members, (m) => `x.${m}`));
    if (suggestion || this.options.startsEmpty) this.problems.push({ kind: 'missing', at: this.statement.start, error, ...(suggestion ? { suggestion: suggestion.slice(2) } : {}) });
  }

  private hasRelation(name: string): boolean {
    return this.schema.relationKind(name) !== undefined || this.schema.index(name) !== undefined;
  }

  private hasType(name: string): boolean {
    return ['enum', 'type', 'domain'].some((kind) => this.schema.object(kind as 'enum', name) !== undefined) || this.schema.object('view', name) !== undefined || this.schema.table(name) !== undefined;
  }

  /** A relation the statement uses must exist (`relation "x" does not exist`). */
  private needRelation(rangeVar: AstNode | undefined): boolean {
    if (!rangeVar?.relname) return false;
    const name = relationName(rangeVar);
    if (this.hasRelation(name)) return true;
    this.missing('relation', name, `relation "${bare(name)}" does not exist`, rangeVar.location);
    return false;
  }

  run(): void {
    const n = this.statement.node;
    switch (this.statement.kind) {
      case 'CreateStmt': {
        const name = relationName(n.relation);
        if (!n.if_not_exists && this.hasRelation(name)) this.exists(`relation "${bare(name)}" already exists`, n.relation?.location);
        for (const element of n.tableElts ?? []) {
          const c = element.Constraint ?? {};
          if (c.contype === 'CONSTR_FOREIGN' && c.pktable && relationName(c.pktable) !== name) this.needRelation(c.pktable);
          for (const item of element.ColumnDef?.constraints ?? []) if (item.Constraint?.contype === 'CONSTR_FOREIGN' && relationName(item.Constraint.pktable) !== name) this.needRelation(item.Constraint.pktable);
        }
        return;
      }
      case 'CreateTableAsStmt': {
        const name = relationName(n.into?.rel);
        if (!n.if_not_exists && this.hasRelation(name)) this.exists(`relation "${bare(name)}" already exists`, n.into?.rel?.location);
        return;
      }
      case 'ViewStmt': {
        const name = relationName(n.view);
        if (!n.replace && this.hasRelation(name)) this.exists(`relation "${bare(name)}" already exists`, n.view?.location);
        return;
      }
      case 'CreateSeqStmt': {
        const name = relationName(n.sequence);
        if (!n.if_not_exists && this.hasRelation(name)) this.exists(`relation "${bare(name)}" already exists`, n.sequence?.location);
        return;
      }
      case 'IndexStmt': {
        const schema = n.relation?.schemaname;
        if (n.idxname && !n.if_not_exists && this.hasRelation(qualifiedName(schema, n.idxname))) this.exists(`relation "${n.idxname}" already exists`);
        if (!this.needRelation(n.relation)) return;
        const table = this.schema.table(relationName(n.relation));
        if (!table || table.unknown) return;
        for (const column of [...indexColumns(n.indexParams), ...indexColumns(n.indexIncludingParams)]) {
          if (column === '(expr)' || table.columns.some((c) => c.name === column)) continue;
          this.missingMember(column, table.columns.map((c) => c.name), `column "${column}" does not exist`);
        }
        return;
      }
      case 'CreateEnumStmt':
      case 'CompositeTypeStmt':
      case 'CreateDomainStmt':
      case 'CreateRangeStmt': {
        // A domain's typeName is its base type; its own name is domainname.
        const name = this.statement.kind === 'CompositeTypeStmt' ? relationName(n.typevar) : qualifiedFromList(stringList(this.statement.kind === 'CreateDomainStmt' ? n.domainname : n.typeName));
        if (this.hasType(name)) this.exists(`type "${bare(name)}" already exists`);
        return;
      }
      case 'CreateSchemaStmt':
        if (!n.if_not_exists && this.schema.object('schema', n.schemaname)) this.exists(`schema "${n.schemaname}" already exists`);
        return;
      case 'CreateExtensionStmt':
        if (!n.if_not_exists && this.schema.object('extension', n.extname)) this.exists(`extension "${n.extname}" already exists`);
        return;
      case 'AlterEnumStmt': {
        const name = qualifiedFromList(stringList(n.typeName));
        const labels = this.schema.object('enum', name)?.labels;
        if (labels && !n.oldVal && !n.skipIfNewValExists && labels.includes(n.newVal)) this.exists(`enum label "${n.newVal}" already exists`);
        return;
      }
      case 'CreateTrigStmt': {
        const table = relationName(n.relation);
        if (!this.needRelation(n.relation)) return;
        if (!n.replace && this.schema.object('trigger', `${table}.${n.trigname}`)) this.exists(`trigger "${n.trigname}" for relation "${bare(table)}" already exists`);
        return;
      }
      case 'CreatePolicyStmt': {
        const table = relationName(n.table);
        if (!this.needRelation(n.table)) return;
        if (this.schema.object('policy', `${table}.${n.policy_name}`)) this.exists(`policy "${n.policy_name}" for table "${bare(table)}" already exists`);
        return;
      }
      case 'InsertStmt':
      case 'UpdateStmt':
      case 'DeleteStmt':
        this.needRelation(n.relation);
        return;
      case 'AlterTableStmt':
        return this.alterTable(n);
      case 'DropStmt':
        return this.drop(n);
      case 'RenameStmt':
        return this.rename(n);
      default:
        return;
    }
  }

  private alterTable(n: AstNode): void {
    if (n.objtype && n.objtype !== 'OBJECT_TABLE') return;
    const name = relationName(n.relation);
    if (!this.hasRelation(name)) {
      if (!n.missing_ok) this.missing('relation', name, `relation "${bare(name)}" does not exist`, n.relation?.location);
      return;
    }
    const table = this.schema.table(name);
    if (!table || table.unknown) return;
    // Each command sees the table as the commands before it left it.
    const columns = new Set(table.columns.map((c) => c.name));
    const constraints = new Set(table.constraints.map((c) => c.name));
    const columnMissing = (column: string): void => {
      this.missingMember(column, columns, `column "${column}" of relation "${bare(name)}" does not exist`);
    };
    for (const command of n.cmds ?? []) {
      const cmd = command.AlterTableCmd ?? {};
      switch (cmd.subtype) {
        case 'AT_AddColumn': {
          const column = cmd.def?.ColumnDef?.colname;
          if (columns.has(column) && !cmd.missing_ok) this.exists(`column "${column}" of relation "${bare(name)}" already exists`, cmd.def?.ColumnDef?.location);
          columns.add(column);
          break;
        }
        case 'AT_DropColumn':
          if (!columns.has(cmd.name) && !cmd.missing_ok) columnMissing(cmd.name);
          columns.delete(cmd.name);
          // The constraints that use the column go with it.
          for (const constraint of table.constraints) if (constraint.columns.includes(cmd.name)) constraints.delete(constraint.name);
          break;
        case 'AT_AlterColumnType':
        case 'AT_SetNotNull':
        case 'AT_DropNotNull':
        case 'AT_ColumnDefault':
        case 'AT_SetStatistics':
        case 'AT_SetStorage':
          if (cmd.name && !columns.has(cmd.name)) columnMissing(cmd.name);
          break;
        case 'AT_AddConstraint': {
          const c = cmd.def?.Constraint ?? {};
          if (c.conname && constraints.has(c.conname)) {
            const indexBacked = c.contype === 'CONSTR_PRIMARY' || c.contype === 'CONSTR_UNIQUE' || c.contype === 'CONSTR_EXCLUSION';
            this.exists(indexBacked ? `relation "${c.conname}" already exists` : `constraint "${c.conname}" for relation "${bare(name)}" already exists`, c.location);
          }
          if (c.conname) constraints.add(c.conname);
          if (c.contype === 'CONSTR_FOREIGN' && relationName(c.pktable) !== name) this.needRelation(c.pktable);
          break;
        }
        case 'AT_DropConstraint':
          if (!constraints.has(cmd.name) && !cmd.missing_ok) {
            this.missingMember(cmd.name, constraints, `constraint "${cmd.name}" of relation "${bare(name)}" does not exist`);
          }
          constraints.delete(cmd.name);
          break;
        default:
          break;
      }
    }
  }

  private drop(n: AstNode): void {
    if (n.behavior !== 'DROP_CASCADE') this.dependents(n);
    if (n.missing_ok) return;
    const kinds: Readonly<Record<string, Kind>> = { OBJECT_TABLE: 'table', OBJECT_INDEX: 'index', OBJECT_VIEW: 'view', OBJECT_MATVIEW: 'view', OBJECT_SEQUENCE: 'sequence', OBJECT_TYPE: 'type', OBJECT_DOMAIN: 'type', OBJECT_SCHEMA: 'schema', OBJECT_EXTENSION: 'extension' };
    const kind = kinds[n.removeType];
    if (!kind) return;
    const word = n.removeType === 'OBJECT_MATVIEW' ? 'materialized view' : kind;
    for (const object of n.objects ?? []) {
      const names = object.List ? stringList(object.List.items) : object.String ? [object.String.sval] : object.TypeName ? stringList(object.TypeName.names) : [];
      const unqualified = kind === 'schema' || kind === 'extension';
      const name = unqualified ? (names[names.length - 1] ?? '') : qualifiedFromList(names);
      const present =
        kind === 'table' ? this.schema.relationKind(name) !== undefined :
        kind === 'index' ? this.schema.index(name) !== undefined :
        kind === 'view' || kind === 'sequence' ? this.schema.object(kind, name) !== undefined :
        kind === 'type' ? this.hasType(name) :
        this.schema.object(kind as 'schema' | 'extension', name) !== undefined;
      if (!present) this.missing(kind, name, `${word} "${bare(name)}" does not exist`);
    }
  }

  /**
   * DROP without CASCADE of what other objects depend on fails: a type a column uses, a table another table's foreign
   * key references or a view reads, a view another view reads, an index a constraint owns. Objects dropped by the same
   * statement do not count; tables the model cannot vouch for are not judged.
   */
  private dependents(n: AstNode): void {
    const names = (n.objects ?? []).map((object: AstNode) => qualifiedFromList(object.List ? stringList(object.List.items) : object.String ? [object.String.sval] : object.TypeName ? stringList(object.TypeName.names) : []));
    const dropped = new Set<string>(names);
    const known = (): Table[] => [...this.schema.allTables()].filter((t) => !t.unknown && !dropped.has(t.name));
    for (const name of names) {
      const detail = this.dependentOf(n.removeType, name, known, dropped);
      if (!detail) continue;
      const word = n.removeType === 'OBJECT_MATVIEW' ? 'materialized view' : (n.removeType ?? '').replace(/^OBJECT_/, '').toLowerCase();
      const error = detail.startsWith('constraint ') && n.removeType === 'OBJECT_INDEX' ? `cannot drop index ${bare(name)} because ${detail.replace(/ depends on .*/, '')} requires it` : `cannot drop ${word} ${bare(name)} because other objects depend on it`;
      this.problems.push({ kind: 'dependents', at: this.statement.start, error, detail });
    }
  }

  /** `tables`: the tables that stay, computed only for a drop that asks (a DROP TABLE with a foreign key pointing at it). */
  private dependentOf(removeType: string, name: string, tables: () => readonly Table[], dropped: ReadonlySet<string>): string | undefined {
    const view = (relation: string): string | undefined => {
      const reader = this.schema.dependentViews(relation).find((v) => !dropped.has(v));
      return reader ? `view ${bare(reader)} depends on ${this.schema.relationKind(relation) === 'view' ? 'view' : 'table'} ${bare(relation)}` : undefined;
    };
    switch (removeType) {
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN': {
        for (const table of tables()) {
          const column = table.columns.find((c) => c.type.name === name);
          if (column) return `column ${column.name} of table ${bare(table.name)} depends on type ${bare(name)}`;
        }
        return undefined;
      }
      case 'OBJECT_TABLE': {
        if (!this.schema.table(name) || this.schema.table(name)?.unknown) return undefined;
        for (const table of this.schema.referencing(name)) {
          if (table.unknown || dropped.has(table.name)) continue;
          const key = table.constraints.find((c) => c.type === 'foreign' && c.refTable === name);
          if (key && table.name !== name) return `constraint ${key.name} on table ${bare(table.name)} depends on table ${bare(name)}`;
        }
        return view(name);
      }
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
        return this.schema.object('view', name) ? view(name) : undefined;
      case 'OBJECT_INDEX': {
        const index = this.schema.index(name);
        const table = index && this.schema.table(index.table);
        if (!table || table.unknown) return undefined;
        const bareName = name.slice(name.indexOf('.') + 1);
        const owner = table.constraints.find((c) => c.name === bareName && (c.type === 'primary' || c.type === 'unique' || c.type === 'exclusion'));
        return owner ? `constraint ${owner.name} on table ${bare(table.name)} depends on index ${bare(name)}` : undefined;
      }
      default:
        return undefined;
    }
  }

  private rename(n: AstNode): void {
    switch (n.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE':
      case 'OBJECT_INDEX': {
        const from = relationName(n.relation);
        const to = qualifiedName(n.relation?.schemaname, n.newname);
        if (!this.hasRelation(from)) {
          if (!n.missing_ok) this.missing(n.renameType === 'OBJECT_INDEX' ? 'index' : 'relation', from, `relation "${bare(from)}" does not exist`, n.relation?.location);
          return;
        }
        if (this.hasRelation(to)) this.exists(`relation "${n.newname}" already exists`);
        return;
      }
      case 'OBJECT_COLUMN': {
        const name = relationName(n.relation);
        if (!this.hasRelation(name)) {
          if (!n.missing_ok) this.missing('relation', name, `relation "${bare(name)}" does not exist`, n.relation?.location);
          return;
        }
        const table = this.schema.table(name);
        if (!table || table.unknown) return;
        if (table.columns.some((c) => c.name === n.newname)) this.exists(`column "${n.newname}" of relation "${bare(name)}" already exists`);
        if (!table.columns.some((c) => c.name === n.subname)) {
          this.missingMember(n.subname, table.columns.map((c) => c.name), `column "${n.subname}" does not exist`);
        }
        return;
      }
      default:
        return;
    }
  }
}
