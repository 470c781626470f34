// The catalog snapshot as one statement: a UNION ALL of set-based sections, one row per object,
// keyed by a readable description ("index idx_x on products") with its normalized properties.
// Left out on purpose: OIDs, sequence values, column order, and everything in extensions, system schemas and the
// runner's bookkeeping (pgmigrations, and the pgmigrations_* tables and functions). Owners are read (ALTER ... OWNER TO
// in an up is a change its down must undo); drift leaves them out, since production's objects belong to other roles
// than a scratch database's. ROLES_QUERY reads the cluster's roles, their attributes, memberships and settings, for
// the executed proof only.

const USER_SCHEMA = `nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'`;

/** "name" in public, "schema.name" elsewhere. */
function qualified(schema: string, name: string): string {
  return `(CASE WHEN ${schema} = 'public' THEN ${name} ELSE ${schema} || '.' || ${name} END)`;
}

function grant(owner: string): string {
  return `(CASE WHEN a.grantee = ${owner} THEN 'owner' WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee)::text END) || ' ' || a.privilege_type || (CASE WHEN a.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END)`;
}

/**
 * An ACL as a sorted JSON array of "grantee PRIVILEGE" items (the owner is "owner" whoever owns it). With `kind`,
 * only what differs from acldefault(kind): so a NULL ACL, an ACL granted and revoked back, and the defaults of
 * another PostgreSQL version (MAINTAIN since 17) all read the same. `revoked` lists the defaults taken away.
 */
function privileges(acl: string, kind: string | null, owner: string, revoked = false): string {
  const item = grant(owner);
  if (!kind) return `(SELECT jsonb_agg(g ORDER BY g) FROM (SELECT ${item} AS g FROM aclexplode(${acl}) a) p)`;
  const actual = `aclexplode(coalesce(${acl}, acldefault('${kind}', ${owner}))) a`;
  const fallback = `aclexplode(acldefault('${kind}', ${owner})) a`;
  const [from, minus] = revoked ? [fallback, actual] : [actual, fallback];
  return `(SELECT jsonb_agg(g ORDER BY g) FROM (SELECT ${item} AS g FROM ${from} EXCEPT SELECT ${item} FROM ${minus}) p)`;
}

/** The owner and the two privilege properties of an object with a default ACL. */
function privilegeProps(acl: string, kind: string, owner: string): string {
  return `'${OWNER_PROPERTY}', pg_get_userbyid(${owner}), 'privileges', ${privileges(acl, kind, owner)}, 'revoked default privileges', ${privileges(acl, kind, owner, true)}`;
}

/** The property that holds an object's owner (drift leaves it out). */
export const OWNER_PROPERTY = 'owner';

/**
 * Every role of the cluster but the predefined ones (pg_*), with what an up may change and its down must put back:
 * attributes, the roles it is a member of, its settings (for every database, or this one). Roles are the cluster's,
 * so a role another session makes meanwhile shows too: the executed proof is meant for a server of its own.
 */
export const ROLES_QUERY = `
SELECT 'role:' || r.oid AS unit, 5 AS rank, 'role ' || r.rolname AS key, NULL::text AS parent, jsonb_build_array(r.rolname) AS names,
  jsonb_strip_nulls(jsonb_build_object(
    'attributes', concat_ws(' ', CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN NOT r.rolinherit THEN 'NOINHERIT' END,
      CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN r.rolcreatedb THEN 'CREATEDB' END, CASE WHEN r.rolcanlogin THEN 'LOGIN' END,
      CASE WHEN r.rolreplication THEN 'REPLICATION' END, CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END,
      CASE WHEN r.rolconnlimit <> -1 THEN 'CONNECTION LIMIT ' || r.rolconnlimit END, CASE WHEN r.rolvaliduntil IS NOT NULL THEN 'VALID UNTIL ' || r.rolvaliduntil END),
    'member of', (SELECT jsonb_agg(pg_get_userbyid(m.roleid) || CASE WHEN m.admin_option THEN ' WITH ADMIN OPTION' ELSE '' END ORDER BY 1) FROM pg_auth_members m WHERE m.member = r.oid),
    'settings', (SELECT jsonb_agg(CASE WHEN s.setdatabase = 0 THEN x ELSE x || ' (in this database)' END ORDER BY 1)
      FROM pg_db_role_setting s CROSS JOIN unnest(s.setconfig) x
      WHERE s.setrole = r.oid AND s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database())))
  )) AS props
FROM pg_roles r
WHERE r.rolname NOT LIKE 'pg\\_%'`;

