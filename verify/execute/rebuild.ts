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

/** First guesses, replaced by what this server measures (CREATE DATABASE from template0 / from a copy, in ms). */
const GUESS_EMPTY_MS = 20;
const GUESS_COPY_MS = 60;
/** Per up, on top of its statements' time: the round trips of BEGIN/COMMIT. */
const PER_UP_MS = 0.3;

export interface RebuildFailure {
  readonly migration: Migration;
  readonly failure: StatementFailure;
}

export class ChainRebuilder {
  private checkpoint: { readonly name: string; readonly length: number } | undefined;
  private emptyMs = GUESS_EMPTY_MS;
  private copyMs = GUESS_COPY_MS;
  private count = 0;
  private fromCopy = 0;
  private ms = 0;

  constructor(
    private readonly scratch: Scratch,
    /** The measured time of each migration's first up. */
    private readonly upMs: ReadonlyMap<string, number>,
    private readonly strategy: 'auto' | 'copy' | 'reapply' = 'auto',
    /** Called once the new database exists, with the ups it already holds, before the others are re-applied. */
    private readonly beforeReapply?: (kept: readonly Migration[]) => Promise<void>,
  ) {}

  get figures(): RebuildFigures {
    return { count: this.count, fromCopy: this.fromCopy, ms: Math.round(this.ms) };
  }

  private cost(chain: readonly Migration[], from: number): number {
    let sum = 0;
    for (let i = from; i < chain.length; i++) sum += (this.upMs.get(chain[i]!.name) ?? 1) + PER_UP_MS;
    return sum;
  }

  /** Make the scratch database hold exactly the ups of `chain`, in order. */
  async rebuild(chain: readonly Migration[]): Promise<RebuildFailure | undefined> {
    const started = performance.now();
    this.count++;
    const checkpoint = this.checkpoint && this.checkpoint.length <= chain.length ? this.checkpoint : undefined;
    const useCopy =
      checkpoint !== undefined && (this.strategy === 'copy' || (this.strategy === 'auto' && this.copyMs + this.cost(chain, checkpoint.length) < this.emptyMs + this.cost(chain, 0)));
    const creating = performance.now();
    await this.scratch.replace(useCopy ? checkpoint.name : undefined);
    const created = performance.now() - creating;
    if (useCopy) {
      this.copyMs = created;
      this.fromCopy++;
    } else this.emptyMs = created;
    const from = useCopy ? checkpoint.length : 0;
    await this.beforeReapply?.(chain.slice(0, from));
    for (const migration of chain.slice(from)) {
      const applied = await applyFile(this.scratch.sql, prepareFile(migration.up), { mode: migration.transaction.up, recordLocks: false });
      if (applied.failure) {
        this.ms += performance.now() - started;
        return { migration, failure: applied.failure };
      }
    }
    const sinceCheckpoint = this.cost(chain, this.checkpoint?.length ?? 0);
    if (this.strategy === 'copy' || (this.strategy === 'auto' && sinceCheckpoint > this.copyMs)) {
      const copying = performance.now();
      const previous = this.checkpoint;
      this.checkpoint = { name: await this.scratch.copy(), length: chain.length };
      this.copyMs = performance.now() - copying;
      if (previous) await this.scratch.server.drop(previous.name);
    }
    this.ms += performance.now() - started;
    return undefined;
  }
}
