import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-runner-bookkeeping.js';

// Each case is a whole migration (`before`: earlier ones, which the schema model replays); its name says what it proves.
ruleTester(rule, {
  valid: [
    { name: 'an ordinary table', up: 'CREATE TABLE migrations_log (id bigint PRIMARY KEY);', down: 'DROP TABLE migrations_log;' },
    { name: 'the word in a comment is not a statement naming it', up: '-- pgmigrations is the runner\'s\nCREATE TABLE brands (id bigint PRIMARY KEY);', down: 'DROP TABLE brands;' },
    { name: 'a longer word that only contains it', up: 'CREATE TABLE old_pgmigrations_copy (id bigint);', down: 'DROP TABLE old_pgmigrations_copy;' },
  ],
  invalid: [
    {
      name: 'a DELETE from pgmigrations',
      up: "DELETE FROM pgmigrations WHERE name = '20260105090100_create_users';",
      errors: [{ messageId: 'bookkeeping', line: 1, column: 1, endLine: 1, endColumn: 68, message: 'This statement names pgmigrations, the migration runner\'s bookkeeping' }],
    },
    {
      name: 'an INSERT into the audit trail, schema-qualified, in the down file',
      up: 'CREATE TABLE brands (id bigint PRIMARY KEY);',
      down: "DROP TABLE brands;\nINSERT INTO public.pgmigrations_audit (event, outcome, actor) VALUES ('apply', 'ok', 'nobody');",
      errors: [{ messageId: 'bookkeeping', file: 'down', line: 2, column: 1, endLine: 2, endColumn: 95, message: 'names pgmigrations_audit' }],
    },
    {
      name: 'a table name in a string a DO block runs',
      up: "DO $$ BEGIN EXECUTE 'TRUNCATE pgmigrations_checksums'; END $$;",
      errors: [{ messageId: 'bookkeeping', line: 1, column: 1, endLine: 1, endColumn: 62, message: 'names pgmigrations_checksums' }],
    },
    {
      name: 'a name spelled with Unicode escapes, as PostgreSQL decodes it',
      up: 'DROP TABLE U&"\\0070gmigrations_audit";',
      errors: [{ messageId: 'bookkeeping', line: 1, column: 1, endLine: 1, endColumn: 38, message: 'names pgmigrations_audit' }],
    },
  ],
});