function comment(catalog: string, oid: string, sub = '0'): string {
  return `LEFT JOIN pg_description ds ON ds.classoid = '${catalog}'::regclass AND ds.objoid = ${oid} AND ds.objsubid = ${sub}`;
}

function notInExtension(catalog: string, oid: string): string {
  return `NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = '${catalog}'::regclass AND ext.objid = ${oid})`;
}

const COMMON = `
ns AS (SELECT oid, nspname FROM pg_namespace WHERE ${USER_SCHEMA}),
ext AS (
  SELECT classid, objid FROM pg_depend
  WHERE classid IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass, 'pg_namespace'::regclass) AND objid >= 16384 AND deptype = 'e'
),
rel AS (
  SELECT c.oid, c.relname, c.relkind, c.relowner, c.relacl, c.relpersistence, c.reloptions, c.relrowsecurity,
         c.relforcerowsecurity, c.relispartition, c.relpartbound, n.nspname,
         ${qualified('n.nspname', 'c.relname')} AS qname,
         (CASE c.relkind WHEN 'f' THEN 'foreign table ' WHEN 'v' THEN 'view ' WHEN 'm' THEN 'materialized view '
            WHEN 'c' THEN 'type ' WHEN 'S' THEN 'sequence ' WHEN 'i' THEN 'index ' WHEN 'I' THEN 'index ' ELSE 'table ' END)
           || ${qualified('n.nspname', 'c.relname')} AS okey
  FROM pg_class c JOIN ns n ON n.oid = c.relnamespace
  WHERE c.oid >= 16384 AND c.relname <> 'pgmigrations' AND c.relname NOT LIKE 'pgmigrations\\_%'
    AND ${notInExtension('pg_class', 'c.oid')}
)`;

const SCHEMAS = (f: Filter): string => `
SELECT 10 AS rank, 'n:' || n.oid AS unit, 'schema ' || n.nspname AS key, NULL::text AS parent, jsonb_build_array(n.nspname) AS names,
  jsonb_build_object('comment', ds.description, ${privilegeProps('s.nspacl', 'n', 's.nspowner')}) AS props
FROM ns n JOIN pg_namespace s ON s.oid = n.oid
${comment('pg_namespace', 'n.oid')}
WHERE ${notInExtension('pg_namespace', 'n.oid')} AND ${f.unit("'n:' || n.oid")}`;

const EXTENSIONS = (f: Filter): string => `
SELECT 20, 'e:' || e.oid, 'extension ' || e.extname, NULL, jsonb_build_array(e.extname),
  jsonb_build_object('version', e.extversion, 'schema', en.nspname)
FROM pg_extension e JOIN pg_namespace en ON en.oid = e.extnamespace
WHERE ${f.unit("'e:' || e.oid")}`;

