// A synthetic migration history for benchmarks and tests: N pairs shaped like hand-written ones and correct under our rules.
// Deterministic from the seed; one change per pair; every file opens with a one-line `-- ` comment.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type ChangeKind = 'create-table' | 'add-column' | 'function' | 'enum' | 'insert' | 'concurrent-index';

export interface GeneratedHistory {
  readonly pairs: number;
  readonly files: number;
  readonly bytes: number;
  readonly kinds: Readonly<Record<ChangeKind, number>>;
}

interface ColumnInfo {
  readonly name: string;
  readonly type: string;
  /** NOT NULL without a default: an INSERT must give it a value. */
  readonly required: boolean;
}

interface TableInfo {
  readonly name: string;
  readonly columns: ColumnInfo[];
  /** True when every required column is text (so reference rows can be inserted). */
  readonly insertable: boolean;
  /** Next id for reference rows (explicit ids so the down can delete exactly those). */
  nextId: number;
}

interface State {
  readonly random: () => number;
  readonly tables: TableInfo[];
  readonly enums: string[];
  readonly names: Set<string>;
}

const WEIGHTS: ReadonlyArray<readonly [ChangeKind, number]> = [
  ['create-table', 30],
  ['add-column', 22],
  ['function', 14],
  ['enum', 8],
  ['insert', 10],
  ['concurrent-index', 16],
];

const NOUNS = [
  'account', 'address', 'allergy', 'batch', 'brand', 'campaign', 'carrier', 'cart', 'category', 'channel', 'clinic', 'coupon',
  'courier', 'device', 'discount', 'document', 'event', 'feedback', 'formula', 'invoice', 'ingredient', 'journal', 'label',
  'ledger', 'locale', 'member', 'message', 'note', 'offer', 'order', 'partner', 'payment', 'photo', 'plan', 'price', 'receipt',
  'referral', 'refund', 'region', 'reminder', 'report', 'review', 'sample', 'schedule', 'session', 'shipment', 'sku', 'store',
  'subscription', 'supplier', 'survey', 'tag', 'task', 'team', 'ticket', 'tier', 'token', 'treatment', 'vendor', 'visit',
  'voucher', 'warehouse', 'webhook', 'wishlist',
];
const QUALIFIERS = [
  'archived', 'customer', 'daily', 'external', 'internal', 'legacy', 'loyalty', 'monthly', 'partner', 'pending', 'retail',
  'seasonal', 'shared', 'staff', 'trial', 'weekly', 'wholesale',
];
const TEXT_COLUMNS = ['title', 'summary', 'code', 'external_ref', 'source', 'channel_name', 'remarks', 'slug', 'locale_code', 'display_label', 'contact_email', 'batch_code'];
const TIME_COLUMNS = ['archived_at', 'confirmed_at', 'expires_at', 'published_at', 'reviewed_at', 'scheduled_at', 'sent_at', 'closed_at'];
const NUMBER_COLUMNS = ['quantity', 'position', 'amount_cents', 'retry_count', 'score', 'weight_grams'];
const BOOL_COLUMNS = ['is_visible', 'is_default', 'is_verified', 'is_locked'];
const ENUM_LABELS = ['draft', 'pending', 'active', 'paused', 'approved', 'rejected', 'shipped', 'delivered', 'cancelled', 'expired', 'archived', 'failed'];
const REASONS = [
  'support needs it to answer customer questions without a database console',
  'the mobile app shows it on the detail screen',
  'finance reconciles against it every month',
  'the nightly export reads it instead of parsing free text',
  'the recommendation job filters on it',
  'auditors asked for it after the last review',
  'the partner integration sends it with every webhook',
  'the admin dashboard sorts by it',
];

