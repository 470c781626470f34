// "The schema after the down" against "the schema before the up", object by object: what the model's journal says
// changed since a mark and was not put back. Column order, constraint order and where an object was defined do not count.
import { UNKNOWN_DEFINITION, type Column, type Constraint, type Index, type NamedObject, type StateChange, type StateStep, type Table } from './schema-model.js';
import { displayName } from './ast.js';

/** One object, or one part of a table (column, constraint), that differs. */
export interface SchemaDifference {
  /** `column`, `constraint`, `table`, `index`, or a named object's kind (`enum`, `view`, `function`, ...). */
  readonly kind: string;
  /** Qualified name; columns and constraints as `schema.table.part`. */
  readonly name: string;
  /** `left`: there after the down, not before the up; `missing`: the other way round; `changed`: there both times, not the same. */
  readonly change: 'left' | 'missing' | 'changed';
  /** For `changed`: what differs (`default`, `comment`, `type`, `NOT NULL`, `definition`, `labels` ...). */
  readonly aspects: readonly string[];
  /** The first statement of the up, and of the down, that changed this part. */
  readonly up?: StateStep;
  readonly down?: StateStep;
  /** The table an index, an owned sequence, a trigger or a policy belongs to. */
  readonly owner?: string;
}

type Fields = Readonly<Record<string, string>>;

const ASPECT: Readonly<Record<string, string>> = {
  type: 'type',
  notNull: 'NOT NULL',
  default: 'default',
  identity: 'identity',
  generated: 'generation expression',
  comment: 'comment',
  definition: 'definition',
  columns: 'columns',
  table: 'table',
  unique: 'uniqueness',
  labels: 'labels',
  attributes: 'attributes',
  ownedBy: 'owner column',
  notValid: 'validation',
  constraintType: 'kind',
  references: 'referenced table',
};

/** serial is int4 with a default: a column re-added as integer is the same type. */
const SERIAL: Readonly<Record<string, string>> = { serial: 'int4', bigserial: 'int8', smallserial: 'int2' };

function typeText(column: Column): string {
  return `${SERIAL[column.type.name] ?? column.type.name}(${column.type.mods.join(',')})${column.type.array ? '[]' : ''}`;
}

function columnFields(column: Column): Fields {
  return { type: typeText(column), notNull: String(column.notNull), default: column.defaultText ?? '', identity: String(column.identity), generated: String(column.generated), comment: column.comment ?? '' };
}

function constraintFields(constraint: Constraint): Fields {
  // A CHECK's columns are a set; a key's are in order.
  const columns = constraint.type === 'check' ? [...constraint.columns].sort() : constraint.columns;
  // NOT VALID is left out: constraint-missing-not-valid asks a down to re-add a foreign key or CHECK NOT VALID, and a
  // later VALIDATE makes it the same constraint.
  return { constraintType: constraint.type, columns: columns.join(','), references: `${constraint.refTable ?? ''}(${(constraint.refColumns ?? []).join(',')})`, definition: constraint.definition ?? '', comment: constraint.comment ?? '' };
}

function indexFields(index: Index): Fields {
  return { table: index.table, definition: index.definition ?? index.columns.join(','), unique: String(index.unique), comment: index.comment ?? '' };
}