const TYPES = (f: Filter): string => `
SELECT 30, CASE WHEN t.typtype = 'c' THEN 'r:' || t.typrelid ELSE 't:' || t.oid END, 'type ' || ${qualified('n.nspname', 't.typname')}, NULL, jsonb_build_array(t.typname),
  jsonb_build_object(
    'kind', CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' WHEN 'c' THEN 'composite' ELSE 'range' END,
    'labels', en.labels,
    'base type', CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) END,
    'nullability', CASE WHEN t.typtype = 'd' THEN CASE WHEN t.typnotnull THEN 'not null' ELSE 'nullable' END END,
    'default', t.typdefault,
    'subtype', CASE WHEN t.typtype = 'r' THEN format_type(rg.rngsubtype, NULL) END,
    'comment', ds.description,
    ${privilegeProps('t.typacl', 'T', 't.typowner')})
FROM pg_type t JOIN ns n ON n.oid = t.typnamespace
LEFT JOIN pg_class tc ON tc.oid = t.typrelid
LEFT JOIN (SELECT enumtypid, string_agg(quote_literal(enumlabel), ', ' ORDER BY enumsortorder) AS labels FROM pg_enum GROUP BY enumtypid) en ON en.enumtypid = t.oid
LEFT JOIN pg_range rg ON rg.rngtypid = t.oid
${comment('pg_type', 't.oid')}
WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c'))
  AND ${notInExtension('pg_type', 't.oid')}
  AND ((t.typtype = 'c' AND ${f.rel('t.typrelid')}) OR (t.typtype <> 'c' AND ${f.type('t.oid')}))`;

const SEQUENCES = (f: Filter): string => `
SELECT 40, 'r:' || c.oid, c.okey, NULL, jsonb_build_array(c.relname),
  jsonb_build_object(
    'type', format_type(s.seqtypid, NULL), 'start', s.seqstart::text, 'increment', s.seqincrement::text,
    'minimum', s.seqmin::text, 'maximum', s.seqmax::text, 'cache', s.seqcache::text,
    'cycle', CASE WHEN s.seqcycle THEN 'yes' ELSE 'no' END, 'owned by', ob.owner,
    'comment', ds.description, ${privilegeProps('c.relacl', 's', 'c.relowner')})
FROM pg_sequence s JOIN rel c ON c.oid = s.seqrelid
LEFT JOIN (
  SELECT d.objid, d.deptype, tr.qname || '.' || a.attname AS owner
  FROM pg_depend d JOIN rel tr ON tr.oid = d.refobjid
  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
  WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') AND d.refobjsubid > 0
) ob ON ob.objid = c.oid
${comment('pg_class', 'c.oid')}
WHERE ob.deptype IS DISTINCT FROM 'i' AND ${f.rel('c.oid')}`;

const TABLES = (f: Filter): string => `
SELECT 50, 'r:' || c.oid, c.okey, NULL, jsonb_build_array(c.relname),
  jsonb_build_object(
    'kind', CASE c.relkind WHEN 'p' THEN 'partitioned' END,
    'persistence', CASE c.relpersistence WHEN 'u' THEN 'unlogged' END,
    'partition key', CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
    'inherits from', inh.parents,
    'partition bound', CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END,
    'options', array_to_string(c.reloptions, ', '),
    'row level security', CASE WHEN c.relforcerowsecurity AND c.relrowsecurity THEN 'forced' WHEN c.relrowsecurity THEN 'on' WHEN c.relforcerowsecurity THEN 'off (forced)' ELSE 'off' END,
    'comment', ds.description,
    ${privilegeProps('c.relacl', 'r', 'c.relowner')})
FROM rel c
LEFT JOIN (
  SELECT i.inhrelid, string_agg(pq.qname, ', ' ORDER BY i.inhseqno) AS parents
  FROM pg_inherits i JOIN rel pq ON pq.oid = i.inhparent GROUP BY i.inhrelid
) inh ON inh.inhrelid = c.oid
${comment('pg_class', 'c.oid')}
WHERE c.relkind IN ('r', 'p', 'f') AND ${f.rel('c.oid')}`;