/** Small, fast, seedable PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

function between(random: () => number, low: number, high: number): number {
  return low + Math.floor(random() * (high - low + 1));
}

/** A fresh identifier (at most 63 bytes, never reused across the history). */
function fresh(state: State, base: string): string {
  let name = base.slice(0, 55);
  for (let n = 2; state.names.has(name); n++) name = `${base.slice(0, 55)}_${n}`;
  state.names.add(name);
  return name;
}

function singular(table: string): string {
  if (table.endsWith('ies')) return `${table.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/.test(table)) return table.slice(0, -2);
  return table.replace(/s$/, '');
}

function plural(noun: string): string {
  return noun.endsWith('y') && !/[aeiou]y$/.test(noun) ? `${noun.slice(0, -1)}ies` : /(s|x|ch|sh)$/.test(noun) ? `${noun}es` : `${noun}s`;
}

/** 14-digit UTC timestamp version. */
function version(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function chooseKind(state: State): ChangeKind {
  if (state.tables.length < 2) return 'create-table';
  const total = WEIGHTS.reduce((sum, [, w]) => sum + w, 0);
  let roll = state.random() * total;
  for (const [kind, weight] of WEIGHTS) {
    roll -= weight;
    if (roll < 0) return kind;
  }
  return 'create-table';
}

interface Pair {
  readonly slug: string;
  readonly up: string;
  readonly down: string;
}

function createTable(state: State): Pair {
  const { random } = state;
  const noun = pick(random, NOUNS);
  const table = fresh(state, random() < 0.5 ? plural(noun) : `${pick(random, QUALIFIERS)}_${plural(noun)}`);
  const parents: TableInfo[] = [];
  const fkCount = state.tables.length === 0 ? 0 : random() < 0.35 ? 0 : random() < 0.75 ? 1 : 2;
  for (let i = 0; i < fkCount; i++) {
    const parent = pick(random, state.tables.slice(-40));
    if (!parents.includes(parent)) parents.push(parent);
  }
  const columns: ColumnInfo[] = [{ name: 'id', type: 'BIGINT', required: false }];
  const lines: string[] = ['    id BIGINT GENERATED ALWAYS AS IDENTITY,'];
  const fkColumns: string[] = [];
  for (const parent of parents) {
    const column = `${singular(parent.name)}_id`.slice(0, 60);
    if (fkColumns.includes(column)) continue;
    fkColumns.push(column);
    const optional = random() < 0.3;
    columns.push({ name: column, type: 'BIGINT', required: !optional });
    lines.push(`    ${column} BIGINT${optional ? '' : ' NOT NULL'},`);
  }
  const textCount = between(random, 1, 4);
  const used = new Set(columns.map((c) => c.name));
  const nameRequired = random() < 0.8;
  columns.push({ name: 'name', type: 'TEXT', required: nameRequired });
  lines.push(`    name TEXT${nameRequired ? ' NOT NULL' : ''},`);
  used.add('name');
  for (let i = 0; i < textCount; i++) {
    const column = pick(random, TEXT_COLUMNS);
    if (used.has(column)) continue;
    used.add(column);
    columns.push({ name: column, type: 'TEXT', required: false });
    lines.push(`    ${column} TEXT,`);
  }
  if (random() < 0.5) {
    const column = pick(random, NUMBER_COLUMNS);
    used.add(column);
    columns.push({ name: column, type: 'BIGINT', required: false });
    lines.push(`    ${column} BIGINT NOT NULL DEFAULT 0,`);
  }
  lines.push('    created_at TIMESTAMPTZ NOT NULL DEFAULT now(),');
  lines.push('    updated_at TIMESTAMPTZ NOT NULL DEFAULT now(),');
  columns.push({ name: 'created_at', type: 'TIMESTAMPTZ', required: false }, { name: 'updated_at', type: 'TIMESTAMPTZ', required: false });
  lines.push(`    CONSTRAINT ${table}_pkey PRIMARY KEY (id),`);
  if (nameRequired && random() < 0.4) lines.push(`    CONSTRAINT ${table}_name_check CHECK (btrim(name) <> ''),`);
  fkColumns.forEach((column, i) => {
    const parent = parents[i]!;
    const onDelete = random() < 0.5 ? ' ON DELETE CASCADE' : '';
    lines.push(`    CONSTRAINT ${table.slice(0, 40)}_${column.slice(0, 16)}_fkey FOREIGN KEY (${column}) REFERENCES ${parent.name} (id)${onDelete},`);
  });
  lines[lines.length - 1] = lines[lines.length - 1]!.replace(/,$/, '');
  const indexes = fkColumns.map((column) => {
    const composite = random() < 0.3;
    const index = fresh(state, `idx_${table.slice(0, 40)}_${column.slice(0, 16)}`);
    return `CREATE INDEX ${index} ON ${table} (${column}${composite ? ', created_at DESC' : ''});`;
  });
  const what = fkColumns.length ? `, owned by ${fkColumns.map((c) => c.replace(/_id$/, '')).join(' and ')}` : '';
  const comments = [`COMMENT ON TABLE ${table} IS '${capitalize(table.replace(/_/g, ' '))}${what.replace(/'/g, "''")}.';`];
  if (random() < 0.5) comments.push(`COMMENT ON COLUMN ${table}.name IS 'Shown to customers; trimmed by the application.';`);
  state.tables.push({ name: table, columns, insertable: columns.every((c) => !c.required || c.type === 'TEXT'), nextId: 1 });
  const up = [
    `-- ${capitalize(table.replace(/_/g, ' '))} get their own table because ${pick(random, REASONS)}.`,
    `CREATE TABLE ${table} (`,
    ...lines,
    ');',
    '',
    ...(indexes.length ? ['-- Each foreign key gets its index, so deletes on the parent do not scan this table.', ...indexes, ''] : []),
    ...comments,
    '',
  ].join('\n');
  const down = [`-- Undoes create_${table}: drops ${table} with its indexes and comments.`, `DROP TABLE ${table};`, ''].join('\n');
  return { slug: `create_${table}`, up, down };
}

