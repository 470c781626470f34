// Draft a down from its up: the up replayed into the schema model statement by statement, and for each statement
// what the model says it changed (created, dropped, altered, renamed) turned back into SQL, in reverse order. What
// was dropped is re-created from the definition the model recorded; what cannot be undone becomes a
// `-- verify:irreversible` line with the reason left to complete; data statements get a comment.
import { join } from 'node:path';
import { LAYOUTS, type Migration, type PairedFiles, type SourceFile } from '../core/migrations/layout.js';
import type { MigrationFolder } from '../core/migrations/folder.js';
import { parsePlpgsql, parseSql, type AstNode, type Statement } from '../core/migrations/parse.js';
import { fileContent } from '../core/migrations/file-content.js';
import { sourceFile, statementText, toMigration } from '../core/migrations/migration.js';
import { qualifiedFromList, qualifiedName, relationName, stringList } from './ast.js';
import { makeObjectName } from './schema-names.js';
import { SchemaModel, type Column, type Constraint, type Index, type NamedObject, type StateChange, type Table } from './schema-model.js';
import { bareName, CannotRender, columnSql, constraintSql, expr, ident, indexSql, literal, qname, typeNameSql, typeRefSql } from './draft-down-sql.js';

export interface DraftedDown {
  /** The down file's text. */
  readonly text: string;
  /** Reasons of the `-- verify:irreversible` lines it holds. */
  readonly irreversible: readonly string[];
  /** False when the up changes no schema (data only, or nothing): the draft is then only comments. */
  readonly changesSchema: boolean;
}

/** One line of a down: a statement, a comment, or an irreversible mark. */
interface Step {
  /** A view made again (and its indexes, its comment): put at the end of the down, once every column is back as it was (`SELECT *` expands to the columns there are). */
  readonly deferred?: boolean;
  /** DROP SEQUENCE of a sequence this up made: after the tables (a default may use it), or not at all when a table it drops owns it. */
  readonly dropsSequence?: string;
  readonly sql?: string;
  readonly note?: string;
  readonly irreversible?: string;
}

