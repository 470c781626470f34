import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/adding-field-with-default.js';

const users = { up: 'CREATE TABLE users (id bigint PRIMARY KEY, email text);', down: 'DROP TABLE users;' };
const add = (column: string): string => `ALTER TABLE users ADD COLUMN ${column};`;

ruleTester(rule, {
  valid: [
    { name: 'a constant default is stored once (Postgres 11+)', before: [users], up: add("status text NOT NULL DEFAULT 'active'") },
    { name: 'now() is STABLE: one value for every row', before: [users], up: add('created_at timestamptz NOT NULL DEFAULT now()') },
    { name: 'CURRENT_TIMESTAMP is STABLE', before: [users], up: add('created_at timestamptz DEFAULT CURRENT_TIMESTAMP') },
    { name: 'pg_catalog.now() is the same function', before: [users], up: add('created_at timestamptz DEFAULT pg_catalog.now()') },
    { name: 'an expression over stable and immutable parts', before: [users], up: add("expires_at timestamptz DEFAULT now() + interval '30 days'") },
    { name: 'current_user is STABLE (an SQL value function, not a call)', before: [users], up: add('created_by text NOT NULL DEFAULT current_user') },
    { name: 'current_setting() is STABLE', before: [users], up: add("region text DEFAULT current_setting('app.region')") },
    { name: 'casts and array literals are constant', before: [users], up: "ALTER TABLE users ADD COLUMN prefs jsonb NOT NULL DEFAULT '{}'::jsonb, ADD COLUMN tags text[] NOT NULL DEFAULT ARRAY[]::text[];" },
    { name: 'lower() of a constant is IMMUTABLE', before: [users], up: add("code text DEFAULT lower('ABC')") },
    { name: 'a nullable column without default', before: [users], up: add('token uuid') },
    { name: 'a VIRTUAL generated column stores nothing (Postgres 18)', before: [users], up: add('email_lower text GENERATED ALWAYS AS (lower(email)) VIRTUAL') },
    { name: 'a generated column is VIRTUAL by default in Postgres 18', before: [users], up: add('email_lower text GENERATED ALWAYS AS (lower(email))') },
    { name: 'SET DEFAULT on an existing column only affects new rows', before: [users, { up: add('token uuid') }], up: 'ALTER TABLE users ALTER COLUMN token SET DEFAULT gen_random_uuid();' },
    { name: 'a function declared STABLE in the same migration', before: [users], up: "CREATE FUNCTION app_region() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('app.region') $$;\nALTER TABLE users ADD COLUMN region text DEFAULT app_region();" },
    { name: 'a volatile default on a table created in the same migration', up: 'CREATE TABLE users (id bigint PRIMARY KEY);\nALTER TABLE users ADD COLUMN token uuid NOT NULL DEFAULT gen_random_uuid();' },
    { name: 'a bigserial on a quoted table created in the same migration', up: 'CREATE TABLE "Users" (id bigint);\nALTER TABLE "Users" ADD COLUMN seq bigserial;' },
    { name: 'a table changed by dynamic SQL is not judged', before: [{ up: "CREATE TABLE users (id bigint PRIMARY KEY);\nDO $$ BEGIN EXECUTE 'TRUNCATE users'; END $$;" }], up: add('token uuid DEFAULT gen_random_uuid()') },
    { name: 'a domain of the same name in another schema is not this type', before: [users, { up: 'CREATE SCHEMA app;\nCREATE DOMAIN app.score AS int CHECK (VALUE > 0);' }], up: add('points score') },
  ],
  invalid: [
    { name: 'gen_random_uuid() on a table created earlier', before: [users], up: add('token uuid NOT NULL DEFAULT gen_random_uuid()'), errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 75, message: 'Adding column users.token with the volatile default gen_random_uuid() rewrites users under an ACCESS EXCLUSIVE lock' }] },
    { name: 'a table the history never created counts as existing', up: '-- Order of rows for sampling.\nALTER TABLE events ADD COLUMN sample float8 DEFAULT random();', errors: [{ messageId: 'volatileDefault', line: 2, column: 31, endLine: 2, endColumn: 61, message: 'random()' }] },
    { name: 'clock_timestamp() is VOLATILE, unlike now()', before: [users], up: add('seen_at timestamptz DEFAULT clock_timestamp()'), errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 75 }] },
    { name: 'a schema-qualified uuid extension function', before: [users], up: add('token uuid DEFAULT extensions.uuid_generate_v4()'), errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 78, message: 'extensions.uuid_generate_v4()' }] },
    { name: 'nextval() draws one value per row', before: [users], up: add("seq bigint DEFAULT nextval('users_seq')"), errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 69 }] },
    { name: 'a volatile call nested in an expression', before: [users], up: add("code text DEFAULT 'u-' || md5(random()::text)"), errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 75, message: 'random()' }] },
    { name: 'an unknown user function may be volatile', before: [users], up: add('rank int DEFAULT next_rank()'), errors: [{ messageId: 'unknownDefault', line: 1, column: 30, endLine: 1, endColumn: 58, message: 'unless next_rank() is STABLE or IMMUTABLE' }] },
    { name: 'a user function named like a builtin in another schema', before: [users], up: add('created_at timestamptz DEFAULT app.now()'), errors: [{ messageId: 'unknownDefault', line: 1, column: 30, endLine: 1, endColumn: 70, message: 'app.now()' }] },
    { name: 'a bigserial column fills every row from a sequence', before: [users], up: add('seq bigserial'), errors: [{ messageId: 'sequenceDefault', line: 1, column: 30, endLine: 1, endColumn: 43, message: 'Adding bigserial column users.seq' }] },
    { name: 'an identity column fills every row from a sequence', before: [users], up: add('seq bigint GENERATED ALWAYS AS IDENTITY'), errors: [{ messageId: 'sequenceDefault', line: 1, column: 30, endLine: 1, endColumn: 69, message: 'identity column' }] },
    { name: 'a STORED generated column computes every row (target 15: the help offers no VIRTUAL column, which 18 brought)', before: [users], up: add('email_lower text GENERATED ALWAYS AS (lower(email)) STORED'), errors: [{ messageId: 'generatedStoredBefore18', line: 1, column: 30, endLine: 1, endColumn: 88 }] },
    { name: 'a column of a domain with a CHECK', before: [users, { up: 'CREATE DOMAIN score AS int CHECK (VALUE > 0);' }], up: add('points score'), errors: [{ messageId: 'domainType', line: 1, column: 30, endLine: 1, endColumn: 42, message: 'of domain score' }] },
    { name: 'mixed case, schema-qualified, IF NOT EXISTS', before: [{ up: 'CREATE SCHEMA app;\nCREATE TABLE App.Users (id bigint PRIMARY KEY);' }], up: 'ALTER TABLE IF EXISTS APP.USERS\n    ADD COLUMN IF NOT EXISTS Token uuid DEFAULT gen_random_uuid();', errors: [{ messageId: 'volatileDefault', line: 2, column: 30, endLine: 2, endColumn: 66, message: 'app.users.token' }] },
    { name: 'each rewriting column of one statement', before: [users], up: "ALTER TABLE users ADD COLUMN a uuid DEFAULT gen_random_uuid(), ADD COLUMN b text DEFAULT 'x', ADD COLUMN c bigserial;", errors: [{ messageId: 'volatileDefault', line: 1, column: 30, endLine: 1, endColumn: 62 }, { messageId: 'sequenceDefault', line: 1, column: 106, endLine: 1, endColumn: 117 }] },
    { name: 'in a down file', before: [users], up: 'CREATE INDEX idx_users_email ON users (email);', down: 'DROP INDEX idx_users_email;\nALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();', errors: [{ messageId: 'volatileDefault', line: 2, column: 30, endLine: 2, endColumn: 66, file: 'down' }] },
  ],
});

