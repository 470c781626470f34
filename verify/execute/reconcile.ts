// make drift's "what would make the target match the migrations": one DDL statement (or a comment saying why not)
// per difference, from the two snapshots' definitions. Printed for a DBA to review; never run.
import type { Snapshot, SnapshotObject } from './snapshot.js';
import type { Difference } from './snapshot-diff.js';

/** The DDL that turns the target's object into the migrations' one, or a `--` comment when it cannot be written safely. */
export function reconcilingDdl(difference: Difference, migrations: Snapshot, target: Snapshot): string {
  const { change, subject, property } = difference;
  const kind = KINDS.find((k) => subject.startsWith(`${k} `));
  const rest = kind ? subject.slice(kind.length + 1) : '';
  const wanted = migrations.get(subject);
  const found = target.get(subject);
  switch (kind) {
    case 'index': {
      const [name, table] = onParts(rest);
      if (!name || !table) break;
      const drop = `DROP INDEX CONCURRENTLY IF EXISTS ${qualifiedLike(table, name)};`;
      const create = concurrently(wanted);
      if (change === 'extra') return drop;
      if (change === 'missing') return create ?? comment(difference);
      if (property === 'definition' && create) return `${drop}\n${create}`;
      break;
    }
    case 'constraint': {
      const [name, table] = onParts(rest);
      if (!name || !table || table.startsWith('domain ')) break;
      const definition = definitionOf(wanted);
      const drop = `ALTER TABLE ${table} DROP CONSTRAINT ${ident(name)};`;
      const add = definition ? `ALTER TABLE ${table} ADD CONSTRAINT ${ident(name)} ${definition};` : undefined;
      if (change === 'extra') return drop;
      if (change === 'missing') return add ?? comment(difference);
      if (property === 'definition' && add) return `${drop}\n${add}`;
      break;
    }
    case 'column': {
      const dot = rest.lastIndexOf('.');
      const table = rest.slice(0, dot);
      const column = ident(rest.slice(dot + 1));
      if (dot < 0) break;
      if (change === 'extra') return `ALTER TABLE ${table} DROP COLUMN ${column}; -- deletes the column's data: keep it if anything still reads it`;
      if (change === 'missing') {
        const type = prop(wanted, 'type');
        if (!type) break;
        const def = prop(wanted, 'default');
        return `ALTER TABLE ${table} ADD COLUMN ${column} ${type}${def ? ` DEFAULT ${def}` : ''}${prop(wanted, 'nullability') === 'not null' ? ' NOT NULL' : ''};`;
      }
      const expected = difference.expected;
      switch (property) {
        case 'default':
          return expected === undefined ? `ALTER TABLE ${table} ALTER COLUMN ${column} DROP DEFAULT;` : `ALTER TABLE ${table} ALTER COLUMN ${column} SET DEFAULT ${expected};`;
        case 'nullability':
          return expected === 'not null' ? `ALTER TABLE ${table} ALTER COLUMN ${column} SET NOT NULL;` : `ALTER TABLE ${table} ALTER COLUMN ${column} DROP NOT NULL;`;
        case 'type':
          return expected ? `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE ${expected}; -- rewrites ${table} unless the change is binary-coercible` : comment(difference);
        case 'comment':
          return `COMMENT ON COLUMN ${table}.${column} IS ${literal(expected)};`;
        default:
          break;
      }
      break;
    }
    case 'table':
    case 'view':
    case 'materialized view':
    case 'sequence': {
      const keyword = kind.toUpperCase();
      if (property === 'comment') return `COMMENT ON ${keyword} ${rest} IS ${literal(difference.expected)};`;
      if (kind === 'view' && (change === 'missing' || property === 'definition')) {
        const definition = definitionOf(wanted);
        if (definition) return `CREATE OR REPLACE VIEW ${rest} AS\n${definition.trim()}`;
      }
      if (change === 'extra' && !property) return `DROP ${keyword} ${rest};${kind === 'table' ? ' -- deletes its rows: keep it if anything still reads it' : ''}`;
      break;
    }
    default:
      break;
  }
  return comment(difference, found === undefined && wanted === undefined);
}

const KINDS = ['materialized view', 'foreign table', 'constraint', 'extension', 'function', 'procedure', 'sequence', 'attribute', 'trigger', 'policy', 'schema', 'column', 'index', 'table', 'view', 'type'] as const;

/** `x on s.t` → ['x', 's.t']. */
function onParts(rest: string): [string | undefined, string | undefined] {
  const at = rest.lastIndexOf(' on ');
  return at < 0 ? [undefined, undefined] : [rest.slice(0, at), rest.slice(at + 4)];
}

/** An index lives in its table's schema. */
function qualifiedLike(table: string, name: string): string {
  const dot = table.lastIndexOf('.');
  return dot < 0 ? ident(name) : `${table.slice(0, dot)}.${ident(name)}`;
}

function concurrently(object: SnapshotObject | undefined): string | undefined {
  const definition = definitionOf(object);
  return definition ? `${definition.replace(/^CREATE (UNIQUE )?INDEX /, (m) => `${m}CONCURRENTLY `)};` : undefined;
}

function definitionOf(object: SnapshotObject | undefined): string | undefined {
  return prop(object, 'definition');
}

function prop(object: SnapshotObject | undefined, name: string): string | undefined {
  const value = object?.props[name];
  return typeof value === 'string' ? value : undefined;
}

function ident(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function literal(value: string | undefined): string {
  return value === undefined ? 'NULL' : `'${value.replace(/'/g, "''")}'`;
}

function comment(difference: Difference, unknown = false): string {
  return `-- ${difference.subject}${difference.property ? ` ${difference.property}` : ''}: ${unknown ? 'not described by either schema' : 'write this change by hand (no safe statement is generated for it)'}`;
}
