import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-security-definer-search-path.js';

ruleTester(rule, {
  valid: [
    { name: 'SECURITY DEFINER with SET search_path', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$ SELECT 1 $$;' },
    { name: 'SET search_path FROM CURRENT', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path FROM CURRENT RETURN 1;' },
    { name: "SET search_path = ''", up: "CREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = '' SECURITY DEFINER RETURN 1;" },
    { name: 'SECURITY INVOKER needs no search_path', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY INVOKER RETURN 1;\nCREATE PROCEDURE p() LANGUAGE sql AS $$ SELECT 1 $$;' },
    { name: 'ALTER ... SECURITY DEFINER with SET search_path in the same statement', before: [{ up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql RETURN 1;' }], up: 'ALTER FUNCTION f() SECURITY DEFINER SET search_path = pg_catalog, pg_temp;' },
    { name: 'ALTER ... SECURITY DEFINER of a function this migration created with a search_path', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = pg_catalog RETURN 1;\nALTER FUNCTION f() SECURITY DEFINER;' },
    { name: 'RESET search_path on a SECURITY INVOKER function', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = pg_catalog RETURN 1;\nALTER FUNCTION f() RESET search_path;' },
    { name: 'ALTER ... SECURITY INVOKER', up: 'ALTER FUNCTION f() SECURITY INVOKER;' },
    { name: 'a comment that says SECURITY DEFINER', up: "COMMENT ON FUNCTION f() IS 'SECURITY DEFINER';" },
  ],
  invalid: [
    { name: 'CREATE FUNCTION ... SECURITY DEFINER without search_path, reported at SECURITY', up: 'CREATE FUNCTION erase_user(target uuid) RETURNS void\nLANGUAGE sql\nSECURITY DEFINER\nAS $$ DELETE FROM users WHERE id = target $$;', errors: [{ messageId: 'missingSearchPath', line: 3, column: 1, endLine: 3, endColumn: 17, message: 'Function erase_user runs with its owner' }] },
    { name: 'CREATE OR REPLACE PROCEDURE in a schema, with another SET', up: 'CREATE OR REPLACE PROCEDURE Admin.Purge() LANGUAGE sql SET work_mem = \'64MB\' EXTERNAL SECURITY DEFINER AS $$ SELECT 1 $$;', errors: [{ messageId: 'missingSearchPath', line: 1, column: 78, endLine: 1, endColumn: 103, message: 'Procedure admin.purge' }] },
    { name: 'ALTER FUNCTION ... SECURITY DEFINER of a function from an earlier migration', before: [{ up: 'CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN a;' }], up: 'ALTER FUNCTION f(int) SECURITY DEFINER;', errors: [{ messageId: 'missingSearchPath', line: 1, column: 23, endLine: 1, endColumn: 39 }] },
    { name: 'ALTER ROUTINE ... RESET ALL on a definer function this migration pinned', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog RETURN 1;\nALTER ROUTINE f RESET ALL;', errors: [{ messageId: 'resetSearchPath', line: 2, column: 17, endLine: 2, endColumn: 26, message: 'SECURITY DEFINER function f' }] },
    { name: 'a down file that restores a definer function without search_path', up: 'CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog RETURN 2;', down: 'CREATE OR REPLACE FUNCTION g() RETURNS int LANGUAGE sql SECURITY DEFINER RETURN 1;', errors: [{ messageId: 'missingSearchPath', file: 'down', line: 1, column: 57, endLine: 1, endColumn: 73 }] },
  ],
});

// Across migrations: the schema model remembers how earlier migrations defined the function.
ruleTester(rule, {
  valid: [
    {
      name: 'ALTER ... SECURITY DEFINER on a function an earlier migration pinned to a search_path',
      before: [{ up: "CREATE FUNCTION audit.f() RETURNS int LANGUAGE sql SET search_path = pg_catalog, pg_temp AS 'SELECT 1';" }],
      up: 'ALTER FUNCTION audit.f() SECURITY DEFINER;',
    },
  ],
  invalid: [
    {
      name: 'RESET search_path on a definer function from an earlier migration',
      before: [{ up: "CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog AS 'SELECT 1';" }],
      up: 'ALTER FUNCTION f() RESET search_path;',
      errors: [{ messageId: 'resetSearchPath', line: 1, column: 20, endLine: 1, endColumn: 37 }],
    },
  ],
});
