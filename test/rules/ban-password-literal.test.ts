import t from 'tap';
import { ruleTester } from '../helpers/rule-tester.js';
import rule, { hasPassword } from '../../verify/rules/ban-password-literal.js';

ruleTester(rule, {
  valid: [
    { name: 'a role without a password', up: 'CREATE ROLE reporting LOGIN;' },
    { name: 'PASSWORD NULL', up: 'CREATE USER reporting WITH LOGIN PASSWORD NULL;\nALTER ROLE reporting PASSWORD NULL;' },
    { name: 'a user mapping without a password', up: "CREATE USER MAPPING FOR app SERVER billing OPTIONS (user 'app');" },
    { name: 'dropping the password option of a user mapping', up: 'ALTER USER MAPPING FOR app SERVER billing OPTIONS (DROP password);' },
    { name: 'a subscription that relies on a passfile', up: "CREATE SUBSCRIPTION sub CONNECTION 'host=db1 user=repl dbname=app passfile=/etc/pgpass' PUBLICATION pub WITH (connect = false);" },
    { name: 'a column named password', up: 'CREATE TABLE accounts (id bigint, password text);' },
  ],
  invalid: [
    { name: 'CREATE ROLE ... PASSWORD, reported at PASSWORD, without echoing it', up: "CREATE ROLE reporting WITH LOGIN PASSWORD 'hunter2';", errors: [{ messageId: 'rolePassword', line: 1, column: 34, endLine: 1, endColumn: 52, message: 'Role reporting gets a password' }] },
    { name: 'ALTER USER ... ENCRYPTED PASSWORD with a hash, reported at ENCRYPTED', up: "ALTER USER \"Reporting\"\n    WITH ENCRYPTED PASSWORD 'SCRAM-SHA-256$4096:abc';", errors: [{ messageId: 'rolePassword', line: 2, column: 10, endLine: 2, endColumn: 53, message: 'Role Reporting' }] },
    { name: 'ALTER ROLE CURRENT_USER ... PASSWORD', up: "ALTER ROLE CURRENT_USER PASSWORD 'x';", errors: [{ messageId: 'rolePassword', line: 1, column: 25, endLine: 1, endColumn: 37, message: 'Role CURRENT_USER' }] },
    { name: 'a user mapping with a password', up: "CREATE USER MAPPING FOR app SERVER billing OPTIONS (user 'app', password 'pw');", errors: [{ messageId: 'mappingPassword', line: 1, column: 65, endLine: 1, endColumn: 78, message: 'user mapping for app on server billing' }] },
    { name: 'ALTER USER MAPPING ... SET password in a down file', up: 'SELECT 1;', down: "ALTER USER MAPPING FOR app SERVER billing OPTIONS (SET password 'pw');", errors: [{ messageId: 'mappingPassword', file: 'down', line: 1, column: 56, endLine: 1, endColumn: 69 }] },
    { name: 'a subscription with password= in its connection string', up: "CREATE SUBSCRIPTION sub CONNECTION 'host=db1 user=repl password=s3cret' PUBLICATION pub;", errors: [{ messageId: 'connectionPassword', line: 1, column: 1, endLine: 1, endColumn: 88, message: 'Subscription sub' }] },
  ],
});

t.test('ban-password-literal: no message repeats the password', async (t) => {
  for (const template of Object.values(rule.meta.messages)) t.notMatch(template, /\{\{\s*(password|value|secret)\s*\}\}/);
});

t.test('ban-password-literal: connection strings', async (t) => {
  t.ok(hasPassword('host=a password=b'));
  t.ok(hasPassword('host=a sslpassword=b'));
  t.ok(hasPassword('postgresql://repl:s3cret@db1/app'));
  t.notOk(hasPassword('postgresql://repl@db1/app'));
  t.notOk(hasPassword('host=a passfile=/x'));
});
