// Bring the scratch database back to "after the last applied up" when a failure or a down that did not restore the
// schema left it elsewhere, so the run can go on. Two ways, chosen by measured cost each time:
// - re-apply: an empty database (CREATE DATABASE ... TEMPLATE template0) and every applied up again;
// - copy: CREATE DATABASE ... TEMPLATE <checkpoint>, a copy kept from an earlier rebuild, and the ups since.
// After a rebuild a new checkpoint is kept when re-applying what came since the last one costs more than two copies
// (making it, and copying it at the next rebuild). A copy is guessed to cost what an empty database did, scaled by size.
import type { Migration } from '../../core/migrations/layout.js';
import { applyFile, type StatementFailure } from './apply.js';
import { prepareFile } from './prepared-file.js';
import type { Scratch } from './session.js';
import type { RebuildFigures } from './types.js';

/** First guesses, replaced by what this run measures: CREATE DATABASE (and connect) from template0, and re-applying
 * one up (wall time, round trips included). A copy's cost is first guessed from the empty one's, scaled by size. */
const GUESS_EMPTY_MS = 20;
const GUESS_PER_UP_MS = 2;

export interface RebuildFailure {
  readonly migration: Migration;
  readonly failure: StatementFailure;
}

export class ChainRebuilder {
  private checkpoint: { readonly name: string; readonly length: number } | undefined;
  private emptyMs = GUESS_EMPTY_MS;
  /** What a copy costs per template0's size, once one was measured (until then, an empty database's time). */
  private copyMsPerUnit: number | undefined;
  /** The scratch database's size in template0's: a copy's cost grows with it. */
  private size = 1;
  private perUpMs = GUESS_PER_UP_MS;
  private count = 0;
  private fromCopy = 0;
  private ms = 0;

  constructor(
    private readonly scratch: Scratch,
    private readonly strategy: 'auto' | 'copy' | 'reapply' = 'auto',
    /** Called once the new database exists, with the ups it already holds, before the others are re-applied. */
    private readonly beforeReapply?: (kept: readonly Migration[]) => Promise<void>,
  ) {}

  get figures(): RebuildFigures {
    return { count: this.count, fromCopy: this.fromCopy, ms: Math.round(this.ms) };
  }

  /** CREATE DATABASE copies the template block by block: its time grows with the size. */
  private copyMs(): number {
    return (this.copyMsPerUnit ?? this.emptyMs) * this.size;
  }

  private async relativeSize(): Promise<number> {
    const [row] = await this.scratch.sql<{ current: string; empty: string }[]>`
      SELECT pg_database_size(current_database())::text AS current, pg_database_size('template0')::text AS empty`;
    return row ? Math.max(1, Number(row.current) / Math.max(1, Number(row.empty))) : 1;
  }

  /** Make the scratch database hold exactly the ups of `chain`, in order. */
  async rebuild(chain: readonly Migration[]): Promise<RebuildFailure | undefined> {
    const started = performance.now();
    this.count++;
    const checkpoint = this.checkpoint && this.checkpoint.length <= chain.length ? this.checkpoint : undefined;
    this.size = await this.relativeSize();
    // copy + the ups since the checkpoint, against an empty database + every up.
    const useCopy = checkpoint !== undefined && (this.strategy === 'copy' || (this.strategy === 'auto' && this.copyMs() - this.emptyMs < this.perUpMs * checkpoint.length));
    const creating = performance.now();
    await this.scratch.replace(useCopy ? checkpoint.name : undefined);
    await this.scratch.sql`SELECT 1`;
    const created = performance.now() - creating;
    if (useCopy) {
      this.copyMsPerUnit = created / this.size;
      this.fromCopy++;
    } else this.emptyMs = created;
    const from = useCopy ? checkpoint.length : 0;
    await this.beforeReapply?.(chain.slice(0, from));
    const reapplying = performance.now();
    for (const migration of chain.slice(from)) {
      const applied = await applyFile(this.scratch.sql, prepareFile(migration.up), { mode: migration.transaction.up, recordLocks: false });
      if (applied.failure) {
        this.ms += performance.now() - started;
        return { migration, failure: applied.failure };
      }
    }
    if (chain.length > from) this.perUpMs = (performance.now() - reapplying) / (chain.length - from);
    // Keep a copy when re-applying what came since the last one would cost more than making it.
    const sinceCheckpoint = chain.length - (this.checkpoint?.length ?? 0);
    // (Twice a copy: this one, and the one the next rebuild makes of it.)
    if (this.strategy === 'copy' || (this.strategy === 'auto' && this.perUpMs * sinceCheckpoint > 2 * this.copyMs())) {
      const copying = performance.now();
      const previous = this.checkpoint;
      this.checkpoint = { name: await this.scratch.copy(), length: chain.length };
      this.copyMsPerUnit = (performance.now() - copying) / this.size;
      if (previous) void this.scratch.server.drop(previous.name).catch(() => undefined);
    }
    this.ms += performance.now() - started;
    return undefined;
  }
}
