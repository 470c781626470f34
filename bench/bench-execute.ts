// Per-migration cost of executeMigrations (up, snapshot, down, snapshot, up, snapshot, locks) on the embedded server,
// for the repo's sql/ chain and a generated history (300 migrations by default), then the same history with bad downs
// planted, rebuilt after each by re-applying, by copying a checkpoint database, and by the automatic choice.
// Prints figures; asserts nothing.
// Usage: node dist/bench/bench-execute.js [sql-dir] [generated-count] [bad-down-every, 0: none]   (VERIFY_DATABASE_URL for another server)
import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Migration } from '../core/migrations/layout.js';
import { ensureEmbeddedServer } from '../core/postgres/embedded-server.js';
import { executeMigrations, type ExecuteOptions } from '../verify/execute/index.js';
import { migrationsOf } from '../verify/executed-run.js';

/** The issue's target: the whole history checked at no more than this per migration, on average. */
const TARGET_MS_PER_MIGRATION = 40;

interface Figures {
  readonly label: string;
  readonly count: number;
  readonly median: number;
  readonly p90: number;
  readonly total: number;
  readonly violations: number;
  readonly failed: number;
  readonly rebuilds: string;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, migrations: readonly Migration[], url: string, rebuild: ExecuteOptions['rebuild'] = 'auto'): Promise<Figures> {
  const starts: number[] = [];
  const started = performance.now();
  const report = await executeMigrations(migrations, { url, rebuild, onProgress: () => starts.push(performance.now()) });
  const finished = performance.now();
  // A migration's cost runs from its start to the next one's start; the last one's to the end (the scratch drop included).
  const costs = starts.map((at, i) => (starts[i + 1] ?? finished) - at).sort((a, b) => a - b);
  const r = report.rebuilds;
  return {
    label,
    count: costs.length,
    median: percentile(costs, 50),
    p90: percentile(costs, 90),
    total: finished - started,
    violations: report.violations.length,
    failed: report.failed.length,
    rebuilds: r.count ? `${r.count} rebuilds (${r.fromCopy} from a copy) in ${r.ms} ms` : 'no rebuild',
  };
}

/**
 * Every `every`-th down (after the first few) also creates a table: a down that does not restore the schema and
 * leaves the scratch database off the chain (the second up then gives a different schema), so the run rebuilds it.
 */
function plantBadDowns(directory: string, every: number): number {
  const downs = readdirSync(directory).filter((f) => f.endsWith('.down.sql')).sort();
  let planted = 0;
  for (const [i, name] of downs.entries()) {
    if (i < 3 || i % every !== 0) continue;
    appendFileSync(join(directory, name), `-- Planted: this down leaves a table behind.\nCREATE TABLE planted_${i} (id INTEGER);\n`);
    planted++;
  }
  return planted;
}

/** A history shaped like a real one: tables with foreign keys and indexes, added columns, functions, enums, views. */
function generateHistory(directory: string, count: number): void {
  let tables = 0;
  for (let k = 0; k < count; k++) {
    const version = String(20200101000000 + k * 100);
    const t = `t${Math.max(tables - 1, 0)}`;
    let up: string;
    let down: string;
    let slug: string;
    switch (tables === 0 ? 0 : k % 6) {
      case 0: {
        const name = `t${tables}`;
        const fk = tables > 0 ? `,\n    parent_id BIGINT REFERENCES t${tables - 1} (id) ON DELETE CASCADE` : '';
        up = `CREATE TABLE ${name} (\n    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name TEXT NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()${fk}\n);\n${tables > 0 ? `CREATE INDEX ${name}_parent_id_idx ON ${name} (parent_id);\n` : ''}COMMENT ON TABLE ${name} IS 'Generated table ${tables}.';\n`;
        down = `DROP TABLE ${name};\n`;
        slug = `create_${name}`;
        tables++;
        break;
      }
      case 1:
        up = `ALTER TABLE ${t}\n    ADD COLUMN c${k} INTEGER NOT NULL DEFAULT 0,\n    ADD CONSTRAINT ${t}_c${k}_check CHECK (c${k} >= 0);\n`;
        down = `ALTER TABLE ${t}\n    DROP COLUMN c${k};\n`;
        slug = `add_${t}_c${k}`;
        break;
      case 2:
        up = `CREATE FUNCTION f${k}(value INTEGER)\nRETURNS INTEGER\nLANGUAGE plpgsql\nIMMUTABLE\nAS $$\nBEGIN\n    RETURN value + ${k};\nEND;\n$$;\n`;
        down = `DROP FUNCTION f${k}(INTEGER);\n`;
        slug = `create_function_f${k}`;
        break;
      case 3:
        up = `CREATE TYPE e${k} AS ENUM ('a', 'b', 'c');\nALTER TABLE ${t}\n    ADD COLUMN e${k} e${k};\n`;
        down = `ALTER TABLE ${t}\n    DROP COLUMN e${k};\nDROP TYPE e${k};\n`;
        slug = `add_${t}_e${k}`;
        break;
      case 4:
        up = `CREATE INDEX ${t}_name_${k}_idx ON ${t} (lower(name), created_at);\n`;
        down = `DROP INDEX ${t}_name_${k}_idx;\n`;
        slug = `index_${t}_name_${k}`;
        break;
      default:
        up = `CREATE VIEW v${k} AS\n    SELECT id, name FROM ${t} WHERE name <> '';\n`;
        down = `DROP VIEW v${k};\n`;
        slug = `create_view_v${k}`;
    }
    writeFileSync(join(directory, `${version}_${slug}.up.sql`), `-- Generated migration ${k}.\n${up}`);
    writeFileSync(join(directory, `${version}_${slug}.down.sql`), `-- Undoes generated migration ${k}.\n${down}`);
  }
}

function line(f: Figures): string {
  const mean = f.count ? f.total / f.count : 0;
  const verdict = mean <= TARGET_MS_PER_MIGRATION ? 'within' : 'OVER';
  return (
    `${f.label}: ${f.count} migrations, ${mean.toFixed(1)} ms per migration (${verdict} the ${TARGET_MS_PER_MIGRATION} ms target), median ${f.median.toFixed(1)} ms, ` +
    `p90 ${f.p90.toFixed(1)} ms, total ${(f.total / 1000).toFixed(2)} s, ${f.failed} failed, ${f.violations} violations, ${f.rebuilds}`
  );
}

async function main(): Promise<void> {
  const sqlDir = resolve(process.argv[2] ?? 'sql');
  const count = Number(process.argv[3] ?? 300);
  const every = Number(process.argv[4] ?? 30);
  const url = process.env.VERIFY_DATABASE_URL?.trim() || ensureEmbeddedServer().url;
  if (existsSync(sqlDir)) {
    const chain = await migrationsOf(sqlDir);
    if (chain.length > 0) console.log(line(await measure(`${sqlDir}`, chain, url)));
  } else {
    console.log(`${sqlDir}: no such folder, skipped.`);
  }
  const directory = mkdtempSync(join(tmpdir(), 'bench-execute-'));
  try {
    generateHistory(directory, count);
    console.log(line(await measure(`generated history`, await migrationsOf(directory), url)));
    if (every <= 0) return;
    const planted = plantBadDowns(directory, every);
    const bad = await migrationsOf(directory);
    for (const rebuild of ['reapply', 'copy', 'auto'] as const) console.log(line(await measure(`${planted} bad downs, rebuild by ${rebuild}`, bad, url, rebuild)));
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

await main();
