// Bring the scratch database back to "after the last applied up" when a failure or a down that did not restore the
// schema left it elsewhere, so the run can go on. Two ways, chosen by measured cost each time:
// - re-apply: an empty database (CREATE DATABASE ... TEMPLATE template0) and every applied up again;
// - copy: CREATE DATABASE ... TEMPLATE <checkpoint>, a copy kept from an earlier rebuild, and the ups since.
// After a rebuild a new checkpoint is kept when re-applying what came since the last one costs more than a copy.
import type { Migration } from '../../core/migrations/layout.js';
import { applyFile, type StatementFailure } from './apply.js';
import { prepareFile } from './prepared-file.js';
import type { Scratch } from './session.js';
import type { RebuildFigures } from './types.js';

/** First guesses, replaced by what this run measures: CREATE DATABASE (and connect) from template0, from a copy, and
 * re-applying one up (wall time, round trips included). */
const GUESS_EMPTY_MS = 20;
const GUESS_COPY_MS = 60;
const GUESS_PER_UP_MS = 2;

export interface RebuildFailure {
  readonly migration: Migration;
  readonly failure: StatementFailure;
}

export class ChainRebuilder {
  private checkpoint: { readonly name: string; readonly length: number } | undefined;
  private emptyMs = GUESS_EMPTY_MS;
  private copyMs = GUESS_COPY_MS;
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

  /** Make the scratch database hold exactly the ups of `chain`, in order. */
  async rebuild(chain: readonly Migration[]): Promise<RebuildFailure | undefined> {
    const started = performance.now();
    this.count++;
    const checkpoint = this.checkpoint && this.checkpoint.length <= chain.length ? this.checkpoint : undefined;
    // copy + the ups since the checkpoint, against an empty database + every up.
    const useCopy = checkpoint !== undefined && (this.strategy === 'copy' || (this.strategy === 'auto' && this.copyMs - this.emptyMs < this.perUpMs * checkpoint.length));
    const creating = performance.now();
    await this.scratch.replace(useCopy ? checkpoint.name : undefined);
    await this.scratch.sql`SELECT 1`;
    const created = performance.now() - creating;
    if (useCopy) {
      this.copyMs = created;
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
    if (this.strategy === 'copy' || (this.strategy === 'auto' && this.perUpMs * sinceCheckpoint > this.copyMs)) {
      const copying = performance.now();
      const previous = this.checkpoint;
      this.checkpoint = { name: await this.scratch.copy(), length: chain.length };
      this.copyMs = performance.now() - copying;
      if (previous) void this.scratch.server.drop(previous.name).catch(() => undefined);
    }
    this.ms += performance.now() - started;
    return undefined;
  }
}