const COLUMNS = (f: Filter): string => `
SELECT 60, 'r:' || c.oid, (CASE WHEN c.relkind = 'c' THEN 'attribute ' ELSE 'column ' END) || c.qname || '.' || a.attname, c.okey,
  jsonb_build_array(a.attname, c.relname),
  jsonb_build_object(
    'type', format_type(a.atttypid, a.atttypmod),
    'nullability', CASE WHEN c.relkind = 'c' THEN NULL WHEN a.attnotnull THEN 'not null' ELSE 'nullable' END,
    'default', CASE WHEN a.attgenerated = '' THEN pg_get_expr(ad.adbin, ad.adrelid) END,
    'generation', CASE a.attgenerated WHEN 's' THEN 'stored ' WHEN 'v' THEN 'virtual ' END || pg_get_expr(ad.adbin, ad.adrelid),
    'identity', CASE a.attidentity WHEN 'a' THEN 'always' WHEN 'd' THEN 'by default' END,
    'collation', CASE WHEN a.attcollation <> ty.typcollation THEN coll.collname::text END,
    'comment', ds.description,
    'privileges', CASE WHEN a.attacl IS NOT NULL THEN ${privileges('a.attacl', null, 'c.relowner')} END)
FROM pg_attribute a JOIN rel c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'f', 'c')
JOIN pg_type ty ON ty.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_collation coll ON coll.oid = a.attcollation
${comment('pg_class', 'a.attrelid', 'a.attnum')}
WHERE a.attnum > 0 AND NOT a.attisdropped AND ${f.rel('a.attrelid')}`;

// NOT NULL constraints (contype 'n', PostgreSQL 17+ for domains, 18+ for tables) are the columns' nullability.
const CONSTRAINTS = (f: Filter): string => `
SELECT 70, 'r:' || c.oid, 'constraint ' || k.conname || ' on ' || c.qname, c.okey, jsonb_build_array(k.conname, c.relname),
  jsonb_build_object('definition', pg_get_constraintdef(k.oid), 'comment', ds.description)
FROM pg_constraint k JOIN rel c ON c.oid = k.conrelid
${comment('pg_constraint', 'k.oid')}
WHERE k.contype <> 'n' AND ${f.rel('k.conrelid')}`;

const DOMAIN_CONSTRAINTS = (f: Filter): string => `
SELECT 70, 't:' || t.oid, 'constraint ' || k.conname || ' on domain ' || ${qualified('n.nspname', 't.typname')}, 'type ' || ${qualified('n.nspname', 't.typname')},
  jsonb_build_array(k.conname, t.typname),
  jsonb_build_object('definition', pg_get_constraintdef(k.oid), 'comment', ds.description)
FROM pg_constraint k JOIN pg_type t ON t.oid = k.contypid JOIN ns n ON n.oid = t.typnamespace
${comment('pg_constraint', 'k.oid')}
WHERE k.contypid <> 0 AND k.contype <> 'n' AND ${notInExtension('pg_type', 't.oid')} AND ${f.type('k.contypid')}`;

// Indexes that back a primary key, unique or exclusion constraint are part of the constraint.
const INDEXES = (f: Filter): string => `
SELECT 80, 'r:' || t.oid, 'index ' || ic.relname || ' on ' || t.qname, t.okey, jsonb_build_array(ic.relname, t.relname),
  jsonb_build_object('definition', pg_get_indexdef(i.indexrelid), 'validity', CASE WHEN NOT i.indisvalid THEN 'invalid' END, 'comment', ds.description)
FROM pg_index i JOIN rel ic ON ic.oid = i.indexrelid JOIN rel t ON t.oid = i.indrelid
${comment('pg_class', 'i.indexrelid')}
WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.conrelid = i.indrelid AND k.contype IN ('p', 'u', 'x'))
  AND ${f.rel('i.indrelid')}`;

const VIEWS = (f: Filter): string => `
SELECT 90, 'r:' || c.oid, c.okey, NULL, jsonb_build_array(c.relname),
  jsonb_build_object('definition', pg_get_viewdef(c.oid), 'options', array_to_string(c.reloptions, ', '),
    'comment', ds.description, ${privilegeProps('c.relacl', 'r', 'c.relowner')})
FROM rel c
${comment('pg_class', 'c.oid')}
WHERE c.relkind IN ('v', 'm') AND ${f.rel('c.oid')}`;