function addColumn(state: State): Pair {
  const { random } = state;
  const table = pick(random, state.tables);
  const roll = random();
  let column: string;
  let type: string;
  if (roll < 0.35) [column, type] = [pick(random, TEXT_COLUMNS), 'TEXT'];
  else if (roll < 0.6) [column, type] = [pick(random, TIME_COLUMNS), 'TIMESTAMPTZ'];
  else if (roll < 0.75) [column, type] = [pick(random, NUMBER_COLUMNS), 'BIGINT'];
  else if (roll < 0.88 || state.enums.length === 0) [column, type] = [pick(random, BOOL_COLUMNS), 'BOOLEAN'];
  else {
    const enumType = pick(random, state.enums);
    [column, type] = [enumType.replace(/_(status|kind|state)$/, '') + '_status', enumType];
  }
  const existing = new Set(table.columns.map((c) => c.name));
  let name = column;
  for (let n = 2; existing.has(name); n++) name = `${column}_${n}`;
  table.columns.push({ name, type, required: false });
  const up = [
    `-- ${capitalize(singular(table.name).replace(/_/g, ' '))} gains ${name} because ${pick(random, REASONS)}; nullable, so existing rows need no rewrite.`,
    `ALTER TABLE ${table.name} ADD COLUMN ${name} ${type};`,
    '',
  ].join('\n');
  const down = [`-- Undoes add_${name}_to_${table.name}.`, `ALTER TABLE ${table.name} DROP COLUMN ${name};`, ''].join('\n');
  return { slug: `add_${name}_to_${table.name}`.slice(0, 80), up, down };
}

