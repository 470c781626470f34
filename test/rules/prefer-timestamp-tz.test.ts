import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-timestamp-tz.js';

const events = { up: 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL);', down: 'DROP TABLE events;' };

ruleTester(rule, {
  valid: [
    { name: 'timestamptz in both spellings', up: 'CREATE TABLE events (id bigint, a timestamptz, b timestamp with time zone, c TIMESTAMPTZ(3));' },
    { name: 'date and time are not timestamps', up: 'CREATE TABLE shifts (id bigint, day date, starts time, ends time without time zone);' },
    { name: 'a cast to timestamp in a query is not a column', before: [events], up: "UPDATE events SET at = '2026-01-01'::timestamp AT TIME ZONE 'UTC' WHERE id = 1;" },
    { name: 'a user type named timestamp in another schema', up: 'CREATE TABLE t (id bigint, at legacy.timestamp);' },
    { name: 'a down that reverts the type its up changed', before: [{ up: 'CREATE TABLE events (id bigint PRIMARY KEY, at timestamp NOT NULL);' }], up: "ALTER TABLE events ALTER COLUMN at TYPE timestamptz USING at AT TIME ZONE 'UTC';", down: "ALTER TABLE events ALTER COLUMN at TYPE timestamp USING at AT TIME ZONE 'UTC';" },
    { name: 'a down that recreates the table its up dropped, as it was', before: [{ up: 'CREATE TABLE legacy_log (id bigint PRIMARY KEY, logged_at timestamp);' }], up: '-- verify:allow-destructive test\nDROP TABLE legacy_log;', down: 'CREATE TABLE legacy_log (id bigint PRIMARY KEY, logged_at timestamp);' },
  ],
  invalid: [
    { name: 'timestamp in CREATE TABLE, reported at the type', up: 'CREATE TABLE events (id bigint, at timestamp NOT NULL);', errors: [{ messageId: 'timestamp', line: 1, column: 36, endLine: 1, endColumn: 45, message: 'events.at is timestamp (without time zone)' }] },
    { name: 'the long spelling, a precision, and an array', up: 'CREATE TABLE t (\n    a timestamp without time zone,\n    b timestamp(3),\n    c timestamp[]\n);', errors: [{ messageId: 'timestamp', line: 2, column: 7, endLine: 2, endColumn: 34 }, { messageId: 'timestamp', line: 3, column: 7, endLine: 3, endColumn: 19, message: 'timestamp(3)' }, { messageId: 'timestamp', line: 4, column: 7, endLine: 4, endColumn: 18, message: 'timestamp[]' }] },
    { name: 'the quoted spelling is the same type', up: 'CREATE TABLE t (a "timestamp");', errors: [{ messageId: 'timestamp', line: 1, column: 19, endLine: 1, endColumn: 30 }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [events], up: 'ALTER TABLE events ADD COLUMN seen_at timestamp;', errors: [{ messageId: 'timestamp', line: 1, column: 39, endLine: 1, endColumn: 48 }] },
    { name: 'ALTER COLUMN TYPE on a schema-qualified table', before: [{ up: 'CREATE SCHEMA audit;\nCREATE TABLE audit.log (id bigint, at timestamptz);' }], up: 'ALTER TABLE audit.log ALTER COLUMN at TYPE TIMESTAMP;', errors: [{ messageId: 'timestamp', line: 1, column: 44, endLine: 1, endColumn: 53, message: 'audit.log.at' }] },
    { name: 'a down file that introduces timestamp', before: [events], up: 'ALTER TABLE events ADD COLUMN note text;', down: 'ALTER TABLE events DROP COLUMN note;\nALTER TABLE events ALTER COLUMN at TYPE timestamp;', errors: [{ messageId: 'timestamp', file: 'down', line: 2, column: 41, endLine: 2, endColumn: 50 }] },
  ],
});