function functions(serverVersion: number, f: Filter): string {
  const body = serverVersion >= 140000 ? `CASE WHEN p.prosqlbody IS NOT NULL THEN pg_get_function_sqlbody(p.oid) ELSE p.prosrc END` : 'p.prosrc';
  return `
SELECT 100, 'f:' || p.oid, (CASE p.prokind WHEN 'p' THEN 'procedure ' WHEN 'a' THEN 'aggregate ' ELSE 'function ' END)
    || ${qualified('n.nspname', 'p.proname')} || '(' || oidvectortypes(p.proargtypes) || ')', NULL,
  jsonb_build_array(p.proname),
  jsonb_build_object(
    'arguments', pg_get_function_arguments(p.oid), 'returns', pg_get_function_result(p.oid), 'language', l.lanname,
    'volatility', CASE p.provolatile WHEN 'i' THEN 'immutable' WHEN 's' THEN 'stable' ELSE 'volatile' END,
    'null input', CASE WHEN p.proisstrict THEN 'strict' ELSE 'called' END,
    'security', CASE WHEN p.prosecdef THEN 'definer' ELSE 'invoker' END,
    'parallel', CASE p.proparallel WHEN 's' THEN 'safe' WHEN 'r' THEN 'restricted' ELSE 'unsafe' END,
    'leakproof', CASE WHEN p.proleakproof THEN 'yes' END,
    'settings', array_to_string(p.proconfig, ', '),
    'body', ${body},
    'comment', ds.description,
    ${privilegeProps('p.proacl', 'f', 'p.proowner')})
FROM pg_proc p JOIN ns n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
${comment('pg_proc', 'p.oid')}
WHERE ${notInExtension('pg_proc', 'p.oid')} AND p.proname NOT LIKE 'pgmigrations\\_%' AND ${f.func('p.oid')}`;
}

const TRIGGERS = (f: Filter): string => `
SELECT 110, 'r:' || c.oid, 'trigger ' || tg.tgname || ' on ' || c.qname, c.okey, jsonb_build_array(tg.tgname, c.relname),
  jsonb_build_object('definition', pg_get_triggerdef(tg.oid),
    'firing', CASE tg.tgenabled WHEN 'D' THEN 'disabled' WHEN 'R' THEN 'replica' WHEN 'A' THEN 'always' ELSE 'origin' END,
    'comment', ds.description)
FROM pg_trigger tg JOIN rel c ON c.oid = tg.tgrelid
${comment('pg_trigger', 'tg.oid')}
WHERE NOT tg.tgisinternal AND ${f.rel('tg.tgrelid')}`;

const POLICIES = (f: Filter): string => `
SELECT 120, 'r:' || c.oid, 'policy ' || pol.polname || ' on ' || c.qname, c.okey, jsonb_build_array(pol.polname, c.relname),
  jsonb_build_object(
    'command', CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END,
    'kind', CASE WHEN pol.polpermissive THEN 'permissive' ELSE 'restrictive' END,
    'roles', (SELECT string_agg(r.name, ', ' ORDER BY r.name) FROM (SELECT CASE WHEN x = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(x)::text END AS name FROM unnest(pol.polroles) x) r),
    'using', pg_get_expr(pol.polqual, pol.polrelid),
    'with check', pg_get_expr(pol.polwithcheck, pol.polrelid),
    'comment', ds.description)
FROM pg_policy pol JOIN rel c ON c.oid = pol.polrelid
${comment('pg_policy', 'pol.oid')}
WHERE ${f.rel('pol.polrelid')}`;

