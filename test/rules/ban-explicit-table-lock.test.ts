import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-explicit-table-lock.js';

const products = { up: 'CREATE TABLE products (id bigint PRIMARY KEY, name text);', down: 'DROP TABLE products;' };

ruleTester(rule, {
  valid: [
    { name: 'a mode that blocks no plain read or write', before: [products], up: 'LOCK TABLE products IN ROW EXCLUSIVE MODE;' },
    { name: 'a table the migration created', up: 'CREATE TABLE t (id bigint PRIMARY KEY);\nLOCK TABLE t;' },
  ],
  invalid: [
    { name: 'LOCK without a mode is ACCESS EXCLUSIVE', before: [products], up: 'LOCK products;', errors: [{ messageId: 'lockTable', line: 1, column: 1, endLine: 1, endColumn: 14, message: 'LOCK TABLE products IN ACCESS EXCLUSIVE MODE blocks reads and writes on products' }] },
    { name: 'SHARE blocks writes', before: [products], up: 'SELECT 1;\nLOCK TABLE products IN SHARE MODE NOWAIT;', errors: [{ messageId: 'lockTable', line: 2, column: 1, endLine: 2, endColumn: 41, message: 'IN SHARE MODE blocks writes' }] },
  ],
});
