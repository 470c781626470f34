// The cheap half of an incremental snapshot. A unit is what snapshot-query.ts reads together:
//   r:<oid> a relation (table, view, sequence, composite type) with its columns, defaults, constraints, indexes,
//           triggers, policies, rules and comments;  t:<oid> an enum, domain or range type;  f:<oid> a function;
//   n:<oid> a schema;  e:<oid> an extension;  d:<oid> a default ACL.
// INVENTORY gives each unit a stamp (how many catalog rows it has and the sum of their xmin): any insert, update or
// delete of one of its rows changes it. DEPENDENTS gives the units that reference changed units through pg_depend,
// since their deparsed definitions print the names of what they reference.

const USER_SCHEMA = `nspname NOT IN ('pg_catalog', 'information_schema') AND nspname NOT LIKE 'pg\\_toast%' AND nspname NOT LIKE 'pg\\_temp\\_%'`;

const x = (alias: string): string => `${alias}.xmin::text::int8`;

/** FirstNormalObjectId: everything a user creates has an OID at least this; ranges on it use the catalogs' OID indexes. */
const FIRST_USER_OID = 16384;

export const INVENTORY_QUERY = `
WITH
ns AS (SELECT oid FROM pg_namespace WHERE ${USER_SCHEMA}),
ext AS (
  SELECT classid, objid FROM pg_depend
  WHERE classid IN ('pg_class'::regclass, 'pg_type'::regclass, 'pg_proc'::regclass) AND objid >= ${FIRST_USER_OID} AND deptype = 'e'
),
urel AS (
  SELECT c.oid FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
  WHERE c.oid >= ${FIRST_USER_OID} AND c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S', 'c')
    AND c.relname <> 'pgmigrations' AND c.relname NOT LIKE 'pgmigrations\\_%'
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_class'::regclass AND ext.objid = c.oid)
),
utype AS (
  SELECT t.oid FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
  WHERE t.oid >= ${FIRST_USER_OID} AND t.typtype IN ('e', 'd', 'r')
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_type'::regclass AND ext.objid = t.oid)
),
ufunc AS (
  SELECT p.oid FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
  WHERE p.oid >= ${FIRST_USER_OID} AND p.proname NOT LIKE 'pgmigrations\\_%'
    AND NOT EXISTS (SELECT 1 FROM ext WHERE ext.classid = 'pg_proc'::regclass AND ext.objid = p.oid)
),
unitrows AS (
  SELECT 'r' AS k, c.oid AS o, ${x('c')} AS x FROM pg_class c JOIN urel ON urel.oid = c.oid
  UNION ALL SELECT 'r', i.indrelid, ${x('c')} + ${x('i')} FROM pg_index i JOIN urel ON urel.oid = i.indrelid JOIN pg_class c ON c.oid = i.indexrelid WHERE i.indrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', a.attrelid, ${x('a')} FROM pg_attribute a JOIN urel ON urel.oid = a.attrelid WHERE a.attrelid >= ${FIRST_USER_OID} AND a.attnum > 0
  UNION ALL SELECT 'r', d.adrelid, ${x('d')} FROM pg_attrdef d JOIN urel ON urel.oid = d.adrelid WHERE d.adrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', k.conrelid, ${x('k')} FROM pg_constraint k JOIN urel ON urel.oid = k.conrelid WHERE k.conrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 't', k.contypid, ${x('k')} FROM pg_constraint k JOIN utype ON utype.oid = k.contypid WHERE k.contypid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', tg.tgrelid, ${x('tg')} FROM pg_trigger tg JOIN urel ON urel.oid = tg.tgrelid WHERE tg.tgrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', pol.polrelid, ${x('pol')} FROM pg_policy pol JOIN urel ON urel.oid = pol.polrelid WHERE pol.polrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', rw.ev_class, ${x('rw')} FROM pg_rewrite rw JOIN urel ON urel.oid = rw.ev_class WHERE rw.ev_class >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', s.seqrelid, ${x('s')} FROM pg_sequence s JOIN urel ON urel.oid = s.seqrelid WHERE s.seqrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', h.inhrelid, ${x('h')} FROM pg_inherits h JOIN urel ON urel.oid = h.inhrelid WHERE h.inhrelid >= ${FIRST_USER_OID}
  UNION ALL SELECT 'r', dp.objid, ${x('dp')} FROM pg_depend dp JOIN urel ON urel.oid = dp.objid WHERE dp.classid = 'pg_class'::regclass AND dp.objid >= ${FIRST_USER_OID} AND dp.deptype IN ('a', 'i')
  UNION ALL SELECT 'r', t.typrelid, ${x('t')} FROM pg_type t JOIN urel ON urel.oid = t.typrelid WHERE t.oid >= ${FIRST_USER_OID}
  UNION ALL SELECT 't', t.oid, ${x('t')} FROM pg_type t JOIN utype ON utype.oid = t.oid
  UNION ALL SELECT 't', en.enumtypid, ${x('en')} FROM pg_enum en JOIN utype ON utype.oid = en.enumtypid WHERE en.enumtypid >= ${FIRST_USER_OID}
  UNION ALL SELECT 't', rg.rngtypid, ${x('rg')} FROM pg_range rg JOIN utype ON utype.oid = rg.rngtypid
  UNION ALL SELECT 'f', p.oid, ${x('p')} FROM pg_proc p JOIN ufunc ON ufunc.oid = p.oid
  UNION ALL SELECT 'n', n.oid, ${x('n')} FROM pg_namespace n JOIN ns ON ns.oid = n.oid
  UNION ALL SELECT 'e', e.oid, ${x('e')} FROM pg_extension e
  UNION ALL SELECT 'd', da.oid, ${x('da')} FROM pg_default_acl da
),
comments AS (SELECT classoid, objoid, ${x('ds')} AS x FROM pg_description ds WHERE objoid >= 16384 OR classoid = 'pg_namespace'::regclass),
commentrows AS (
  SELECT 'r' AS k, c.objoid AS o, c.x FROM comments c JOIN urel ON urel.oid = c.objoid WHERE c.classoid = 'pg_class'::regclass
  UNION ALL SELECT 'r', i.indrelid, c.x FROM comments c JOIN pg_index i ON i.indexrelid = c.objoid WHERE c.classoid = 'pg_class'::regclass
  UNION ALL SELECT CASE WHEN k.conrelid <> 0 THEN 'r' ELSE 't' END, CASE WHEN k.conrelid <> 0 THEN k.conrelid ELSE k.contypid END, c.x
    FROM comments c JOIN pg_constraint k ON k.oid = c.objoid WHERE c.classoid = 'pg_constraint'::regclass
  UNION ALL SELECT 'r', tg.tgrelid, c.x FROM comments c JOIN pg_trigger tg ON tg.oid = c.objoid WHERE c.classoid = 'pg_trigger'::regclass
  UNION ALL SELECT 'r', pol.polrelid, c.x FROM comments c JOIN pg_policy pol ON pol.oid = c.objoid WHERE c.classoid = 'pg_policy'::regclass
  UNION ALL SELECT 'f', c.objoid, c.x FROM comments c WHERE c.classoid = 'pg_proc'::regclass
  UNION ALL SELECT CASE WHEN t.typrelid <> 0 THEN 'r' ELSE 't' END, CASE WHEN t.typrelid <> 0 THEN t.typrelid ELSE t.oid END, c.x
    FROM comments c JOIN pg_type t ON t.oid = c.objoid WHERE c.classoid = 'pg_type'::regclass
  UNION ALL SELECT 'n', c.objoid, c.x FROM comments c WHERE c.classoid = 'pg_namespace'::regclass
)
SELECT k || ':' || o AS unit, count(*)::text || ':' || sum(x)::text AS stamp
FROM (SELECT * FROM unitrows UNION ALL SELECT * FROM commentrows) r
GROUP BY k, o`;

