import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/ban-drop-referenced-key.js';

const tables = {
  up: 'CREATE TABLE brands (id bigint PRIMARY KEY, code text UNIQUE);\nCREATE TABLE products (id bigint PRIMARY KEY, brand_id bigint REFERENCES brands, brand_code text REFERENCES brands (code));',
  down: 'DROP TABLE products;\nDROP TABLE brands;',
};

ruleTester(rule, {
  valid: [
    { name: 'a key nothing references', before: [tables], up: 'ALTER TABLE products DROP CONSTRAINT products_pkey;', down: 'ALTER TABLE products ADD PRIMARY KEY (id);' },
    { name: 'dropping the foreign key itself', before: [tables], up: 'ALTER TABLE products DROP CONSTRAINT products_brand_id_fkey;', down: 'ALTER TABLE products ADD CONSTRAINT products_brand_id_fkey FOREIGN KEY (brand_id) REFERENCES brands;' },
  ],
  invalid: [
    { name: 'CASCADE drops the foreign keys with it', before: [tables], up: 'ALTER TABLE brands DROP CONSTRAINT brands_pkey CASCADE;', errors: [{ messageId: 'cascade', line: 1, column: 1, endLine: 1, endColumn: 55, message: 'also drops the foreign keys that reference it (products.products_brand_id_fkey)' }] },
    { name: 'without CASCADE PostgreSQL refuses', before: [tables], up: 'ALTER TABLE brands DROP CONSTRAINT brands_code_key;', errors: [{ messageId: 'refused', line: 1, column: 1, endLine: 1, endColumn: 51, message: 'Dropping brands_code_key fails: the foreign keys products.products_brand_code_fkey reference it' }] },
  ],
});
