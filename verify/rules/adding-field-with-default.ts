import { defineRule } from '../rule.js';
import { displayName, nodeOf, stringList, typeRef, walk } from '../ast.js';
import type { AstNode } from '../../core/migrations/parse.js';
import type { Migration } from '../../core/migrations/layout.js';
import { DEFAULT_POSTGRES_VERSION } from './syntax-needs-newer-postgres.js';

/** Built-in functions that return a new value on every call: a default calling one is evaluated for each existing row. */
const VOLATILE = new Set([
  'random', 'random_normal', 'setseed', 'gen_random_uuid', 'uuidv4', 'uuidv7', 'uuid_generate_v1', 'uuid_generate_v1mc', 'uuid_generate_v4',
  'gen_random_bytes', 'clock_timestamp', 'timeofday', 'nextval', 'setval', 'currval', 'lastval',
]);

/**
 * Built-in functions that are STABLE or IMMUTABLE (pg_proc.provolatile on Postgres 18): Postgres evaluates such a default once
 * and stores it as the value existing rows read, so adding the column rewrites nothing (Postgres 11+).
 * now() and CURRENT_TIMESTAMP are STABLE: one value for the whole statement.
 */
const NOT_VOLATILE = new Set([
  'now', 'transaction_timestamp', 'statement_timestamp', 'current_setting', 'current_schema', 'current_database', 'current_user', 'session_user',
  'version', 'txid_current', 'pg_current_xact_id', 'lower', 'upper', 'initcap', 'btrim', 'ltrim', 'rtrim', 'length', 'char_length', 'concat', 'concat_ws', 'substr', 'substring',
  'replace', 'left', 'right', 'lpad', 'rpad', 'repeat', 'md5', 'format', 'to_char', 'to_date', 'to_timestamp', 'to_number', 'date_trunc', 'date_part',
  'extract', 'make_date', 'make_time', 'make_timestamp', 'make_timestamptz', 'make_interval', 'timezone', 'abs', 'round', 'floor', 'ceil', 'ceiling',
  'trunc', 'power', 'jsonb_build_object', 'json_build_object', 'jsonb_build_array', 'json_build_array',
  'to_jsonb', 'to_json', 'array_fill', 'cardinality', 'int4', 'int8', 'numeric', 'text', 'bool', 'date', 'interval',
]);

const SERIAL = new Set(['serial', 'bigserial', 'smallserial']);

type Finding =
  | { readonly messageId: 'volatileDefault' | 'unknownDefault'; readonly call: string }
  | { readonly messageId: 'sequenceDefault'; readonly kind: string }
  | { readonly messageId: 'generatedStored' | 'generatedStoredBefore18' }
  | { readonly messageId: 'defaultBefore11'; readonly target: number }
  | { readonly messageId: 'domainType'; readonly type: string };