function createFunction(state: State): Pair {
  const { random } = state;
  const table = pick(random, state.tables);
  const subject = singular(table.name);
  const trigger = random() < 0.3;
  const fn = fresh(state, trigger ? `${subject}_touch` : pick(random, [`count_${table.name}`, `${subject}_exists`, `archive_${subject}`, `${subject}_summary`]));
  const args = trigger ? [] : random() < 0.5 ? ['bigint'] : ['bigint', 'text'];
  const params = args.map((type, i) => `${i === 0 ? 'p_id' : 'p_reason'} ${type}`).join(', ');
  const body: string[] = [];
  if (trigger) {
    body.push('BEGIN', '    IF TG_OP = \'UPDATE\' AND NEW IS NOT DISTINCT FROM OLD THEN', '        RETURN NEW;', '    END IF;', '    NEW.updated_at := now();');
    const extra = between(random, 2, 10);
    for (let i = 0; i < extra; i++) body.push(`    -- ${pick(random, REASONS)}.`);
    body.push('    IF NEW.created_at > NEW.updated_at THEN', `        RAISE EXCEPTION '${table.name}: created_at after updated_at for id %', NEW.id;`, '    END IF;', '    RETURN NEW;', 'END;');
  } else {
    body.push('DECLARE', '    v_count bigint := 0;', '    v_row record;', 'BEGIN', `    IF p_id IS NULL THEN`, `        RAISE EXCEPTION '${fn}: id must not be NULL';`, '    END IF;');
    const loops = between(random, 1, 3);
    for (let i = 0; i < loops; i++) {
      body.push(
        `    FOR v_row IN SELECT id, created_at FROM ${table.name} WHERE id >= p_id ORDER BY id LIMIT ${between(random, 10, 500)} LOOP`,
        `        IF v_row.created_at < now() - interval '${between(random, 1, 365)} days' THEN`,
        '            v_count := v_count + 1;',
        '        END IF;',
        '    END LOOP;',
      );
    }
    if (args.length === 2) body.push(`    RAISE NOTICE '${fn}(%): %', p_id, p_reason;`);
    body.push('    RETURN v_count;', 'END;');
  }
  const up = [
    `-- ${trigger ? `Trigger function for ${table.name}` : `${capitalize(fn.replace(/_/g, ' '))} in one round trip`}, because ${pick(random, REASONS)}.`,
    `CREATE FUNCTION ${fn}(${params})`,
    `RETURNS ${trigger ? 'TRIGGER' : 'BIGINT'}`,
    'LANGUAGE plpgsql',
    ...(trigger ? [] : ['STABLE']),
    'AS $$',
    ...body,
    '$$;',
    '',
  ].join('\n');
  const down = [`-- Undoes create_function_${fn}.`, `DROP FUNCTION ${fn}(${args.join(', ')});`, ''].join('\n');
  return { slug: `create_function_${fn}`, up, down };
}

function createEnum(state: State): Pair {
  const { random } = state;
  const noun = pick(random, NOUNS);
  const name = fresh(state, `${noun}_${pick(random, ['status', 'kind', 'state'])}`);
  const start = between(random, 0, ENUM_LABELS.length - 3);
  const labels = ENUM_LABELS.slice(start, start + between(random, 2, 6));
  state.enums.push(name);
  const up = [
    `-- ${capitalize(noun)} states as an enum, because ${pick(random, REASONS)}.`,
    `CREATE TYPE ${name} AS ENUM (`,
    labels.map((l) => `    '${l}'`).join(',\n'),
    ');',
    '',
  ].join('\n');
  const down = [`-- Undoes create_type_${name}.`, `DROP TYPE ${name};`, ''].join('\n');
  return { slug: `create_type_${name}`, up, down };
}