// Across migrations: the schema model remembers function volatility and domain constraints.
ruleTester(rule, {
  valid: [
    {
      name: 'a default calling a STABLE function an earlier migration declared',
      before: [{ up: 'CREATE TABLE t (id bigint);' }, { up: "CREATE FUNCTION app_tenant() RETURNS text LANGUAGE sql STABLE AS $$ SELECT current_setting('app.tenant') $$;" }],
      up: 'ALTER TABLE t ADD COLUMN tenant text DEFAULT app_tenant();',
    },
    {
      name: 'a column of an unconstrained domain',
      before: [{ up: 'CREATE TABLE t (id bigint);' }, { up: 'CREATE DOMAIN label AS text;' }],
      up: 'ALTER TABLE t ADD COLUMN l label;',
    },
  ],
  invalid: [
    {
      name: 'a default calling a VOLATILE function an earlier migration declared',
      before: [{ up: 'CREATE TABLE t (id bigint);' }, { up: 'CREATE FUNCTION next_code() RETURNS text LANGUAGE sql VOLATILE AS $$ SELECT md5(random()::text) $$;' }],
      up: 'ALTER TABLE t ADD COLUMN code text DEFAULT next_code();',
      errors: [{ messageId: 'unknownDefault', line: 1, column: 26, endLine: 1, endColumn: 55 }],
    },
    {
      name: 'a column of a text domain with a CHECK',
      before: [{ up: 'CREATE TABLE t (id bigint);' }, { up: "CREATE DOMAIN label AS text CHECK (VALUE <> '');" }],
      up: 'ALTER TABLE t ADD COLUMN l label;',
      errors: [{ messageId: 'domainType', line: 1, column: 26, endLine: 1, endColumn: 33 }],
    },
  ],
});
