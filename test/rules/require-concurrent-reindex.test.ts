import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/require-concurrent-reindex.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\nCREATE INDEX products_name_idx ON products (name);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'CONCURRENTLY, the new spelling', before: [products], up: '-- migrate:no-transaction\nREINDEX INDEX CONCURRENTLY products_name_idx;' },
    { name: 'CONCURRENTLY as an option', before: [products], up: '-- migrate:no-transaction\nREINDEX (CONCURRENTLY) TABLE products;' },
    { name: 'an index the migration created is not in use yet', up: 'CREATE TABLE t (id bigint PRIMARY KEY);\nREINDEX TABLE t;' },
  ],
  invalid: [
    { name: 'an index of a table in use', before: [products], up: 'REINDEX INDEX products_name_idx;', errors: [{ messageId: 'reindex', line: 1, column: 1, endLine: 1, endColumn: 32, message: 'REINDEX INDEX products_name_idx takes a SHARE lock on products' }] },
    { name: 'a whole table', before: [products], up: 'SELECT 1;\nREINDEX TABLE products;', errors: [{ messageId: 'reindex', line: 2, column: 1, endLine: 2, endColumn: 23 }] },
    { name: 'before PostgreSQL 12 there is no CONCURRENTLY to suggest', before: [products], postgresVersion: 11, up: 'REINDEX INDEX products_name_idx;', errors: [{ messageId: 'reindexBefore12', line: 1, column: 1, endLine: 1, endColumn: 32 }] },
  ],
});