function insertRows(state: State): Pair | undefined {
  const { random } = state;
  const candidates = state.tables.filter((t) => t.insertable);
  if (candidates.length === 0) return undefined;
  const table = pick(random, candidates.slice(-30));
  const textColumns = table.columns.filter((c) => c.type === 'TEXT' && (c.required || random() < 0.5));
  if (!textColumns.some((c) => c.name === 'name')) textColumns.unshift(table.columns.find((c) => c.name === 'name')!);
  const rows = between(random, 2, 8);
  const ids: number[] = [];
  const values: string[] = [];
  for (let i = 0; i < rows; i++) {
    const id = table.nextId++;
    ids.push(id);
    values.push(`    (${id}, ${textColumns.map((c) => `'${c.name} ${id}'`).join(', ')})`);
  }
  const up = [
    `-- Reference rows for ${table.name}, because ${pick(random, REASONS)}.`,
    `INSERT INTO ${table.name} (id, ${textColumns.map((c) => c.name).join(', ')})`,
    'OVERRIDING SYSTEM VALUE',
    'VALUES',
    `${values.join(',\n')};`,
    '',
  ].join('\n');
  const down = [`-- Undoes the reference rows of ${table.name}.`, `DELETE FROM ${table.name} WHERE id IN (${ids.join(', ')});`, ''].join('\n');
  return { slug: `seed_${table.name}_${ids[0]}`, up, down };
}

function concurrentIndex(state: State): Pair {
  const { random } = state;
  const table = pick(random, state.tables);
  const choices = table.columns.filter((c) => c.name !== 'id');
  const column = pick(random, choices);
  const second = random() < 0.3 ? table.columns.find((c) => c.name === 'created_at' && c !== column) : undefined;
  const index = fresh(state, `idx_${table.name.slice(0, 30)}_${column.name.slice(0, 20)}${second ? '_created' : ''}`);
  const columns = `${column.name}${second ? ', created_at DESC' : ''}`;
  const up = [
    '-- migrate:no-transaction',
    `-- Lookups of ${table.name} by ${column.name}, because ${pick(random, REASONS)}; built concurrently so writes go on.`,
    `CREATE INDEX CONCURRENTLY IF NOT EXISTS ${index} ON ${table.name} (${columns});`,
    '',
  ].join('\n');
  const down = ['-- migrate:no-transaction', `-- Undoes create_index_${index}.`, `DROP INDEX CONCURRENTLY IF EXISTS ${index};`, ''].join('\n');
  return { slug: `create_index_${index}`, up, down };
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * Write `pairs` migration pairs into `dir` (created if missing; it must hold no .sql file yet).
 * Same seed, same files, byte for byte.
 */
export function generateHistory(dir: string, pairs: number, seed: number): GeneratedHistory {
  mkdirSync(dir, { recursive: true });
  if (readdirSync(dir).some((name) => name.endsWith('.sql'))) throw new Error(`${dir} already holds .sql files: generate into an empty directory.`);
  const state: State = { random: mulberry32(seed), tables: [], enums: [], names: new Set() };
  const kinds: Record<ChangeKind, number> = { 'create-table': 0, 'add-column': 0, function: 0, enum: 0, insert: 0, 'concurrent-index': 0 };
  let time = Date.UTC(2020, 0, 6, 9, 0, 0);
  let bytes = 0;
  for (let i = 0; i < pairs; i++) {
    let kind = chooseKind(state);
    let pair: Pair | undefined;
    switch (kind) {
      case 'create-table':
        pair = createTable(state);
        break;
      case 'add-column':
        pair = addColumn(state);
        break;
      case 'function':
        pair = createFunction(state);
        break;
      case 'enum':
        pair = createEnum(state);
        break;
      case 'insert':
        pair = insertRows(state);
        break;
      case 'concurrent-index':
        pair = concurrentIndex(state);
        break;
    }
    if (!pair) {
      kind = 'create-table';
      pair = createTable(state);
    }
    kinds[kind]++;
    time += between(state.random, 1, 240) * 60_000;
    const base = `${version(time)}_${pair.slug}`;
    writeFileSync(join(dir, `${base}.up.sql`), pair.up);
    writeFileSync(join(dir, `${base}.down.sql`), pair.down);
    bytes += Buffer.byteLength(pair.up) + Buffer.byteLength(pair.down);
  }
  return { pairs, files: pairs * 2, bytes, kinds };
}