/** $1: comma-separated changed units. Returns the units whose objects depend on an object of a changed unit. */
export const DEPENDENTS_QUERY = `
WITH changed AS (
  SELECT split_part(u, ':', 1) AS k, split_part(u, ':', 2)::oid AS o FROM unnest(string_to_array($1::text, ',')) u
),
members AS (
  SELECT 'pg_class'::regclass::oid AS classid, o AS objid FROM changed WHERE k = 'r'
  UNION ALL SELECT 'pg_class'::regclass, i.indexrelid FROM changed JOIN pg_index i ON i.indrelid = changed.o WHERE k = 'r'
  UNION ALL SELECT 'pg_constraint'::regclass, c.oid FROM changed JOIN pg_constraint c ON c.conrelid = changed.o WHERE k = 'r'
  UNION ALL SELECT 'pg_type'::regclass, t.oid FROM changed JOIN pg_type t ON t.typrelid = changed.o WHERE k = 'r'
  UNION ALL SELECT 'pg_type'::regclass, o FROM changed WHERE k = 't'
  UNION ALL SELECT 'pg_proc'::regclass, o FROM changed WHERE k = 'f'
),
referenced AS (
  SELECT classid, objid FROM members
  UNION ALL SELECT 'pg_type'::regclass, t.typarray FROM members m JOIN pg_type t ON t.oid = m.objid WHERE m.classid = 'pg_type'::regclass AND t.typarray <> 0
)
SELECT DISTINCT CASE
    WHEN d.classid = 'pg_class'::regclass THEN 'r:' || coalesce(ix.indrelid, d.objid)
    WHEN d.classid = 'pg_rewrite'::regclass THEN 'r:' || rw.ev_class
    WHEN d.classid = 'pg_constraint'::regclass THEN CASE WHEN k.conrelid <> 0 THEN 'r:' || k.conrelid ELSE 't:' || k.contypid END
    WHEN d.classid = 'pg_attrdef'::regclass THEN 'r:' || ad.adrelid
    WHEN d.classid = 'pg_trigger'::regclass THEN 'r:' || tg.tgrelid
    WHEN d.classid = 'pg_policy'::regclass THEN 'r:' || pol.polrelid
    WHEN d.classid = 'pg_proc'::regclass THEN 'f:' || d.objid
    WHEN d.classid = 'pg_type'::regclass THEN CASE WHEN ty.typrelid <> 0 THEN 'r:' || ty.typrelid ELSE 't:' || d.objid END
  END AS unit
FROM referenced m
JOIN pg_depend d ON d.refclassid = m.classid AND d.refobjid = m.objid
LEFT JOIN pg_index ix ON d.classid = 'pg_class'::regclass AND ix.indexrelid = d.objid
LEFT JOIN pg_rewrite rw ON d.classid = 'pg_rewrite'::regclass AND rw.oid = d.objid
LEFT JOIN pg_constraint k ON d.classid = 'pg_constraint'::regclass AND k.oid = d.objid
LEFT JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
LEFT JOIN pg_trigger tg ON d.classid = 'pg_trigger'::regclass AND tg.oid = d.objid
LEFT JOIN pg_policy pol ON d.classid = 'pg_policy'::regclass AND pol.oid = d.objid
LEFT JOIN pg_type ty ON d.classid = 'pg_type'::regclass AND ty.oid = d.objid
WHERE d.deptype IN ('n', 'a', 'i')`;