const DATA = new Set(['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'TruncateStmt', 'CopyStmt', 'SelectStmt', 'CallStmt', 'MergeStmt']);
const SESSION = new Set(['VariableSetStmt', 'TransactionStmt', 'VariableShowStmt', 'DiscardStmt', 'LockStmt', 'CheckPointStmt', 'VacuumStmt', 'ClusterStmt', 'ReindexStmt', 'RefreshMatViewStmt', 'NotifyStmt', 'ListenStmt']);

/**
 * Draft the down of `migrations[index]` from the schema model replayed over the migrations before it.
 * Call (and await) loadParser() first.
 */
export function draftDown(migrations: readonly Migration[], index: number): DraftedDown {
  const model = new SchemaModel();
  const files = new Map<string, SourceFile>();
  for (const earlier of migrations.slice(0, index)) {
    files.set(earlier.up.path, earlier.up);
    if (!earlier.up.parsed.error) for (const statement of earlier.up.parsed.statements) for (const [inner, file] of expand(statement, earlier.up, files)) model.apply(inner, { migration: earlier.name, file: file.path });
    model.commit();
  }
  const migration = migrations[index];
  if (!migration) throw new RangeError(`no migration at ${index}`);
  files.set(migration.up.path, migration.up);
  return draftFromModel(migration, model, files);
}

/** The drafted down of every migration of a history, in one pass over it. Call (and await) loadParser() first. */
export function draftDowns(migrations: readonly Migration[]): DraftedDown[] {
  const model = new SchemaModel();
  const files = new Map<string, SourceFile>();
  return migrations.map((migration) => {
    files.set(migration.up.path, migration.up);
    const drafted = draftFromModel(migration, model, files);
    model.commit();
    return drafted;
  });
}

/** The down of `migration` from `model`, the schema before its up (the model is left as after the up). */
export function draftFromModel(migration: Migration, model: SchemaModel, files: Map<string, SourceFile>): DraftedDown {
  const up = migration.up;
  const header = [`-- Undoes ${migration.name}: drafted from ${baseName(up.path)} by make draft-down; review it before committing.`];
  if (up.parsed.error) {
    return { text: `${header.join('\n')}\n-- verify:irreversible the up does not parse (${up.parsed.error.message}): write this down by hand\n`, irreversible: ['the up does not parse'], changesSchema: true };
  }
  const noTransaction = up.directives.some((d) => d.kind === 'no-transaction' && d.marker === undefined);
  if (noTransaction) header.push('-- migrate:no-transaction');
  const groups: Step[][] = [];
  const settings: string[] = [];
  let changesSchema = false;
  const context = new DraftContext(model, migration, files);
  for (const outer of up.parsed.statements) {
    if (outer.kind === 'VariableSetStmt' && !outer.node.is_local) settings.push(statementText(up, outer));
    // A DO block's statements are undone one by one, as if written out (its IF NOT EXISTS guards taken as true).
    for (const [statement, file] of expand(outer, up, files)) {
      const mark = model.mark();
      model.apply(statement, { migration: migration.name, file: file.path });
      const changes = model.stateChangesSince(mark);
      const steps = context.inverse(statement, changes, file);
      if (!DATA.has(statement.kind) && !SESSION.has(statement.kind)) changesSchema = true;
      if (steps.length) groups.push(steps);
    }
  }
  const body: string[] = [];
  const irreversible: string[] = [];
  const ordered = groups.reverse().flat().filter((s) => {
    const owner = s.dropsSequence ? model.object('sequence', s.dropsSequence)?.ownedBy?.table : undefined;
    return !(owner && model.isNew(owner, migration.name));
  });
  const sequences = ordered.filter((s) => s.dropsSequence);
  const rest = ordered.filter((s) => !s.dropsSequence);
  for (const step of [...rest.filter((s) => !s.deferred), ...sequences, ...rest.filter((s) => s.deferred)]) {
    {
      if (step.sql) body.push(`${step.sql};`);
      if (step.note) body.push(`-- ${step.note}`);
      if (step.irreversible) {
        irreversible.push(step.irreversible);
        body.push(`-- verify:irreversible ${step.irreversible}`);
      }
    }
  }
  // The up's session settings (search_path above all) name the objects the same way in the down.
  const lines = [...header, ...settings.map((s) => `${s};`), ...body];
  return { text: `${lines.join('\n')}\n`, irreversible, changesSchema };
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

class DraftContext {
  constructor(
    private readonly model: SchemaModel,
    private readonly migration: Migration,
    private readonly files: ReadonlyMap<string, SourceFile>,
  ) {}

  /** True when the object was made by this up: what later statements of the up do to it needs no undoing. */
  private isNew(value: unknown): boolean {
    return (value as { origin?: { migration: string } } | undefined)?.origin?.migration === this.migration.name;
  }

  private relationIsNew(name: string): boolean {
    return this.model.isNew(name, this.migration.name);
  }

  inverse(statement: Statement, changes: readonly StateChange[], file: SourceFile = this.migration.up): Step[] {
    const node = statement.node;
    const lineOf = (at: number): string => (file === this.migration.up ? `line ${file.lines.position(at).line}` : `in the DO block at ${file.path.slice(file.path.lastIndexOf('#') + 1)}`);
    try {
      if (DATA.has(statement.kind)) return this.data(statement, lineOf(statement.start));
      if (SESSION.has(statement.kind)) return [];
      switch (statement.kind) {
        case 'RenameStmt':
          // ALTER ... IF EXISTS of something the model does not know renamed nothing.
          if (node.missing_ok && changes.length === 0 && MODELLED_RENAMES.has(node.renameType)) return [];
          return this.rename(node);
        case 'DoStmt':
          return [{ irreversible: `the up runs a DO block the draft cannot follow (${node.reason ?? 'dynamic SQL'}, ${lineOf(statement.start)}): write what undoes it here, or say why it cannot be undone` }];
        case 'GrantStmt':
          return this.grant(statement, file);
        case 'AlterOwnerStmt':
          return this.isNewName(node.object) ? [] : [{ irreversible: `the up changes an owner (${statementText(file, statement).split('\n')[0]}): the owner before it is not recorded; write it here` }];
        case 'AlterTableStmt':
          return [...this.alterTableExtras(statement), ...this.restore(changes, statement)];
        case 'CommentStmt':
        case 'CreateStmt':
        case 'IndexStmt':
        case 'DropStmt':
        case 'CreateEnumStmt':
        case 'AlterEnumStmt':
        case 'CompositeTypeStmt':
        case 'CreateDomainStmt':
        case 'CreateFunctionStmt':
        case 'AlterFunctionStmt':
        case 'ViewStmt':
        case 'CreateTableAsStmt':
        case 'AlterSeqStmt':
          return [...this.sequenceType(statement), ...this.restore(changes, statement)];
        case 'CreateSeqStmt':
        case 'CreateExtensionStmt':
        case 'CreateSchemaStmt':
        case 'CreateTrigStmt':
        case 'CreatePolicyStmt':
        case 'CreateRoleStmt':
        case 'DropRoleStmt':
          return this.restore(changes, statement);
        default:
          return [{ irreversible: `the draft does not know how to undo ${statement.kind.replace(/Stmt$/, '')} (${lineOf(statement.start)}): write its inverse here` }];
      }
    } catch (error) {
      if (error instanceof CannotRender) return [{ irreversible: `the draft ${error.message} (${lineOf(statement.start)}): write its inverse here` }];
      throw error;
    }
  }

  private isNewName(object: AstNode | undefined): boolean {
    const names = object?.List ? stringList(object.List.items) : object?.RangeVar ? [object.RangeVar.schemaname, object.RangeVar.relname].filter(Boolean) : [];
    return names.length > 0 && this.relationIsNew(qualifiedFromList(names));
  }

  private data(statement: Statement, where: string): Step[] {
    const node = statement.node;
    const target = node.relation ? relationName(node.relation) : undefined;
    if (statement.kind === 'SelectStmt' && !node.fromClause && !(node.targetList ?? []).some((t: AstNode) => JSON.stringify(t).includes('FuncCall'))) return [];
    if (target && this.relationIsNew(target)) return [];
    const verb = statement.kind.replace(/Stmt$/, '').toUpperCase();
    return [{ note: `The up's ${verb} (${where})${target ? ` on ${qname(target)}` : ''} changes data: this down does not restore it.` }];
  }

  // ---- renames: the inverse rename, from the statement

  private rename(node: AstNode): Step[] {
    const to = node.newname as string;
    const relation = node.relation ? relationName(node.relation) : '';
    const renamedRelation = qualifiedName(node.relation?.schemaname, to);
    switch (node.renameType) {
      case 'OBJECT_TABLE':
      case 'OBJECT_FOREIGN_TABLE':
      case 'OBJECT_VIEW':
      case 'OBJECT_MATVIEW':
      case 'OBJECT_SEQUENCE':
      case 'OBJECT_INDEX': {
        const keyword = this.model.index(renamedRelation) ? 'INDEX' : this.model.object('view', renamedRelation) ? (this.model.object('view', renamedRelation)?.attributes?.materialized ? 'MATERIALIZED VIEW' : 'VIEW') : this.model.object('sequence', renamedRelation) ? 'SEQUENCE' : 'TABLE';
        return [{ sql: `ALTER ${keyword} ${qname(renamedRelation)} RENAME TO ${ident(bareName(relation))}` }];
      }
      case 'OBJECT_COLUMN':
        return [{ sql: `ALTER TABLE ${qname(relation)} RENAME COLUMN ${ident(to)} TO ${ident(node.subname)}` }];
      case 'OBJECT_TABCONSTRAINT':
        return [{ sql: `ALTER TABLE ${qname(relation)} RENAME CONSTRAINT ${ident(to)} TO ${ident(node.subname)}` }];
      case 'OBJECT_TRIGGER':
      case 'OBJECT_POLICY':
        return [{ sql: `ALTER ${node.renameType === 'OBJECT_TRIGGER' ? 'TRIGGER' : 'POLICY'} ${ident(to)} ON ${qname(relation)} RENAME TO ${ident(node.subname)}` }];
      case 'OBJECT_SCHEMA':
        return [{ sql: `ALTER SCHEMA ${ident(to)} RENAME TO ${ident(node.subname)}` }];
      case 'OBJECT_ROLE':
        return [{ sql: `ALTER ROLE ${ident(to)} RENAME TO ${ident(node.subname)}` }];
      case 'OBJECT_TYPE':
      case 'OBJECT_DOMAIN':
      case 'OBJECT_FUNCTION':
      case 'OBJECT_PROCEDURE':
      case 'OBJECT_ROUTINE': {
        const withArgs = node.object?.ObjectWithArgs;
        const names = withArgs ? stringList(withArgs.objname) : node.object?.List ? stringList(node.object.List.items) : stringList(node.object?.TypeName?.names);
        const renamed = [...names.slice(0, -1), to].map(ident).join('.');
        const args = withArgs && !withArgs.args_unspecified ? `(${(withArgs.objargs ?? []).map((a: AstNode) => typeNameSql(a.TypeName)).join(', ')})` : '';
        const keyword = { OBJECT_TYPE: 'TYPE', OBJECT_DOMAIN: 'DOMAIN', OBJECT_FUNCTION: 'FUNCTION', OBJECT_PROCEDURE: 'PROCEDURE', OBJECT_ROUTINE: 'ROUTINE' }[node.renameType as string];
        return [{ sql: `ALTER ${keyword} ${renamed}${args} RENAME TO ${ident(names[names.length - 1] ?? '')}` }];
      }
      default:
        return [{ irreversible: `the draft does not know how to rename ${String(node.renameType).replace('OBJECT_', '').toLowerCase()} back: write it here` }];
    }
  }

  // ---- what the model does not follow in ALTER TABLE: row level security, owners, triggers on or off

  private alterTableExtras(statement: Statement): Step[] {
    const node = statement.node;
    const table = relationName(node.relation);
    const keyword = node.objtype === 'OBJECT_INDEX' ? 'INDEX' : node.objtype === 'OBJECT_VIEW' ? 'VIEW' : node.objtype === 'OBJECT_MATVIEW' ? 'MATERIALIZED VIEW' : node.objtype === 'OBJECT_SEQUENCE' ? 'SEQUENCE' : 'TABLE';
    if (this.relationIsNew(table)) return [];
    const out: Step[] = [];
    const alter = (clause: string): Step => ({ sql: `ALTER ${keyword} ${qname(table)} ${clause}` });
    const swaps: Readonly<Record<string, string>> = {
      AT_EnableRowSecurity: 'DISABLE ROW LEVEL SECURITY',
      AT_DisableRowSecurity: 'ENABLE ROW LEVEL SECURITY',
      AT_ForceRowSecurity: 'NO FORCE ROW LEVEL SECURITY',
      AT_NoForceRowSecurity: 'FORCE ROW LEVEL SECURITY',
      AT_SetLogged: 'SET UNLOGGED',
      AT_SetUnLogged: 'SET LOGGED',
      AT_EnableTrigAll: 'DISABLE TRIGGER ALL',
      AT_DisableTrigAll: 'ENABLE TRIGGER ALL',
      AT_EnableTrigUser: 'DISABLE TRIGGER USER',
      AT_DisableTrigUser: 'ENABLE TRIGGER USER',
    };
    for (const command of node.cmds ?? []) {
      const cmd = command.AlterTableCmd ?? {};
      const swap = swaps[cmd.subtype];
      if (swap) out.push(alter(swap));
      else if (cmd.subtype === 'AT_EnableTrig' || cmd.subtype === 'AT_DisableTrig') out.push(alter(`${cmd.subtype === 'AT_EnableTrig' ? 'DISABLE' : 'ENABLE'} TRIGGER ${ident(cmd.name)}`));
      else if (cmd.subtype === 'AT_AlterConstraint') {
        // The model keeps a constraint's deferral as first written: say it again.
        const name = cmd.def?.Constraint?.conname;
        const constraint = this.model.table(table)?.constraints.find((c) => c.name === name);
        if (!constraint?.node) out.push({ irreversible: `the draft does not know how constraint ${name} on ${qname(table)} was deferred before: write it here` });
        else out.push(alter(`ALTER CONSTRAINT ${ident(name)} ${constraint.node.deferrable ? 'DEFERRABLE' : 'NOT DEFERRABLE'} INITIALLY ${constraint.node.initdeferred ? 'DEFERRED' : 'IMMEDIATE'}`));
      } else if (cmd.subtype === 'AT_ChangeOwner') out.push({ irreversible: `the up changes the owner of ${qname(table)}: the owner before it is not recorded; write it here` });
      else if (cmd.subtype === 'AT_ReplicaIdentity') out.push(alter('REPLICA IDENTITY DEFAULT'));
      else if (!MODELLED_COMMANDS.has(cmd.subtype) || keyword !== 'TABLE') out.push({ irreversible: `the draft does not know how to undo ALTER ${keyword} ... ${String(cmd.subtype).replace('AT_', '')} on ${qname(table)}: write its inverse here` });
    }
    return out;
  }

  /** ALTER SEQUENCE ... AS: the type before (a serial's, or what its CREATE SEQUENCE said, else bigint); other options are not recorded. */
  private sequenceType(statement: Statement): Step[] {
    const node = statement.node;
    const name = relationName(node.sequence);
    const sequence = this.model.object('sequence', name);
    if (!sequence || this.isNew(sequence)) return [];
    const options = (node.options ?? []).map((o: AstNode) => o.DefElem?.defname);
    const out: Step[] = [];
    if (options.includes('as')) {
      const serial = Object.keys(sequence.attributes ?? {}).map((k) => SERIAL_SEQUENCE_TYPE[k]).find(Boolean);
      const declared = this.sourceNode(sequence)?.options?.find((o: AstNode) => o.DefElem?.defname === 'as')?.DefElem?.arg?.TypeName;
      out.push({ sql: `ALTER SEQUENCE ${qname(name)} AS ${serial ?? (declared ? typeNameSql(declared) : 'bigint')}` });
    }
    if (options.some((o: string) => o !== 'as' && o !== 'owned_by' && o !== 'restart')) out.push({ irreversible: `the up changes options of sequence ${qname(name)} the model does not record: put them back here` });
    return out;
  }

  // ---- GRANT and REVOKE: the other one

  private grant(statement: Statement, file: SourceFile): Step[] {
    const node = statement.node;
    const objects = (node.objects ?? []) as AstNode[];
    if (node.targtype === 'ACL_TARGET_OBJECT' && objects.every((o) => o.RangeVar && this.relationIsNew(relationName(o.RangeVar)))) return [];
    const text = statementText(file, statement);
    // The privileges, objects and roles as written: swap the verb and TO/FROM, drop WITH GRANT OPTION.
    const match = node.is_grant ? /^\s*GRANT\s+([\s\S]+?)\s+TO\s+([\s\S]+?)(\s+WITH\s+GRANT\s+OPTION)?(\s+GRANTED\s+BY[\s\S]*)?$/i.exec(text) : /^\s*REVOKE\s+(GRANT\s+OPTION\s+FOR\s+)?([\s\S]+?)\s+FROM\s+([\s\S]+?)(\s+(CASCADE|RESTRICT))?$/i.exec(text);
    if (!match) return [{ irreversible: `the draft cannot read the ${node.is_grant ? 'GRANT' : 'REVOKE'} (${file.lines.position(statement.start).line}): write its inverse here` }];
    if (node.is_grant) return [{ sql: `REVOKE ${match[1]} FROM ${match[2]}` }];
    return [{ sql: `GRANT ${match[2]} TO ${match[3]}${match[1] ? ' WITH GRANT OPTION' : ''}` }];
  }

  // ---- what the model saw change, put back

  private restore(changes: readonly StateChange[], statement: Statement): Step[] {
    const concurrently = Boolean(statement.node.concurrent);
    const createdTables = new Set(changes.filter((c) => c.kind === 'table' && c.before === undefined && c.after !== undefined).map((c) => c.name));
    const droppedTables = new Set(changes.filter((c) => c.kind === 'table' && c.before !== undefined && c.after === undefined).map((c) => c.name));
    const removals: Step[] = [];
    // Restored in dependency order: types and functions, tables, their columns and constraints, views, indexes, then
    // triggers, policies, ownership and comments.
    const restores: Step[][] = [[], [], [], [], [], [], [], []];
    const [BASE, TABLES, COLUMNS, CONSTRAINTS, FOREIGN, VIEWS, INDEXES, LATE] = restores as [Step[], Step[], Step[], Step[], Step[], Step[], Step[], Step[]];
    for (const change of [...changes].reverse()) {
      const { kind, before, after } = change;
      if (kind === 'table') {
        const b = before as Table | undefined;
        const a = after as Table | undefined;
        if (!b && a) removals.push({ sql: `DROP TABLE ${qname(a.name)}` });
        else if (b && !a) this.recreateTable(b, TABLES, FOREIGN, LATE);
        else if (b && a && !this.isNew(b)) this.alterTable(b, a, removals, COLUMNS, CONSTRAINTS, FOREIGN, LATE);
        // A foreign key added to a table this up made still has to go before the table it references is dropped.
        else if (b && a) for (const fk of a.constraints) if (fk.type === 'foreign' && !b.constraints.some((c) => c.name === fk.name)) removals.push({ sql: `ALTER TABLE ${qname(a.name)} DROP CONSTRAINT ${ident(fk.name)}` });
        continue;
      }
      if (kind === 'index') {
        const b = before as Index | undefined;
        const a = after as Index | undefined;
        const fromConstraint = (i: Index | undefined): boolean => Boolean(i?.definition?.startsWith('constraint '));
        if (!b && a) {
          if (!fromConstraint(a) && !createdTables.has(a.table)) removals.push({ sql: `DROP INDEX ${concurrently ? 'CONCURRENTLY ' : ''}${qname(a.name)}` });
        } else if (b && !a) {
          if (!fromConstraint(b)) INDEXES.push({ sql: indexSql(b, concurrently) }, ...this.commentOn(`INDEX ${qname(b.name)}`, undefined, b.comment));
        } else if (b && a && !this.isNew(b)) {
          // The same index whose stored definition the model stopped vouching for (a type change): alterTable() rebuilds it.
          if (b.definition !== a.definition && b.node !== a.node && !fromConstraint(b)) {
            removals.push({ sql: `DROP INDEX ${qname(a.name)}` });
            INDEXES.push({ sql: indexSql(b) });
          }
          if (b.comment !== a.comment) LATE.push(...this.commentOn(`INDEX ${qname(b.name)}`, a.comment, b.comment));
        }
        continue;
      }
      const b = before as NamedObject | undefined;
      const a = after as NamedObject | undefined;
      if (!b && a) {
        const owner = kind === 'trigger' || kind === 'policy' ? a.name.slice(0, a.name.lastIndexOf('.')) : undefined;
        if (a.attributes?.implicit || (owner && createdTables.has(owner))) continue;
        removals.push({ sql: this.dropObject(a), ...(kind === 'sequence' ? { dropsSequence: a.name } : {}) });
      } else if (b && !a) {
        if (b.attributes?.implicit) {
          // A serial's sequence dropped on its own (DROP DEFAULT, DROP SEQUENCE): made again, owned by its column.
          const owner = b.ownedBy && (this.model.table(b.ownedBy.table)?.columns.find((c) => c.name === b.ownedBy!.column));
          if (!owner || droppedTables.has(b.ownedBy!.table)) continue;
          const as = Object.keys(b.attributes ?? {}).map((k) => SERIAL_SEQUENCE_TYPE[k]).find(Boolean);
          BASE.push({ sql: `CREATE SEQUENCE ${qname(b.name)}${as ? ` AS ${as}` : ''}` });
          LATE.push({ sql: `ALTER SEQUENCE ${qname(b.name)} OWNED BY ${qname(b.ownedBy!.table)}.${ident(b.ownedBy!.column)}` });
          continue;
        }
        const owner = kind === 'trigger' || kind === 'policy' ? b.name.slice(0, b.name.lastIndexOf('.')) : undefined;
        const stage = kind === 'view' ? VIEWS : kind === 'trigger' || kind === 'policy' ? LATE : BASE;
        stage.push(...this.recreateObject(b));
        if (kind === 'sequence' && b.ownedBy) LATE.push({ sql: `ALTER SEQUENCE ${qname(b.name)} OWNED BY ${qname(b.ownedBy.table)}.${ident(b.ownedBy.column)}` });
      } else if (b && a && !this.isNew(b)) {
        this.changeObject(b, a, removals, b.kind === 'view' ? VIEWS : BASE, LATE);
      }
    }
    const views = new Set(VIEWS.map((s) => s.sql));
    const viewNames = new Set(changes.filter((c) => c.kind === 'view').map((c) => c.name));
    return [...removals, ...restores.flat().map((step) => (views.has(step.sql) || (step.sql && this.onView(step.sql, viewNames)) ? { ...step, deferred: true } : step))];
  }

  /** CREATE INDEX or COMMENT ON a (materialized) view the model knows. */
  private onView(sql: string, views: ReadonlySet<string>): boolean {
    const match = /^(?:CREATE (?:UNIQUE )?INDEX \S+ ON (?:ONLY )?(\S+)|COMMENT ON (?:MATERIALIZED )?VIEW (\S+))/.exec(sql);
    const name = match?.[1] ?? match?.[2];
    if (!name) return false;
    const qualified = name.includes('.') ? name.replace(/"/g, '') : `public.${name.replace(/"/g, '')}`;
    return views.has(qualified) || this.model.object('view', qualified) !== undefined;
  }

  private recreateTable(table: Table, tables: Step[], foreign: Step[], late: Step[]): void {
    if (table.unknown || table.partitioned) {
      tables.push({ irreversible: `the model cannot re-create table ${qname(table.name)} (made by CREATE TABLE AS, LIKE, INHERITS, PARTITION or changed by dynamic SQL): write its CREATE TABLE here` });
      return;
    }
    const own = table.constraints.filter((c) => c.type !== 'foreign' && c.type !== 'notnull');
    const lines = [...table.columns.map(columnSql), ...own.map(constraintSql)];
    tables.push({ sql: `CREATE TABLE ${qname(table.name)} (\n    ${lines.join(',\n    ')}\n)` });
    for (const fk of table.constraints.filter((c) => c.type === 'foreign')) foreign.push({ sql: `ALTER TABLE ${qname(table.name)} ADD ${constraintSql(fk)}` });
    tables.push({ note: `The rows of ${qname(table.name)} are not restored.` });
    late.push(...this.commentOn(`TABLE ${qname(table.name)}`, undefined, table.comment));
    for (const column of table.columns) late.push(...this.commentOn(`COLUMN ${qname(table.name)}.${ident(column.name)}`, undefined, column.comment));
    for (const constraint of table.constraints) late.push(...this.commentOn(`CONSTRAINT ${ident(constraint.name)} ON ${qname(table.name)}`, undefined, constraint.comment));
  }

  private alterTable(b: Table, a: Table, removals: Step[], columns: Step[], constraints: Step[], foreign: Step[], late: Step[]): void {
    const t = qname(a.name);
    const beforeColumns = new Map(b.columns.map((c) => [c.name, c]));
    const afterColumns = new Map(a.columns.map((c) => [c.name, c]));
    const beforeConstraints = new Map(b.constraints.map((c) => [c.name, c]));
    const afterConstraints = new Map(a.constraints.map((c) => [c.name, c]));
    // Constraints first (a primary key before the NOT NULL it brought), then columns.
    for (const [name, constraint] of afterConstraints) {
      const old = beforeConstraints.get(name);
      if (old && sameConstraint(old, constraint)) continue;
      if (constraint.columns.some((c) => !beforeColumns.has(c))) continue; // goes with its new column
      removals.push({ sql: `ALTER TABLE ${t} DROP CONSTRAINT ${ident(name)}` });
    }
    for (const [name, column] of afterColumns) if (!beforeColumns.has(name)) removals.push({ sql: `ALTER TABLE ${t} DROP COLUMN ${ident(name)}` });
    for (const [name, column] of beforeColumns) {
      const now = afterColumns.get(name);
      if (!now) {
        columns.push({ sql: `ALTER TABLE ${t} ADD COLUMN ${columnSql(column)}` }, { note: `The values of ${t}.${ident(name)} are not restored.` });
        late.push(...this.commentOn(`COLUMN ${t}.${ident(name)}`, undefined, column.comment));
        continue;
      }
      columns.push(...this.alterColumn(t, column, now));
      // An index expression or predicate keeps the casts the type change put in it: build those indexes again.
      if (typeRefSql(column.type) !== typeRefSql(now.type)) {
        for (const index of this.model.indexesUsing(a.name, name)) {
          const expressions = index.node && ((index.node.indexParams ?? []).some((p: AstNode) => p.IndexElem?.expr) || index.node.whereClause);
          if (expressions) columns.push({ sql: `DROP INDEX ${qname(index.name)}` }, { sql: indexSql(index) });
        }
      }
      if (column.comment !== now.comment) late.push(...this.commentOn(`COLUMN ${t}.${ident(name)}`, now.comment, column.comment));
    }
    for (const [name, constraint] of beforeConstraints) {
      const now = afterConstraints.get(name);
      if (now && sameConstraint(constraint, now)) {
        if (constraint.comment !== now.comment) late.push(...this.commentOn(`CONSTRAINT ${ident(name)} ON ${t}`, now.comment, constraint.comment));
        continue;
      }
      if (constraint.type === 'notnull') continue;
      (constraint.type === 'foreign' ? foreign : constraints).push({ sql: `ALTER TABLE ${t} ADD ${constraintSql(constraint)}` });
      late.push(...this.commentOn(`CONSTRAINT ${ident(name)} ON ${t}`, undefined, constraint.comment));
    }
    if (b.comment !== a.comment) late.push(...this.commentOn(`TABLE ${t}`, a.comment, b.comment));
  }

  private alterColumn(t: string, was: Column, now: Column): Step[] {
    const out: Step[] = [];
    const column = `ALTER TABLE ${t} ALTER COLUMN ${ident(was.name)}`;
    const typeChanged = typeRefSql(was.type) !== typeRefSql(now.type);
    const defaultChanged = (was.defaultText ?? '') !== (now.defaultText ?? '');
    if (typeChanged && now.hasDefault && now.defaultExpr) out.push({ sql: `${column} DROP DEFAULT` });
    if (typeChanged) {
      const type = typeRefSql(was.type).replace(/^(big|small)?serial$/, (_, size) => (size === 'big' ? 'bigint' : size === 'small' ? 'smallint' : 'integer'));
      out.push({ sql: `${column} TYPE ${type}${needsUsing(was.type.name, now.type.name) ? ` USING ${usingBack(ident(was.name), type, was.type.name, now.type.name)}` : ''}` });
    }
    // A default without an expression is a serial's nextval().
    const serial = was.hasDefault && !was.defaultExpr && !was.identity && !was.generated;
    if (serial && !now.hasDefault) out.push({ sql: `${column} SET DEFAULT nextval(${literal(qname(serialSequenceName(t, was.name)))}::regclass)` });
    else if (defaultChanged || (typeChanged && now.hasDefault && now.defaultExpr)) {
      if (was.hasDefault && was.defaultExpr) out.push({ sql: `${column} SET DEFAULT ${expr(was.defaultExpr)}` });
      else if (!typeChanged || !now.defaultExpr) out.push({ sql: `${column} DROP DEFAULT` });
    }
    if (was.identity !== now.identity) out.push({ sql: was.identity ? `${column} ADD GENERATED ${was.identityKind === 'always' ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` : `${column} DROP IDENTITY` });
    if (was.notNull !== now.notNull && !(was.identity && !now.identity && was.notNull)) out.push({ sql: `${column} ${was.notNull ? 'SET' : 'DROP'} NOT NULL` });
    return out;
  }

  private changeObject(b: NamedObject, a: NamedObject, removals: Step[], base: Step[], late: Step[]): void {
    const definitionChanged = (b.definition ?? '') !== (a.definition ?? '') || (b.executes ?? '') !== (a.executes ?? '');
    if (b.kind === 'enum' && (b.labels ?? []).join('\u0000') !== (a.labels ?? []).join('\u0000')) base.push(...this.enumBack(b, a));
    else if (definitionChanged || JSON.stringify(b.attributes ?? {}) !== JSON.stringify(a.attributes ?? {})) {
      if (b.kind === 'function') base.push(...this.fromSource(b, true));
      else if (b.kind === 'sequence') late.push({ irreversible: `the up changes sequence ${qname(b.name)}: its options before are not recorded; write them here` });
      else {
        removals.push({ sql: this.dropObject(a) });
        (b.kind === 'view' || b.kind === 'trigger' || b.kind === 'policy' ? late : base).push(...this.fromSource(b, false));
      }
    }
    if (b.kind === 'sequence' && JSON.stringify(b.ownedBy ?? null) !== JSON.stringify(a.ownedBy ?? null)) {
      late.push({ sql: `ALTER SEQUENCE ${qname(b.name)} OWNED BY ${b.ownedBy ? `${qname(b.ownedBy.table)}.${ident(b.ownedBy.column)}` : 'NONE'}` });
    }
    if (b.comment !== a.comment) late.push(...this.commentOn(this.commentTarget(b), a.comment, b.comment));
  }

  /** An enum back to its labels: a renamed label renamed back; added labels by rebuilding the type. */
  private enumBack(b: NamedObject, a: NamedObject): Step[] {
    const was = b.labels ?? [];
    const now = a.labels ?? [];
    const t = qname(b.name);
    if (was.length === now.length) {
      const out: Step[] = [];
      for (let i = 0; i < was.length; i++) if (was[i] !== now[i]) out.push({ sql: `ALTER TYPE ${t} RENAME VALUE ${literal(now[i]!)} TO ${literal(was[i]!)}` });
      return out;
    }
    const added = now.filter((l) => !was.includes(l));
    const old = `${bareName(b.name).slice(0, 50)}_before_down`;
    const oldName = b.name.includes('.') && !b.name.startsWith('public.') ? `${ident(b.name.slice(0, b.name.indexOf('.')))}.${ident(old)}` : ident(old);
    const out: Step[] = [
      { note: `PostgreSQL cannot drop an enum label: rebuild ${t} without ${added.map(literal).join(', ')} (fails while a row still holds one).` },
      { sql: `ALTER TYPE ${t} RENAME TO ${ident(old)}` },
      { sql: `CREATE TYPE ${t} AS ENUM (${was.map(literal).join(', ')})` },
    ];
    for (const table of this.model.allTables()) {
      for (const column of table.columns) {
        if (column.type.name !== b.name) continue;
        const c = `ALTER TABLE ${qname(table.name)} ALTER COLUMN ${ident(column.name)}`;
        const array = column.type.array ? '[]' : '';
        if (column.defaultExpr) out.push({ sql: `${c} DROP DEFAULT` });
        out.push({ sql: `${c} TYPE ${t}${array} USING ${ident(column.name)}::text${array}::${t}${array}` });
        if (column.defaultExpr) out.push({ sql: `${c} SET DEFAULT ${expr(column.defaultExpr)}` });
      }
    }
    out.push({ sql: `DROP TYPE ${oldName}` });
    out.push(...this.commentOn(`TYPE ${t}`, undefined, b.comment));
    return out;
  }

  private recreateObject(b: NamedObject): Step[] {
    switch (b.kind) {
      case 'enum':
        return [{ sql: `CREATE TYPE ${qname(b.name)} AS ENUM (${(b.labels ?? []).map(literal).join(', ')})` }, ...this.commentOn(`TYPE ${qname(b.name)}`, undefined, b.comment)];
      case 'extension':
        return [{ sql: `CREATE EXTENSION ${ident(b.name)}` }, ...this.commentOn(`EXTENSION ${ident(b.name)}`, undefined, b.comment)];
      case 'schema':
        return [{ sql: `CREATE SCHEMA ${ident(b.name)}` }, ...this.commentOn(`SCHEMA ${ident(b.name)}`, undefined, b.comment)];
      case 'role':
        return [{ irreversible: `the up drops role ${ident(b.name)}: its attributes and memberships are not recorded; re-create it here` }];
      default: {
        return [...this.fromSource(b, false), ...this.commentOn(this.commentTarget(b), undefined, b.comment)];
      }
    }
  }

  /** The statement that made the object's definition, as written (`orReplace`: as CREATE OR REPLACE). */
  private fromSource(object: NamedObject, orReplace: boolean): Step[] {
    const source = object.source;
    const file = source && this.files.get(source.file);
    if (!source || !file) return [{ irreversible: `the model has no definition of ${object.kind} ${qname(object.name)} to re-create it from: write it here` }];
    let text = statementText(file, source).trim();
    if (orReplace && !/^CREATE\s+OR\s+REPLACE\b/i.test(text)) text = text.replace(/^CREATE\b/i, 'CREATE OR REPLACE');
    if (!orReplace) text = text.replace(/^CREATE\s+OR\s+REPLACE\s+(?=(VIEW|FUNCTION|PROCEDURE|TRIGGER|RULE|AGGREGATE)\b)/i, 'CREATE ');
    return [{ sql: text }];
  }

  private dropObject(object: NamedObject): string {
    const name = qname(object.name);
    switch (object.kind) {
      case 'enum':
      case 'type':
        return `DROP TYPE ${name}`;
      case 'domain':
        return `DROP DOMAIN ${name}`;
      case 'view':
        return object.attributes?.table ? `DROP TABLE ${name}` : `DROP ${object.attributes?.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${name}`;
      case 'sequence':
        return `DROP SEQUENCE ${name}`;
      case 'extension':
        return `DROP EXTENSION ${ident(object.name)}`;
      case 'schema':
        return `DROP SCHEMA ${ident(object.name)}`;
      case 'role':
        return `DROP ROLE ${ident(object.name)}`;
      case 'trigger':
      case 'policy': {
        const dot = object.name.lastIndexOf('.');
        return `DROP ${object.kind.toUpperCase()} ${ident(object.name.slice(dot + 1))} ON ${qname(object.name.slice(0, dot))}`;
      }
      case 'function': {
        const node = this.sourceNode(object);
        const keyword = node?.is_procedure ? 'PROCEDURE' : 'FUNCTION';
        const args = (node?.parameters ?? [])
          .map((p: AstNode) => p.FunctionParameter)
          .filter((p: AstNode) => p && p.mode !== 'FUNC_PARAM_OUT' && p.mode !== 'FUNC_PARAM_TABLE')
          .map((p: AstNode) => `${p.mode === 'FUNC_PARAM_VARIADIC' ? 'VARIADIC ' : ''}${typeNameSql(p.argType)}`);
        return `DROP ${keyword} ${name}${node ? `(${args.join(', ')})` : ''}`;
      }
      default:
        return `DROP ${String(object.kind).toUpperCase()} ${name}`;
    }
  }

  private sourceNode(object: NamedObject): AstNode | undefined {
    const source = object.source;
    const file = source && this.files.get(source.file);
    if (!source || !file) return undefined;
    const parsed = parseSql(statementText(file, source));
    return parsed.statements[0]?.node;
  }

  private commentTarget(object: NamedObject): string {
    const name = qname(object.name);
    switch (object.kind) {
      case 'enum':
      case 'type':
        return `TYPE ${name}`;
      case 'view':
        return `${object.attributes?.materialized ? 'MATERIALIZED VIEW' : 'VIEW'} ${name}`;
      case 'trigger':
      case 'policy': {
        const dot = object.name.lastIndexOf('.');
        return `${object.kind.toUpperCase()} ${ident(object.name.slice(dot + 1))} ON ${qname(object.name.slice(0, dot))}`;
      }
      case 'extension':
      case 'schema':
        return `${object.kind.toUpperCase()} ${ident(object.name)}`;
      default:
        return `${object.kind.toUpperCase()} ${name}`;
    }
  }

  private commentOn(target: string, now: string | undefined, was: string | undefined): Step[] {
    if (now === was) return [];
    return [{ sql: `COMMENT ON ${target} IS ${was === undefined ? 'NULL' : literal(was)}` }];
  }
}

/** Renames the model follows: when one changed nothing, there was nothing to rename. */
const MODELLED_RENAMES = new Set(['OBJECT_TABLE', 'OBJECT_VIEW', 'OBJECT_MATVIEW', 'OBJECT_SEQUENCE', 'OBJECT_INDEX', 'OBJECT_COLUMN', 'OBJECT_TABCONSTRAINT', 'OBJECT_TYPE', 'OBJECT_DOMAIN', 'OBJECT_FUNCTION', 'OBJECT_TRIGGER', 'OBJECT_POLICY']);

/** ALTER TABLE commands whose effect the model records (restore() puts them back). */
const MODELLED_COMMANDS = new Set([
  'AT_AddColumn',
  'AT_DropColumn',
  'AT_AlterColumnType',
  'AT_SetNotNull',
  'AT_DropNotNull',
  'AT_ColumnDefault',
  'AT_AddIdentity',
  'AT_DropIdentity',
  'AT_AddConstraint',
  'AT_ValidateConstraint',
  'AT_DropConstraint',
  'AT_EnableRowSecurity',
  'AT_DisableRowSecurity',
  'AT_ForceRowSecurity',
  'AT_NoForceRowSecurity',
  'AT_SetLogged',
  'AT_SetUnLogged',
  'AT_EnableTrig',
  'AT_DisableTrig',
  'AT_EnableTrigAll',
  'AT_DisableTrigAll',
  'AT_EnableTrigUser',
  'AT_DisableTrigUser',
  'AT_AlterConstraint',
  'AT_ChangeOwner',
  'AT_ReplicaIdentity',
]);

function sameConstraint(a: Constraint, b: Constraint): boolean {
  return a.type === b.type && a.definition === b.definition && a.columns.join(',') === b.columns.join(',') && a.refTable === b.refTable && (a.refColumns ?? []).join(',') === (b.refColumns ?? []).join(',') && a.notValid === b.notValid;
}

const FAMILIES: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['text', 'varchar', 'bpchar']),
  new Set(['int2', 'int4', 'int8', 'numeric', 'float4', 'float8', 'serial', 'bigserial', 'smallserial']),
  new Set(['timestamp', 'timestamptz', 'date']),
  new Set(['json', 'jsonb']),
];

/** ALTER COLUMN ... TYPE needs USING when no assignment cast leads back (text to integer, jsonb to an enum ...). */
function needsUsing(to: string, from: string): boolean {
  return !FAMILIES.some((family) => family.has(to) && family.has(from));
}

/** A drafted down for one migration of a folder, and where it goes. */
export interface FolderDraft extends DraftedDown {
  readonly migration: string;
  /** The down file's path inside the folder, when the layout keeps the down in a file of its own. */
  readonly downPath?: string;
  /** The down file's text now (undefined when it does not exist). */
  readonly existing?: string;
}

export class DraftDownError extends Error {
  readonly code = 'draft-down';
}

/**
 * Draft the down of the migration of `folder` named `target`: its name (`<version>_<slug>`), its version, or its up
 * file's name. Call (and await) loadParser() first.
 */
export function draftDownInFolder(folder: MigrationFolder, target: string): FolderDraft {
  const wanted = target.replace(/^.*\//, '');
  const migrations: Migration[] = [];
  let index = -1;
  let pair: PairedFiles | undefined;
  for (const candidate of folder.pairs) {
    const migration = toMigration(folder, candidate);
    if (!migration) continue;
    const matches = candidate.name === wanted || candidate.version === wanted || candidate.upPath === wanted || candidate.upPath.endsWith(`/${wanted}`) || candidate.downPath === wanted;
    if (matches && index < 0) {
      index = migrations.length;
      pair = candidate;
    }
    migrations.push(migration);
  }
  if (index < 0 || !pair) throw new DraftDownError(`${join(folder.directory, wanted)}: no migration of that name in ${folder.directory} (give <version>_<slug>, as make new printed it).`);
  const drafted = draftDown(migrations, index);
  const downPath = pair.singleFile ? undefined : (pair.downPath ?? downPathOf(pair));
  const existing = pair.downPath ? folder.content(pair.downPath)?.text : undefined;
  return { ...drafted, migration: pair.name, ...(downPath ? { downPath } : {}), ...(existing !== undefined ? { existing } : {}) };
}

/** True when a down holds no SQL and no directive: what `make new` writes, or an empty file. Call loadParser() first. */
export function isTemplateDown(text: string): boolean {
  const parsed = parseSql(text);
  return !parsed.error && parsed.statements.length === 0 && !/--\s*verify:irreversible\b/.test(text);
}

/** Where a missing down file goes, for the layouts that keep the down in a file beside the up. */
export function downPathOf(pair: PairedFiles): string | undefined {
  if (LAYOUTS[pair.layout].unit !== 'file') return undefined;
  if (/\.up\.sql$/.test(pair.upPath)) return pair.upPath.replace(/\.up\.sql$/, '.down.sql');
  if (/(^|\/)up\.sql$/.test(pair.upPath)) return pair.upPath.replace(/up\.sql$/, 'down.sql');
  return undefined;
}

/** What `--draft-down` and `make draft-down` did: the text printed, or the file written. */
export interface DraftDownOutcome {
  readonly draft: FolderDraft;
  /** The path written (folder joined), when `write` was asked and allowed. */
  readonly written?: string;
}

/**
 * Draft the down of `target` (an up file's path, or a folder plus a migration name) and, with `write`, write it into
 * the down file, refusing one that holds more than the template. Throws DraftDownError with a one-line message.
 */
export async function runDraftDown(directory: string, target: string, write: boolean): Promise<DraftDownOutcome> {
  const { readMigrationFolder, NoSuchFolderError } = await import('../core/migrations/folder.js');
  const { loadParser } = await import('../core/migrations/parse.js');
  let folder: MigrationFolder;
  try {
    folder = readMigrationFolder(directory);
  } catch (error) {
    if (error instanceof NoSuchFolderError) throw new DraftDownError(`${directory}: no such migrations folder.`);
    throw error;
  }
  await loadParser();
  const draft = draftDownInFolder(folder, target);
  if (!write) return { draft };
  if (!draft.downPath) throw new DraftDownError(`${join(directory, draft.migration)}: its layout keeps the down in the up's file; paste the draft (run without writing) into its down section.`);
  const path = join(directory, draft.downPath);
  if (draft.existing !== undefined && !isTemplateDown(draft.existing)) throw new DraftDownError(`${path}:1: already holds a down (SQL or a verify:irreversible line), so it was not overwritten: empty it first, or compare it with the draft printed by --draft-down.`);
  const { writeFileSync, mkdirSync } = await import('node:fs');
  const { dirname } = await import('node:path');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, draft.text);
  return { draft, written: path };
}

/**
 * A statement as the model should see it: itself, or for a DO block the SQL statements its PL/pgSQL body runs (the
 * THEN branch of each IF, the body of each BEGIN ... END), each in a file of its own (`<up>#do<n>`) registered in
 * `files`. A block with dynamic EXECUTE, a loop or a CASE stays one opaque DoStmt carrying the reason.
 */
function expand(statement: Statement, file: SourceFile, files: Map<string, SourceFile>): Array<[Statement, SourceFile]> {
  if (statement.kind !== 'DoStmt') return [[statement, file]];
  const opaque = (reason: string): Array<[Statement, SourceFile]> => [[{ ...statement, node: { ...statement.node, reason } }, file]];
  const language = (statement.node.args ?? []).find((a: AstNode) => a.DefElem?.defname === 'language')?.DefElem?.arg?.String?.sval;
  if (language && language !== 'plpgsql') return opaque(`a DO block in ${language}`);
  let tree: AstNode;
  try {
    tree = parsePlpgsql(`${statementText(file, statement)};`) as AstNode;
  } catch {
    return opaque('its body does not parse');
  }
  const queries: string[] = [];
  let reason: string | undefined;
  const walk = (body: readonly AstNode[] | undefined): void => {
    for (const item of body ?? []) {
      const [kind, node] = Object.entries(item)[0] ?? ['', {}];
      if (kind === 'PLpgSQL_stmt_execsql') queries.push(String(node.sqlstmt?.PLpgSQL_expr?.query ?? ''));
      else if (kind === 'PLpgSQL_stmt_if') walk(node.then_body);
      else if (kind === 'PLpgSQL_stmt_block') walk(node.body);
      else if (kind === 'PLpgSQL_stmt_dynexecute') reason ??= 'it runs EXECUTE of a string built at run time';
      else if (/^PLpgSQL_stmt_(fori|fors|forc|foreach_a|while|loop|dynfors|case)$/.test(kind)) reason ??= 'it loops or branches over data';
    }
  };
  const functions = tree.plpgsql_funcs as AstNode[] | undefined;
  walk(functions?.[0]?.PLpgSQL_function?.action?.PLpgSQL_stmt_block?.body);
  if (reason) return opaque(reason);
  const out: Array<[Statement, SourceFile]> = [];
  queries.forEach((query, i) => {
    const path = `${file.path}#do${file.lines.position(statement.start).line}.${i + 1}`;
    const inner = sourceFile(path, fileContent(Buffer.from(query, 'utf8')));
    files.set(path, inner);
    for (const s of inner.parsed.statements) out.push([s, inner]);
  });
  return out;
}

const NUMBERS = FAMILIES[1]!;
const TIMES = FAMILIES[2]!;

/** The USING expression that turns the column back: a cast, or between times and numbers, epoch seconds. */
function usingBack(column: string, type: string, to: string, from: string): string {
  if (NUMBERS.has(to) && TIMES.has(from) && !from.startsWith('date')) return `extract(epoch FROM ${column})::${type}`;
  if (TIMES.has(to) && NUMBERS.has(from)) return to === 'timestamptz' ? `to_timestamp(${column})` : `to_timestamp(${column})::${type}`;
  return `${column}::${type}`;
}

/** The type of the sequence a serial column owns. */
const SERIAL_SEQUENCE_TYPE: Readonly<Record<string, string>> = { serial: 'integer', smallserial: 'smallint', bigserial: 'bigint' };

/** `<table>_<column>_seq`, the name Postgres gives a serial's sequence (as SQL table name in, model name out). */
function serialSequenceName(table: string, column: string): string {
  const dot = table.indexOf('.');
  const schema = dot >= 0 && !table.startsWith('"') ? table.slice(0, dot) : 'public';
  const bare = (dot >= 0 ? table.slice(dot + 1) : table).replace(/^"|"$/g, '');
  return `${schema}.${makeObjectName(bare, column, 'seq')}`;
}
