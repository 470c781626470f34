import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/standby-lock-conflict.js';

const orders = { up: 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);\nCREATE INDEX orders_note ON orders (note);\n', down: 'DROP TABLE orders;\n' };

// Each case is a whole migration (`before`: earlier ones, which the schema model replays); its name says what it proves.
ruleTester(rule, {
  valid: [
    { name: 'without standbys declared or detected, nothing is said', before: [orders], up: 'ALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n' },
    { name: 'a lock weaker than ACCESS EXCLUSIVE is not replayed (CREATE INDEX takes SHARE)', standbys: true, before: [orders], up: 'CREATE INDEX orders_id_note ON orders (id, note);\n' },
    { name: 'DROP INDEX CONCURRENTLY takes SHARE UPDATE EXCLUSIVE', standbys: true, before: [orders], up: '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY orders_note;\n' },
    { name: 'a table created earlier in the same migration has no readers on the standbys', standbys: true, up: 'CREATE TABLE tags (id bigint PRIMARY KEY);\nALTER TABLE tags ADD COLUMN label text;\n' },
    { name: 'LOCK TABLE in a weaker mode', standbys: true, before: [orders], up: 'LOCK TABLE orders IN SHARE MODE;\n' },
  ],
  invalid: [
    {
      name: 'ALTER TABLE on an established table',
      standbys: true,
      before: [orders],
      up: '-- Why: ship dates.\nALTER TABLE orders ADD COLUMN shipped_at timestamptz;\n',
      errors: [{ messageId: 'replayedLock', line: 2, column: 1, endLine: 2, endColumn: 53, message: 'ACCESS EXCLUSIVE lock this statement takes on orders' }],
    },
    {
      name: 'DROP INDEX without CONCURRENTLY locks its table (schema-qualified)',
      standbys: true,
      before: [orders],
      up: 'DROP INDEX public.orders_note;\n',
      errors: [{ messageId: 'replayedLock', line: 1, column: 1, endLine: 1, endColumn: 30, message: 'on orders' }],
    },
    {
      name: 'REINDEX without CONCURRENTLY locks the indexes every read of the table needs',
      standbys: true,
      before: [orders],
      up: '-- migrate:no-transaction\nREINDEX INDEX orders_note;\nREINDEX TABLE CONCURRENTLY orders;\nREINDEX TABLE orders;\n',
      errors: [
        { messageId: 'replayedLock', line: 2, column: 1, endLine: 2, endColumn: 26, message: 'on orders' },
        { messageId: 'replayedLock', line: 4, column: 1, endLine: 4, endColumn: 21, message: 'on orders' },
      ],
    },
    {
      name: 'TRUNCATE and LOCK TABLE, quoted names, and the down file',
      standbys: true,
      before: [{ up: 'CREATE TABLE "Audit Log" (id bigint PRIMARY KEY);\n', down: 'DROP TABLE "Audit Log";\n' }],
      up: 'TRUNCATE "Audit Log";\n',
      down: 'LOCK TABLE "Audit Log";\n',
      errors: [
        { messageId: 'replayedLock', line: 1, column: 1, endLine: 1, endColumn: 23, file: 'down' },
        { messageId: 'replayedLock', line: 1, column: 1, endLine: 1, endColumn: 21, message: 'on Audit Log' },
      ],
    },
  ],
});
