// A normalized snapshot of the user schema, for "down restores exactly what was there" comparisons.
// One set-based query over pg_catalog; each line is `<kind> <object>: <definition>`, sorted; the runner's bookkeeping
// (pgmigrations and the pgmigrations_* tables, with their sequences, indexes, triggers and functions) is left out.
import type { Sql } from '../../core/postgres/database-url.js';

const SNAPSHOT = `
WITH user_namespaces AS (
    SELECT oid, nspname
    FROM pg_namespace
    WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND nspname NOT LIKE 'pg_temp_%'
      AND nspname NOT LIKE 'pg_toast_temp_%'
),
user_relations AS (
    SELECT c.oid, c.relname, c.relkind, n.nspname, format('%I.%I', n.nspname, c.relname) AS qualified
    FROM pg_class c
    JOIN user_namespaces n ON n.oid = c.relnamespace
    WHERE NOT (n.nspname = 'public' AND (c.relname = 'pgmigrations' OR c.relname LIKE 'pgmigrations\\_%'))
),
user_functions AS (
    SELECT p.oid, p.prokind, format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS signature
    FROM pg_proc p
    JOIN user_namespaces n ON n.oid = p.pronamespace
    WHERE NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
      AND NOT (n.nspname = 'public' AND p.proname LIKE 'pgmigrations\\_%')
)
SELECT line FROM (
    SELECT format('schema %I: owner %s; comment %L', n.nspname, pg_get_userbyid(ns.nspowner), obj_description(n.oid, 'pg_namespace')) AS line
    FROM user_namespaces n JOIN pg_namespace ns ON ns.oid = n.oid
    WHERE n.nspname <> 'public' OR obj_description(n.oid, 'pg_namespace') IS DISTINCT FROM 'standard public schema'
    UNION ALL
    SELECT format('extension %I: version %s', e.extname, e.extversion) FROM pg_extension e WHERE e.extname <> 'plpgsql'
    UNION ALL
    SELECT format('relation %s: kind %s, persistence %s, rls %s/%s, acl %s, options %s; comment %L',
                  r.qualified, r.relkind, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity, c.relacl, c.reloptions,
                  obj_description(r.oid, 'pg_class'))
    FROM user_relations r JOIN pg_class c ON c.oid = r.oid
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    UNION ALL
    SELECT format('column %s.%I: #%s %s%s%s%s%s; comment %L',
                  r.qualified, a.attname,
                  row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum),
                  format_type(a.atttypid, a.atttypmod),
                  CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                  CASE WHEN ad.adbin IS NOT NULL AND a.attgenerated = '' THEN ' DEFAULT ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END,
                  CASE WHEN a.attgenerated <> '' THEN ' GENERATED ' || pg_get_expr(ad.adbin, ad.adrelid) ELSE '' END,
                  CASE WHEN a.attidentity <> '' THEN ' IDENTITY ' || a.attidentity::text ELSE '' END
                  || CASE WHEN a.attcollation <> 0 AND a.attcollation <> t.typcollation THEN ' COLLATE ' || a.attcollation::regcollation::text ELSE '' END,
                  col_description(a.attrelid, a.attnum))
    FROM user_relations r
    JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = a.atttypid
    LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
    WHERE r.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
    UNION ALL
    SELECT format('constraint %s.%I: %s%s; comment %L', r.qualified, con.conname, pg_get_constraintdef(con.oid),
                  CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END, obj_description(con.oid, 'pg_constraint'))
    FROM pg_constraint con JOIN user_relations r ON r.oid = con.conrelid
    UNION ALL
    SELECT format('domain-constraint %s.%I: %s', format_type(con.contypid, NULL), con.conname, pg_get_constraintdef(con.oid))
    FROM pg_constraint con JOIN pg_type t ON t.oid = con.contypid JOIN user_namespaces n ON n.oid = t.typnamespace
    UNION ALL
    SELECT format('index %s: %s%s; comment %L', r.qualified, pg_get_indexdef(i.indexrelid),
                  CASE WHEN i.indisvalid THEN '' ELSE ' INVALID' END, obj_description(i.indexrelid, 'pg_class'))
    FROM pg_index i JOIN user_relations r ON r.oid = i.indexrelid
    UNION ALL
    SELECT format('trigger %s.%I: %s%s; comment %L', r.qualified, tg.tgname, pg_get_triggerdef(tg.oid),
                  CASE tg.tgenabled WHEN 'O' THEN '' ELSE ' enabled=' || tg.tgenabled::text END, obj_description(tg.oid, 'pg_trigger'))
    FROM pg_trigger tg JOIN user_relations r ON r.oid = tg.tgrelid
    WHERE NOT tg.tgisinternal
    UNION ALL
    SELECT format('view %s: %s', r.qualified, pg_get_viewdef(r.oid))
    FROM user_relations r WHERE r.relkind IN ('v', 'm')
    UNION ALL
    SELECT format('sequence %s: %s start %s increment %s min %s max %s cache %s cycle %s; owned by %s',
                  r.qualified, format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
                  (SELECT format('%s.%I', d.refobjid::regclass, a.attname)
                   FROM pg_depend d JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                   WHERE d.classid = 'pg_class'::regclass AND d.objid = r.oid AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
                   LIMIT 1))
    FROM pg_sequence s JOIN user_relations r ON r.oid = s.seqrelid
    UNION ALL
    SELECT format('function %s: %s; acl %s; comment %L', f.signature,
                  CASE WHEN f.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(f.oid) ELSE f.prokind::text END,
                  p.proacl, obj_description(f.oid, 'pg_proc'))
    FROM user_functions f JOIN pg_proc p ON p.oid = f.oid
    UNION ALL
    SELECT format('type %s: %s %s; comment %L', format_type(t.oid, NULL), t.typtype,
                  CASE t.typtype
                      WHEN 'e' THEN (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid)
                      WHEN 'd' THEN format_type(t.typbasetype, t.typtypmod) || CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END
                                    || coalesce(' DEFAULT ' || t.typdefault, '')
                      ELSE ''
                  END,
                  obj_description(t.oid, 'pg_type'))
    FROM pg_type t JOIN user_namespaces n ON n.oid = t.typnamespace
    WHERE t.typtype IN ('e', 'd', 'r', 'm')
       OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind = 'c'))
    UNION ALL
    SELECT format('policy %s.%I: %s %s roles %s using %s check %s', r.qualified, pol.polname, pol.polcmd, pol.polpermissive,
                  pol.polroles::regrole[], pg_get_expr(pol.polqual, pol.polrelid), pg_get_expr(pol.polwithcheck, pol.polrelid))
    FROM pg_policy pol JOIN user_relations r ON r.oid = pol.polrelid
) lines
ORDER BY line COLLATE "C"
`;

/** The sorted lines describing every user object (tables, columns, constraints, indexes, triggers, functions, types, comments). */
export async function catalogSnapshot(sql: Sql): Promise<string[]> {
  const rows = await sql.unsafe<{ line: string }[]>(SNAPSHOT);
  return rows.map((row) => row.line);
}

/** The user tables (schema-qualified when not in public), sorted, without pgmigrations and its checksum tables. */
export async function userTables(sql: Sql): Promise<string[]> {
  const rows = await sql.unsafe<{ name: string }[]>(`
    SELECT CASE WHEN n.nspname = 'public' THEN c.relname::text ELSE format('%I.%I', n.nspname, c.relname) END AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%'
      AND NOT (n.nspname = 'public' AND (c.relname = 'pgmigrations' OR c.relname LIKE 'pgmigrations\\_%'))
    ORDER BY 1`);
  return rows.map((row) => row.name);
}
