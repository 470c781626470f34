import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-concurrent-index-creation-in-transaction.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);\nCREATE INDEX idx_products_name ON products (name);' };

ruleTester(rule, {
  valid: [
    { name: 'CREATE INDEX CONCURRENTLY in a no-transaction up', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_name2 ON products (name);', down: 'DROP INDEX CONCURRENTLY IF EXISTS idx_products_name2;' },
    { name: 'the directive in the down file makes both directions run outside a transaction', before: [products], up: 'CREATE INDEX CONCURRENTLY idx_products_name2 ON products (name);', down: '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY idx_products_name2;' },
    { name: 'a plain CREATE INDEX runs in a transaction', before: [products], up: 'CREATE INDEX idx_products_name2 ON products (name);' },
    { name: 'REINDEX without CONCURRENTLY', before: [products], up: 'REINDEX INDEX idx_products_name;' },
    { name: 'REINDEX (CONCURRENTLY false) is a plain REINDEX', before: [products], up: 'REINDEX (CONCURRENTLY false) INDEX idx_products_name;' },
    { name: 'a plain DROP INDEX', before: [products], up: 'DROP INDEX IF EXISTS idx_products_name;' },
  ],
  invalid: [
    { name: 'CREATE INDEX CONCURRENTLY in a transactional migration', before: [products], up: 'CREATE INDEX CONCURRENTLY idx_products_name2 ON products (name);', errors: [{ messageId: 'inTransaction', line: 1, column: 1, endLine: 1, endColumn: 64, message: 'CREATE INDEX CONCURRENTLY fails' }] },
    { name: 'even on a table created in the same migration', up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text);\nCREATE UNIQUE INDEX CONCURRENTLY idx_tags_label ON tags (label);', errors: [{ messageId: 'inTransaction', line: 2, column: 1, endLine: 2, endColumn: 64, message: 'CREATE UNIQUE INDEX CONCURRENTLY' }] },
    { name: 'DROP INDEX CONCURRENTLY in a transactional down', before: [products], up: 'CREATE INDEX idx_products_name2 ON products (name);', down: '-- Undo.\nDROP INDEX CONCURRENTLY IF EXISTS idx_products_name2;', errors: [{ messageId: 'inTransaction', line: 2, column: 1, endLine: 2, endColumn: 53, file: 'down', message: 'DROP INDEX CONCURRENTLY' }] },
    { name: 'REINDEX INDEX CONCURRENTLY', before: [products], up: 'REINDEX INDEX CONCURRENTLY idx_products_name;', errors: [{ messageId: 'inTransaction', line: 1, column: 1, endLine: 1, endColumn: 45, message: 'REINDEX CONCURRENTLY' }] },
    { name: 'REINDEX (CONCURRENTLY) TABLE, option-list form', before: [products], up: 'REINDEX (VERBOSE, CONCURRENTLY) TABLE products;', errors: [{ messageId: 'inTransaction', line: 1, column: 1, endLine: 1, endColumn: 47 }] },
    { name: 'a no-transaction comment that is not the directive does not count', before: [products], up: '-- runs without a transaction (not really)\n  create index concurrently idx_products_name2 on products (name);', errors: [{ messageId: 'inTransaction', line: 2, column: 3, endLine: 2, endColumn: 66 }] },
  ],
});
