import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-grant-to-public.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\nCREATE FUNCTION price_of(p bigint) RETURNS numeric LANGUAGE sql RETURN 1;' };

ruleTester(rule, {
  valid: [
    { name: 'a grant to a named role', before: [products], up: 'GRANT SELECT ON products TO app_readers;' },
    { name: 'a role spelled "public" in quotes is an ordinary role name', before: [products], up: 'GRANT SELECT ON products TO "PUBLIC";' },
    { name: 'revoking from PUBLIC', before: [products], up: 'REVOKE ALL ON products FROM PUBLIC;' },
    { name: 'USAGE on a type: PUBLIC has it by default', up: "CREATE TYPE mood AS ENUM ('ok');\nGRANT USAGE ON TYPE mood TO PUBLIC;" },
    { name: 'a down that restores what its up revoked from PUBLIC', before: [products], up: 'REVOKE EXECUTE ON FUNCTION price_of(bigint) FROM PUBLIC;', down: 'GRANT EXECUTE ON FUNCTION price_of(bigint) TO PUBLIC;' },
    { name: 'a down that restores default privileges its up revoked from PUBLIC', up: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;', down: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO PUBLIC;' },
    { name: 'default privileges for a named role', up: 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO app_readers;' },
  ],
  invalid: [
    { name: 'SELECT on a table to PUBLIC, reported at PUBLIC', before: [products], up: 'GRANT SELECT ON products TO PUBLIC;', errors: [{ messageId: 'grant', line: 1, column: 29, endLine: 1, endColumn: 35, message: 'Granting SELECT on products to PUBLIC' }] },
    { name: 'PUBLIC among other grantees, mixed case, schema-qualified', before: [products], up: 'grant select, update on public.products, Audit.Log to app_writers, public;', errors: [{ messageId: 'grant', line: 1, column: 68, endLine: 1, endColumn: 74, message: 'SELECT, UPDATE on products, audit.log' }] },
    { name: 'ALL PRIVILEGES on every table of a schema', up: 'GRANT ALL ON ALL TABLES IN SCHEMA public TO PUBLIC;', errors: [{ messageId: 'grant', line: 1, column: 45, endLine: 1, endColumn: 51, message: 'ALL PRIVILEGES on all tables in schema public' }] },
    { name: 'EXECUTE on a function in the same migration', up: 'CREATE FUNCTION f() RETURNS int LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog RETURN 1;\nGRANT EXECUTE ON FUNCTION f() TO PUBLIC;', errors: [{ messageId: 'grant', line: 2, column: 34, endLine: 2, endColumn: 40, message: 'EXECUTE on function f()' }] },
    { name: 'default privileges to PUBLIC', up: 'ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO PUBLIC;', errors: [{ messageId: 'defaultPrivileges', line: 1, column: 66, endLine: 1, endColumn: 72, message: 'SELECT on every table created later in schema app' }] },
    { name: 'a down that grants to PUBLIC what its up never revoked', before: [products], up: 'REVOKE SELECT ON products FROM app_readers;', down: 'GRANT SELECT ON products TO PUBLIC;', errors: [{ messageId: 'grant', file: 'down', line: 1, column: 29, endLine: 1, endColumn: 35 }] },
    { name: 'quoted lower-case "public" is PUBLIC too', before: [products], up: 'GRANT INSERT ON products TO "public";', errors: [{ messageId: 'grant', line: 1, column: 29, endLine: 1, endColumn: 37 }] },
    { name: 'USAGE on a schema', up: 'GRANT USAGE, CREATE ON SCHEMA reports TO PUBLIC;', errors: [{ messageId: 'grant', line: 1, column: 42, endLine: 1, endColumn: 48, message: 'USAGE, CREATE on schema reports' }] },
  ],
});
