// The squawk parity table: each case runs through this verifier and through squawk, and says how they compare.
// `given` is an earlier migration (squawk, one file at a time, never sees it); `sql` is the migration under check.
export type Verdict = 'agree' | 'stricter' | 'quieter';

export interface ParityCase {
  readonly name: string;
  readonly verdict: Verdict;
  readonly given?: string;
  readonly sql: string;
  /** Rule ids this verifier reports on `sql` (of the rules squawk also has, plus ours where stricter). */
  readonly ours: readonly string[];
  /** Rule ids squawk reports on `sql` alone (its timeout and robustness nags excluded: see EXCLUDED). */
  readonly squawk: readonly string[];
  readonly why: string;
}

/** squawk rules left out of the comparison: the runner sets lock_timeout and statement_timeout itself. */
export const EXCLUDED = ['require-lock-timeout', 'require-statement-timeout', 'prefer-robust-stmts', 'require-timeout-settings'];

const products = 'CREATE TABLE products (id bigint PRIMARY KEY, name varchar(50), brand_id bigint);';

export const PARITY_CASES: readonly ParityCase[] = [
  {
    name: 'index on an existing table',
    verdict: 'agree',
    given: products,
    sql: 'CREATE INDEX idx_products_name ON products (name);',
    ours: ['require-concurrent-index-creation'],
    squawk: ['require-concurrent-index-creation'],
    why: 'Both: the build takes a SHARE lock and blocks writes.',
  },
  {
    name: 'index on a table created in the same migration',
    verdict: 'quieter',
    sql: 'CREATE TABLE brands (id bigint PRIMARY KEY, name text);\nCREATE INDEX idx_brands_name ON brands (name);',
    ours: [],
    squawk: ['require-concurrent-index-creation'],
    why: 'Nobody can be using a table this migration creates; the schema model knows it is new.',
  },
  {
    name: 'foreign key added to an existing table without NOT VALID',
    verdict: 'quieter',
    given: `${products}\nCREATE TABLE brands (id bigint PRIMARY KEY);\nCREATE INDEX idx_products_brand_id ON products (brand_id);`,
    sql: 'ALTER TABLE products ADD CONSTRAINT products_brand_id_fkey FOREIGN KEY (brand_id) REFERENCES brands (id);',
    ours: ['adding-foreign-key-constraint'],
    squawk: ['adding-foreign-key-constraint', 'constraint-missing-not-valid'],
    why: 'One problem, one finding: every row is checked under SHARE ROW EXCLUSIVE locks on both tables; adding-foreign-key-constraint says it (naming both tables), so constraint-missing-not-valid, which it supersedes, stays quiet. squawk reports both.',
  },
  {
    name: 'SET NOT NULL after a validated CHECK (col IS NOT NULL) from an earlier migration',
    verdict: 'quieter',
    given: `${products}\nALTER TABLE products ADD CONSTRAINT products_name_not_null CHECK (name IS NOT NULL) NOT VALID;\nALTER TABLE products VALIDATE CONSTRAINT products_name_not_null;`,
    sql: 'ALTER TABLE products ALTER COLUMN name SET NOT NULL;',
    ours: [],
    squawk: ['adding-not-nullable-field'],
    why: 'Postgres 12+ skips the scan when a validated check proves the column has no NULL; squawk cannot see the earlier migration.',
  },
  {
    name: 'widening varchar(50) to varchar(100)',
    verdict: 'quieter',
    given: products,
    sql: 'ALTER TABLE products ALTER COLUMN name TYPE varchar(100);',
    ours: [],
    squawk: ['changing-column-type', 'prefer-text-field'],
    why: 'A longer varchar is binary-coercible: no rewrite; the model knows the old type.',
  },
  {
    name: 'int to bigint on an existing table',
    verdict: 'agree',
    given: 'CREATE TABLE counters (id bigint PRIMARY KEY, hits int);',
    sql: 'ALTER TABLE counters ALTER COLUMN hits TYPE bigint;',
    ours: ['changing-column-type'],
    squawk: ['changing-column-type'],
    why: 'Both: the table and its indexes are rewritten under ACCESS EXCLUSIVE.',
  },
  {
    name: 'dropping the last index that covers a foreign key',
    verdict: 'stricter',
    given: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE scans (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id));\nCREATE INDEX idx_scans_user_id ON scans (user_id);',
    sql: '-- migrate:no-transaction\nDROP INDEX CONCURRENTLY IF EXISTS idx_scans_user_id;',
    ours: ['foreign-key-needs-index'],
    squawk: [],
    why: 'Only a tool that remembers the earlier migration knows the index covered a foreign key.',
  },
  {
    name: 'adding a nullable column with a foreign key (no default)',
    verdict: 'quieter',
    given: 'CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE TABLE notes (id bigint PRIMARY KEY);',
    sql: 'ALTER TABLE notes ADD COLUMN user_id bigint REFERENCES users (id);\nCREATE INDEX idx_notes_user_id ON notes (user_id);',
    ours: ['require-concurrent-index-creation'],
    squawk: ['adding-foreign-key-constraint', 'require-concurrent-index-creation'],
    why: 'A new all-NULL column has no row to check (measured: 1 ms on 3M rows), so adding its foreign key takes no long lock; its index is a separate concern both tools see.',
  },
  {
    name: 'a volatile default on an existing table',
    verdict: 'agree',
    given: products,
    sql: 'ALTER TABLE products ADD COLUMN token uuid DEFAULT gen_random_uuid();',
    ours: ['adding-field-with-default'],
    squawk: ['adding-field-with-default'],
    why: 'Both: every row gets its own value, so the table is rewritten.',
  },
  {
    name: 'a stable default (now()) on an existing table',
    verdict: 'agree',
    given: products,
    sql: 'ALTER TABLE products ADD COLUMN created_at timestamptz DEFAULT now();',
    ours: [],
    squawk: [],
    why: 'Since Postgres 11 one stored value serves every row.',
  },
  {
    name: 'renaming a column',
    verdict: 'agree',
    given: products,
    sql: 'ALTER TABLE products RENAME COLUMN name TO title;',
    ours: ['renaming-column'],
    squawk: ['renaming-column'],
    why: 'Both: running code that reads the old name breaks.',
  },
  {
    name: 'BEGIN and COMMIT inside a migration the runner wraps',
    verdict: 'stricter',
    given: products,
    sql: 'BEGIN;\nALTER TABLE products ADD COLUMN sku text;\nCOMMIT;',
    ours: ['transaction-nesting'],
    squawk: [],
    why: 'The runner always wraps the file; squawk only knows that with --assume-in-transaction.',
  },
  {
    name: 'two statements in a no-transaction migration',
    verdict: 'stricter',
    given: products,
    sql: '-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_a ON products (name);\nCREATE INDEX CONCURRENTLY IF NOT EXISTS idx_b ON products (brand_id);',
    ours: ['no-transaction-single-statement'],
    squawk: [],
    why: 'A failure after the first leaves it applied with nothing to roll back.',
  },
  {
    name: 'GRANT ... TO PUBLIC',
    verdict: 'stricter',
    given: products,
    sql: 'GRANT SELECT ON products TO PUBLIC;',
    ours: ['ban-grant-to-public'],
    squawk: [],
    why: 'Security rules: squawk has none.',
  },
  {
    name: 'SECURITY DEFINER without SET search_path',
    verdict: 'stricter',
    sql: "CREATE FUNCTION touch() RETURNS int LANGUAGE sql SECURITY DEFINER AS 'SELECT 1';",
    ours: ['require-security-definer-search-path'],
    squawk: [],
    why: 'Security rules: squawk has none.',
  },
  {
    name: 'ADD VALUE without BEFORE or AFTER',
    verdict: 'agree',
    given: "CREATE TYPE severity AS ENUM ('low', 'high');",
    sql: "ALTER TYPE severity ADD VALUE 'medium';",
    ours: ['require-enum-value-ordering'],
    squawk: ['require-enum-value-ordering'],
    why: 'Both: the label goes last whether or not that is its order.',
  },
];
