import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-owner-to-superuser.js';

const objects = { up: 'CREATE TABLE orders (id bigint PRIMARY KEY);\nCREATE FUNCTION f(a int) RETURNS int LANGUAGE sql RETURN a;' };

ruleTester(rule, {
  valid: [
    { name: 'an ordinary owner role', before: [objects], up: 'ALTER TABLE orders OWNER TO app_owner;\nALTER FUNCTION f(int) OWNER TO app_owner;' },
    { name: 'CURRENT_USER, SESSION_USER and CURRENT_ROLE cannot be known here', before: [objects], up: 'ALTER TABLE orders OWNER TO CURRENT_USER;\nALTER FUNCTION f(int) OWNER TO SESSION_USER;\nALTER SCHEMA public OWNER TO CURRENT_ROLE;' },
    { name: 'a role whose name merely contains postgres', before: [objects], up: 'ALTER TABLE orders OWNER TO postgres_app;' },
    { name: 'a superuser demoted earlier in the same migration', before: [objects], up: 'CREATE ROLE ops SUPERUSER;\nALTER ROLE ops NOSUPERUSER;\nALTER TABLE orders OWNER TO ops;' },
    { name: 'a down that gives back an object its up handed to app_owner', before: [objects], up: 'ALTER TABLE orders OWNER TO app_owner;', down: 'ALTER TABLE orders OWNER TO postgres;' },
    { name: 'CREATE SCHEMA ... AUTHORIZATION postgres is not an OWNER TO', up: 'CREATE SCHEMA reports AUTHORIZATION postgres;' },
  ],
  invalid: [
    { name: 'ALTER TABLE ... OWNER TO postgres, reported at the role', before: [objects], up: 'ALTER TABLE orders OWNER TO postgres;', errors: [{ messageId: 'owner', line: 1, column: 29, endLine: 1, endColumn: 37, message: 'Making superuser postgres the owner of table orders' }] },
    { name: 'quoted and mixed-case spellings of postgres', before: [objects], up: 'ALTER FUNCTION f(int) OWNER TO "postgres";\nALTER VIEW Reports.Daily OWNER TO POSTGRES;', errors: [{ messageId: 'owner', line: 1, column: 32, endLine: 1, endColumn: 42, message: 'function f' }, { messageId: 'owner', line: 2, column: 35, endLine: 2, endColumn: 43, message: 'view reports.daily' }] },
    { name: 'a role this migration creates WITH SUPERUSER', before: [objects], up: 'CREATE ROLE platform_admin WITH LOGIN SUPERUSER;\nALTER TYPE mood OWNER TO platform_admin;', errors: [{ messageId: 'owner', line: 2, column: 26, endLine: 2, endColumn: 40, message: 'superuser platform_admin the owner of type mood' }] },
    { name: 'a role this migration promotes', before: [objects], up: 'ALTER ROLE ops SUPERUSER;\nALTER SEQUENCE orders_id_seq OWNER TO ops;', errors: [{ messageId: 'owner', line: 2, column: 39, endLine: 2, endColumn: 42, message: 'sequence orders_id_seq' }] },
    { name: 'REASSIGN OWNED ... TO postgres', up: 'REASSIGN OWNED BY app_owner, legacy TO postgres;', errors: [{ messageId: 'reassign', line: 1, column: 40, endLine: 1, endColumn: 48, message: 'everything app_owner, legacy owns' }] },
    { name: 'a down that hands an object to postgres its up never touched', before: [objects], up: 'ALTER TABLE orders ADD COLUMN note text;', down: 'ALTER TABLE orders DROP COLUMN note;\nALTER TABLE orders OWNER TO postgres;', errors: [{ messageId: 'owner', file: 'down', line: 2, column: 29, endLine: 2, endColumn: 37 }] },
  ],
});

// Across migrations: a role an earlier migration made superuser is known.
ruleTester(rule, {
  valid: [
    { name: 'a role an earlier migration demoted', before: [{ up: 'CREATE ROLE ops SUPERUSER;' }, { up: 'ALTER ROLE ops NOSUPERUSER;' }], up: 'ALTER TABLE t OWNER TO ops;' },
  ],
  invalid: [
    { name: 'a role an earlier migration made superuser', before: [{ up: 'CREATE ROLE ops SUPERUSER;' }], up: 'ALTER TABLE t OWNER TO ops;', errors: [{ messageId: 'owner', line: 1, column: 24, endLine: 1, endColumn: 27 }] },
  ],
});
