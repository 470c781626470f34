/* IMPORTANT
 * This snapshot file is auto-generated, but designed for humans.
 * It should be checked into source control and tracked carefully.
 * Re-generate by setting TAP_SNAPSHOT=1 and running tests.
 * Make sure to inspect the output below.  Do not ignore changes!
 */
'use strict'
exports[`test/cli.test.ts > TAP > a broken set: text output with code frames, exit 1 > text report 1`] = `
paired layout: 2 migrations in test/fixtures/sets/broken

test/fixtures/sets/broken/20260101000000_create_brands.down.sql:1:1  error  drop-has-dependents  PostgreSQL stops the migration here: cannot drop table brands because other objects depend on it (constraint lines_brand_id_fkey on table lines depends on table brands).
  help: Drop or change the dependent objects first (a down undoes its up in reverse order), or add CASCADE if they are meant to go too.
  1 | DROP TABLE brands;
    | ^^^^^^^^^^^^^^^^^
  docs: verify/rules/drop-has-dependents.md

test/fixtures/sets/broken/20260101000000_create_brands.up.sql:3:1  error  down-reverses-up  Up creates table lines; down never drops it.
  help: Add the inverse statement to the down file, in reverse order of the up.
  3 | CREATE TABLE lines (id bigint PRIMARY KEY, brand_id bigint REFERENCES brands (id));
    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  docs: verify/rules/down-reverses-up.md

test/fixtures/sets/broken/20260101000000_create_brands.up.sql:3:1  error  one-change-per-migration  This statement changes table lines, but the migration already changes table brands: a rollback of one would undo both.
  help: Move the change to table lines into its own migration (make new NAME=...).
  3 | CREATE TABLE lines (id bigint PRIMARY KEY, brand_id bigint REFERENCES brands (id));
    | ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
  docs: verify/rules/one-change-per-migration.md

test/fixtures/sets/broken/20260101000000_create_brands.up.sql:3:60  error  foreign-key-needs-index  Foreign key lines_brand_id_fkey on lines (brand_id) has no index leading with its columns: every delete or key update on brands scans lines while holding its locks.
  help: Create an index on lines (brand_id) in the same migration; a primary key or unique constraint leading with those columns also counts.
  3 | CREATE TABLE lines (id bigint PRIMARY KEY, brand_id bigint REFERENCES brands (id));
    |                                                            ^^^^^^^^^^^^^^^^^^^^^^
  docs: verify/rules/foreign-key-needs-index.md

test/fixtures/sets/broken/20260102000000_typo.up.sql:3:36  error  syntax-error  Syntax error at or near "text".
  3 | ALTER TABLE brands ADD COLUM other text;
    |                                    ^

test/fixtures/sets/broken/20260103000000_orphan.down.sql:1:1  error  unpaired-down  Down file has no up file: add 20260103000000_orphan.up.sql or delete 20260103000000_orphan.down.sql.
  1 | DROP TABLE ghosts;
    | ^

test/fixtures/sets/broken/20260104000000_Upper.UP.SQL:1:1  error  bad-file-name  Extension of 20260104000000_Upper.UP.SQL must be lower-case .sql: rename it to 20260104000000_Upper.up.sql.
  1 | SELECT 1;
    | ^

4 files checked: 7 errors, 0 warnings.

`