function objectFields(object: NamedObject): Fields {
  const attributes = Object.entries(object.attributes ?? {}).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${k}=${v}`).join(',');
  return { labels: (object.labels ?? []).join(','), definition: `${object.definition ?? ''}${object.executes ? ` executes ${object.executes}` : ''}`, attributes, ownedBy: object.ownedBy ? `${object.ownedBy.table}.${object.ownedBy.column}` : '', comment: object.comment ?? '' };
}

/** The parts of one journaled value, keyed relative to it (`table`, `column c`, `constraint c`, `self`) → compared fields. A table with `unknown` set has no parts the model can vouch for. */
function partsOf(kind: string, value: unknown): Map<string, Fields> | 'unknown' {
  const out = new Map<string, Fields>();
  if (value === undefined) return out;
  if (kind === 'table') {
    const table = value as Table;
    if (table.unknown) return 'unknown';
    out.set('table', { comment: table.comment ?? '' });
    for (const column of table.columns) out.set(`column ${column.name}`, columnFields(column));
    for (const constraint of table.constraints) out.set(`constraint ${constraint.name}`, constraintFields(constraint));
    return out;
  }
  out.set('self', kind === 'index' ? indexFields(value as Index) : objectFields(value as NamedObject));
  return out;
}

function differs(a: Fields | undefined, b: Fields | undefined): string[] | undefined {
  if (!a && !b) return undefined;
  if (!a || !b) return [];
  const aspects = Object.keys(a).filter((key) => a[key] !== b[key] && a[key] !== UNKNOWN_DEFINITION && b[key] !== UNKNOWN_DEFINITION);
  return aspects.length ? aspects : undefined;
}

/** Who an object is, whatever it is called now: the statement that created it (renames keep it). */
function identity(kind: string, value: unknown): string | undefined {
  const origin = (value as { origin?: { file: string; at: number } } | undefined)?.origin;
  return origin ? `${kind} ${origin.file} ${origin.at}` : undefined;
}

interface Located {
  readonly change: StateChange;
  readonly step: StateStep;
}

/**
 * What differs between each object's value at the mark (`before`) and now (`after`), part by part, with the first
 * statement of the up (steps before `downFrom`) and of the down that changed that part, following the object
 * through renames.
 */
export function schemaDifferences(changes: readonly StateChange[], downFrom: number): SchemaDifference[] {
  const byIdentity = new Map<string, Located[]>();
  for (const change of changes) {
    for (const step of change.steps) {
      for (const value of [step.before, step.after]) {
        const id = identity(change.kind, value);
        if (!id) continue;
        let list = byIdentity.get(id);
        if (!list) byIdentity.set(id, (list = []));
        if (!list.some((l) => l.step === step)) list.push({ change, step });
      }
    }
  }
  const out: SchemaDifference[] = [];
  for (const change of changes) {
    const before = partsOf(change.kind, change.before);
    const after = partsOf(change.kind, change.after);
    const related = relatedSteps(change, byIdentity);
    const prefix = change.kind === 'table' ? change.name : '';
    // A table the model cannot vouch for (dynamic SQL, CREATE TABLE AS, LIKE): only whether it is there counts.
    if (before === 'unknown' || after === 'unknown') {
      if ((change.before === undefined) !== (change.after === undefined)) {
        out.push({ kind: 'table', name: change.name, change: change.before === undefined ? 'left' : 'missing', aspects: [], ...attribution(related, 'table', downFrom) });
      }
      continue;
    }
    const keys = new Set([...before.keys(), ...after.keys()]);
    // A table that is gone or new is one difference, not one per column.
    const whole = change.kind === 'table' && (change.before === undefined) !== (change.after === undefined);
    for (const key of keys) {
      if (whole && key !== 'table') continue;
      const aspects = differs(before.get(key), after.get(key));
      if (!aspects) continue;
      const space = key.indexOf(' ');
      const kind = key === 'self' ? change.kind : space < 0 ? key : key.slice(0, space);
      const name = key === 'self' || key === 'table' ? change.name : `${prefix}.${key.slice(space + 1)}`;
      const state = !before.has(key) ? 'left' : !after.has(key) ? 'missing' : 'changed';
      const owner = ownerOf(change.kind, change.name, change.after ?? change.before);
      out.push({ kind, name, change: state, aspects: aspects.map((a) => ASPECT[a] ?? a), ...attribution(related, key, downFrom), ...(owner ? { owner } : {}) });
    }
  }
  // A table that is gone (or left) takes its indexes, owned sequences, triggers and policies with it: one difference.
  const wholeTables = new Set(out.filter((d) => d.kind === 'table' && d.change !== 'changed').map((d) => `${d.change} ${d.name}`));
  // What belongs to a table the model cannot vouch for (dynamic SQL touched it) is not known either.
  const unknownTables = new Set(changes.filter((c) => c.kind === 'table' && (partsOf('table', c.before) === 'unknown' || partsOf('table', c.after) === 'unknown')).map((c) => c.name));
  return out.filter((d) => !(d.owner && ((d.change !== 'changed' && wholeTables.has(`${d.change} ${d.owner}`)) || unknownTables.has(d.owner))));
}

function ownerOf(kind: string, name: string, value: unknown): string | undefined {
  if (kind === 'index') return (value as Index | undefined)?.table;
  if (kind === 'sequence') return (value as NamedObject | undefined)?.ownedBy?.table;
  if (kind === 'trigger' || kind === 'policy') return name.slice(0, name.lastIndexOf('.'));
  return undefined;
}

/** The object's own steps, and those of the same object under another name (before a rename or after it), in journal order. */
function relatedSteps(change: StateChange, byIdentity: ReadonlyMap<string, readonly Located[]>): Located[] {
  const out: Located[] = change.steps.map((step) => ({ change, step }));
  for (const value of [change.before, change.after]) {
    const id = identity(change.kind, value);
    for (const located of (id && byIdentity.get(id)) || []) if (!out.some((l) => l.step === located.step)) out.push(located);
  }
  return out.sort((a, b) => a.step.index - b.step.index);
}

function isMove(kind: string, step: StateStep, related: readonly Located[]): boolean {
  if ((step.before === undefined) === (step.after === undefined)) return false;
  const id = identity(kind, step.before ?? step.after);
  return related.some((other) => other.step !== step && other.step.at === step.at && other.step.file === step.file && identity(other.change.kind, step.before === undefined ? other.step.before : other.step.after) === id && (step.before === undefined ? other.step.after === undefined : other.step.before === undefined));
}

/** The first up step and the first down step that changed part `key` of the object. */
function attribution(related: readonly Located[], key: string, downFrom: number): { up?: StateStep; down?: StateStep } {
  let up: StateStep | undefined;
  let down: StateStep | undefined;
  for (const { change, step } of related) {
    if (step.index < downFrom ? up : down) continue;
    // A rename moves the object from one name to another in one statement: that step changes none of its parts.
    if (isMove(change.kind, step, related)) continue;
    const before = partsOf(change.kind, step.before);
    const after = partsOf(change.kind, step.after);
    const changed = before === 'unknown' || after === 'unknown' ? true : differs(before.get(key), after.get(key)) !== undefined;
    if (!changed) continue;
    if (step.index < downFrom) up = step;
    else down = step;
  }
  return { ...(up ? { up } : {}), ...(down ? { down } : {}) };
}

/** How a difference reads in a message: `column products.sku`, `index idx_a`, `type mood`. */
export function describeDifference(difference: SchemaDifference): string {
  const kind = difference.kind === 'enum' || difference.kind === 'domain' ? 'type' : difference.kind;
  if (kind === 'constraint' || kind === 'trigger' || kind === 'policy') {
    const dot = difference.name.lastIndexOf('.');
    return `${kind} ${difference.name.slice(dot + 1)} on ${displayName(difference.name.slice(0, dot))}`;
  }
  return `${kind} ${displayName(difference.name)}`;
}