const DEFAULT_PRIVILEGES = (f: Filter): string => `
SELECT 130, 'd:' || da.oid, 'default privileges of ' || pg_get_userbyid(da.defaclrole) || ' on '
    || (CASE da.defaclobjtype WHEN 'r' THEN 'tables' WHEN 'S' THEN 'sequences' WHEN 'f' THEN 'functions' WHEN 'T' THEN 'types' WHEN 'n' THEN 'schemas' ELSE 'objects' END)
    || coalesce(' in schema ' || n.nspname, ''), NULL, '[]'::jsonb,
  jsonb_build_object('privileges', ${privileges('da.defaclacl', null, 'da.defaclrole')})
FROM pg_default_acl da LEFT JOIN pg_namespace n ON n.oid = da.defaclnamespace
WHERE ${f.unit("'d:' || da.oid")}`;

/** Which units a statement reads: all, or those named by its four parameters (comma-separated lists). */
interface Filter {
  rel(column: string): string;
  type(column: string): string;
  func(column: string): string;
  unit(expression: string): string;
}

const ALL: Filter = { rel: () => 'TRUE', type: () => 'TRUE', func: () => 'TRUE', unit: () => 'TRUE' };

const anyOid = (param: number) => (column: string): string => `${column} = ANY (string_to_array($${param}::text, ',')::oid[])`;

/** $1 relation oids (r: units), $2 type oids (t:), $3 function oids (f:), $4 other units (n:, e:, d:). */
const SOME: Filter = { rel: anyOid(1), type: anyOid(2), func: anyOid(3), unit: (expression) => `${expression} = ANY (string_to_array($4::text, ','))` };

type Section = (f: Filter) => string;

/** The sections that read each kind of unit. */
function sectionsFor(serverVersion: number): Readonly<Record<'r' | 't' | 'f' | 'o', readonly Section[]>> {
  return {
    r: [TYPES, SEQUENCES, TABLES, COLUMNS, CONSTRAINTS, INDEXES, VIEWS, TRIGGERS, POLICIES],
    t: [TYPES, DOMAIN_CONSTRAINTS],
    f: [(f) => functions(serverVersion, f)],
    o: [SCHEMAS, EXTENSIONS, DEFAULT_PRIVILEGES],
  };
}

/**
 * The snapshot statement for a server (server_version_num decides a few expressions): every object, or, given the
 * units to read, only those (its four parameters come from unitParameters(); units are explained in
 * snapshot-inventory.ts). Only the sections for the kinds of units asked for are included: the statement is planned
 * again after every migration, since DDL invalidates cached plans, and a smaller one plans faster.
 */
export function snapshotQuery(serverVersion: number, units?: readonly string[]): string {
  const byKind = sectionsFor(serverVersion);
  const kinds = units ? (['r', 't', 'f', 'o'] as const).filter((k) => units.some((u) => (k === 'o' ? /^[ned]:/.test(u) : u.startsWith(`${k}:`)))) : (['o', 'r', 't', 'f'] as const);
  const sections = [...new Set(kinds.flatMap((k) => byKind[k]))].map((section) => section(units ? SOME : ALL));
  // A statement must type every parameter even when its sections use only some: an unused CTE does that.
  const params = units ? 'params AS (SELECT $1::text AS r, $2::text AS t, $3::text AS f, $4::text AS o),' : '';
  return `WITH ${params}${COMMON}\nSELECT unit, rank, key, parent, names, jsonb_strip_nulls(props) AS props FROM (${sections.join('\nUNION ALL')}\n) objects (rank, unit, key, parent, names, props)`;
}

/** The parameters of a filtered snapshot statement for a list of units. */
export function unitParameters(units: readonly string[]): [string, string, string, string] {
  const of = (prefix: string): string => units.filter((u) => u.startsWith(prefix)).map((u) => u.slice(prefix.length)).join(',');
  return [of('r:'), of('t:'), of('f:'), units.filter((u) => /^[ned]:/.test(u)).join(',')];
}
