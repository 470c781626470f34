import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/no-transaction-single-statement.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text, brand text);' };

ruleTester(rule, {
  valid: [
    { name: 'one statement in each file', before: [products], up: '-- migrate:no-transaction\n-- Search by name.\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_products_name ON products (name);', down: 'DROP INDEX CONCURRENTLY IF EXISTS idx_products_name;' },
    { name: 'a transactional migration holds as many statements as it likes', before: [products], up: 'CREATE INDEX idx_a ON products (name);\nCREATE INDEX idx_b ON products (brand);', down: 'DROP INDEX idx_b;\nDROP INDEX idx_a;' },
    { name: 'a trailing comment is no statement', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON products (name);\n-- idx_b follows in its own migration.\n' },
    { name: 'a statement with a semicolon inside a string is one statement', before: [products], up: "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON products (name) WHERE name <> 'a;b';" },
  ],
  invalid: [
    { name: 'two statements in a no-transaction up, reported at the second', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON products (name);\nCREATE INDEX CONCURRENTLY idx_b ON products (brand);', errors: [{ messageId: 'secondStatement', line: 3, column: 1, endLine: 3, endColumn: 52 }] },
    { name: 'three statements are reported once', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON products (name);   CREATE INDEX CONCURRENTLY idx_b ON products (brand);\nANALYZE products;', errors: [{ messageId: 'secondStatement', line: 2, column: 55, endLine: 2, endColumn: 106 }] },
    { name: 'the up carries the directive, so the down runs without a transaction too', before: [products], up: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY idx_a ON products (name);', down: 'DROP INDEX CONCURRENTLY idx_a;\nANALYZE products;', errors: [{ messageId: 'secondStatement', line: 2, column: 1, endLine: 2, endColumn: 17, file: 'down' }] },
  ],
});