/** ADD COLUMN whose existing rows each need their own value: Postgres rewrites the whole table under ACCESS EXCLUSIVE. */
export default defineRule({
  meta: {
    name: 'adding-field-with-default',
    description: 'A column added to an existing table has no volatile default, sequence, stored generated value or constrained domain that rewrites the table.',
    category: 'lock-safety',
    severity: 'error',
    lock: 'AccessExclusiveLock',
    messages: {
      volatileDefault: 'Adding column {{table}}.{{column}} with the volatile default {{call}} rewrites {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      unknownDefault: 'Adding column {{table}}.{{column}} with a default calling {{call}} rewrites {{table}} under an ACCESS EXCLUSIVE lock unless {{call}} is STABLE or IMMUTABLE, blocking reads and writes until it finishes.',
      sequenceDefault: 'Adding {{kind}} column {{table}}.{{column}} draws a sequence value for every existing row and rewrites {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      generatedStored: 'Adding stored generated column {{table}}.{{column}} computes it for every existing row and rewrites {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      defaultBefore11: 'Adding column {{table}}.{{column}} with a default rewrites {{table}} under an ACCESS EXCLUSIVE lock on PostgreSQL {{target}} (only 11 and newer store a constant default once), which blocks reads and writes until it finishes.',
      generatedStoredBefore18: 'Adding stored generated column {{table}}.{{column}} computes it for every existing row and rewrites {{table}} under an ACCESS EXCLUSIVE lock, which blocks reads and writes until it finishes.',
      domainType: 'Adding column {{table}}.{{column}} of domain {{type}} rewrites {{table}} under an ACCESS EXCLUSIVE lock when the domain has a CHECK or NOT NULL constraint, blocking reads and writes until it finishes.',
    },
    help: {
      volatileDefault: 'Add the column without a default, SET DEFAULT {{call}} in a second statement so only new rows use it, and backfill existing rows in batches.',
      unknownDefault: 'Add the column without a default, SET DEFAULT {{call}} in a second statement, and backfill existing rows in batches; if {{call}} is STABLE or IMMUTABLE, say so with -- verify:ignore.',
      sequenceDefault: 'Add a nullable bigint column, SET DEFAULT nextval(...) on it in a second statement, and backfill existing rows in batches.',
      generatedStored: 'Add a VIRTUAL generated column (Postgres 18), or a plain column filled by a trigger and backfilled in batches.',
      defaultBefore11: 'Add the column without a default, SET DEFAULT in a second statement so only new rows use it, and backfill existing rows in batches.',
      generatedStoredBefore18: 'Add a plain column filled by a trigger and backfilled in batches (a VIRTUAL generated column, which stores nothing, needs PostgreSQL 18).',
      domainType: "Add the column with the domain's base type and a CHECK constraint NOT VALID, and VALIDATE it in a later migration.",
    },
  },
  create(context) {
    const target = context.options.postgresVersion ?? DEFAULT_POSTGRES_VERSION;
    const declared = declaredNotVolatile(context.migration);
    return {
      AlterTableCmd(cmd, { established, table, statement, schema, file }) {
        if (!established) return;
        if (cmd.subtype !== 'AT_AddColumn') return;
        const def = nodeOf(cmd.def, 'ColumnDef') ?? {};
        const type = typeRef(def.typeName);
        const notVolatile = (name: string): boolean => declared.has(name) || schema.object('function', name)?.attributes?.notVolatile === true;
        const domain = schema.object('domain', type.name);
        const constrained = domain !== undefined && domain.attributes?.constrained !== false;
        let finding: Finding | undefined = rewriteReason(def, notVolatile) ?? (constrained ? { messageId: 'domainType' as const, type: displayName(type.name) } : undefined);
        // Before 11 every default rewrites the table; a virtual generated column (which stores nothing) came with 18.
        if (target < CONSTANT_DEFAULT_STORED && (!finding || finding.messageId === 'unknownDefault') && hasDefault(def)) finding = { messageId: 'defaultBefore11', target };
        if (finding?.messageId === 'generatedStored' && target < VIRTUAL_GENERATED) finding = { messageId: 'generatedStoredBefore18' };
        if (!finding) return;
        const { messageId, ...rest } = finding;
        context.report({ messageId, file, at: def.location ?? statement.start, data: { table: displayName(table), column: def.colname ?? '', ...rest } });
      },
    };
  },
});

/** From this version on a constant (or STABLE, IMMUTABLE) default is stored once instead of rewriting the table. */
const CONSTANT_DEFAULT_STORED = 11;
/** From this version on a generated column can be VIRTUAL (store nothing). */
const VIRTUAL_GENERATED = 18;

function hasDefault(def: AstNode): boolean {
  return (def.constraints ?? []).some((item: AstNode) => item.Constraint?.contype === 'CONSTR_DEFAULT' && item.Constraint.raw_expr?.A_Const?.isnull !== true);
}

/** Why existing rows each need a value computed now, or undefined when one stored value (or NULL) serves them all. */
function rewriteReason(def: AstNode, notVolatile: (name: string) => boolean): Finding | undefined {
  const type = typeRef(def.typeName);
  if (SERIAL.has(type.name)) return { messageId: 'sequenceDefault', kind: type.name };
  for (const item of def.constraints ?? []) {
    const c: AstNode = item.Constraint ?? {};
    if (c.contype === 'CONSTR_IDENTITY') return { messageId: 'sequenceDefault', kind: 'identity' };
    // Postgres 18: a generated column is VIRTUAL unless it says STORED ('s'); a virtual one stores nothing.
    if (c.contype === 'CONSTR_GENERATED' && c.generated_kind === 's') return { messageId: 'generatedStored' };
    if (c.contype === 'CONSTR_DEFAULT') {
      const verdict = volatility(c.raw_expr, notVolatile);
      if (verdict) return verdict;
    }
  }
  return undefined;
}

/** The worst function call of an expression: a known volatile one, else an unknown one, else undefined (constant, STABLE or IMMUTABLE). */
export function volatility(expr: AstNode | undefined, notVolatile: (name: string) => boolean = () => false): { messageId: 'volatileDefault' | 'unknownDefault'; call: string } | undefined {
  let unknown: string | undefined;
  for (const [kind, body] of walk({ expr })) {
    if (kind !== 'FuncCall') continue;
    const names = stringList(body.funcname);
    const name = names[names.length - 1] ?? '';
    const builtin = names.length === 1 || names[0] === 'pg_catalog';
    const call = `${names.join('.')}()`;
    if (VOLATILE.has(name)) return { messageId: 'volatileDefault', call };
    if ((builtin && NOT_VOLATILE.has(name)) || notVolatile(qualified(names))) continue;
    unknown ??= call;
  }
  return unknown ? { messageId: 'unknownDefault', call: unknown } : undefined;
}

function qualified(names: readonly string[]): string {
  return names.length >= 2 ? names.slice(-2).join('.') : `public.${names[0] ?? ''}`;
}

/** Functions this migration declares STABLE or IMMUTABLE (earlier ones come from the schema model). */
function declaredNotVolatile(migration: Migration): Set<string> {
  const out = new Set<string>();
  for (const file of [migration.up, migration.down]) {
    for (const statement of file?.parsed.statements ?? []) {
      if (statement.kind !== 'CreateFunctionStmt') continue;
      const volatility = (statement.node.options ?? []).map((o: AstNode) => o.DefElem).find((d: AstNode | undefined) => d?.defname === 'volatility');
      const value = volatility?.arg?.String?.sval;
      if (value === 'stable' || value === 'immutable') out.add(qualified(stringList(statement.node.funcname)));
    }
  }
  return out;
}
