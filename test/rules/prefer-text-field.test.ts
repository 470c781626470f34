import { ruleTester } from '../helpers/rule-tester.js';
import rule from '../../verify/rules/prefer-text-field.js';

const tags = { up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label text NOT NULL);', down: 'DROP TABLE tags;' };

ruleTester(rule, {
  valid: [
    { name: 'text, and varchar without a length (text by another name)', up: 'CREATE TABLE t (a text, b varchar, c character varying);' },
    { name: 'text with a CHECK on its length', up: 'CREATE TABLE tags (id bigint, label text CHECK (length(label) <= 50));' },
    { name: 'a cast to varchar(n) in a query', before: [tags], up: 'UPDATE tags SET label = label::varchar(10) WHERE id = 1;' },
    { name: 'a domain over varchar(n) is out of scope', up: 'CREATE DOMAIN short_text AS varchar(20);' },
    { name: 'a down that reverts the varchar(50) to text change of its up', before: [{ up: 'CREATE TABLE tags (id bigint PRIMARY KEY, label varchar(50) NOT NULL);' }], up: 'ALTER TABLE tags ALTER COLUMN label TYPE text;', down: 'ALTER TABLE tags ALTER COLUMN label TYPE varchar(50);' },
  ],
  invalid: [
    { name: 'varchar(n) in CREATE TABLE, reported at the type', up: 'CREATE TABLE tags (id bigint, label varchar(50) NOT NULL);', errors: [{ messageId: 'varchar', line: 1, column: 37, endLine: 1, endColumn: 48, message: 'tags.label is varchar(50)' }] },
    { name: 'character varying(n), VARCHAR(n) and an array', up: 'CREATE TABLE t (\n    a character varying(20),\n    b VARCHAR(255),\n    c varchar(3)[]\n);', errors: [{ messageId: 'varchar', line: 2, column: 7, endLine: 2, endColumn: 28 }, { messageId: 'varchar', line: 3, column: 7, endLine: 3, endColumn: 19, message: 'varchar(255)' }, { messageId: 'varchar', line: 4, column: 7, endLine: 4, endColumn: 19, message: 'varchar(3)[]' }] },
    { name: 'ADD COLUMN on a table created in an earlier migration', before: [tags], up: 'ALTER TABLE tags ADD COLUMN slug varchar(100);', errors: [{ messageId: 'varchar', line: 1, column: 34, endLine: 1, endColumn: 46 }] },
    { name: 'raising the limit is still varchar(n)', before: [{ up: 'CREATE TABLE tags (id bigint, label varchar(50));' }], up: 'ALTER TABLE tags ALTER COLUMN label TYPE varchar(100);', errors: [{ messageId: 'varchar', line: 1, column: 42, endLine: 1, endColumn: 54, message: 'ACCESS EXCLUSIVE lock on tags' }] },
    { name: 'a down that narrows a column its up did not change', before: [tags], up: 'ALTER TABLE tags ADD COLUMN note text;', down: 'ALTER TABLE tags DROP COLUMN note;\nALTER TABLE tags ALTER COLUMN label TYPE varchar(20);', errors: [{ messageId: 'varchar', file: 'down', line: 2, column: 42, endLine: 2, endColumn: 53 }] },
  ],
});
