/**
 * Natural batching (group commit): the first call starts a batch at once; calls that arrive while
 * a batch is executing wait and form the next one. One batch is in flight at a time, so batches —
 * and the items inside them — run in call order. Under light load every batch holds one item and
 * nothing waits for a timer; under load a batch holds what arrived during the previous one, so
 * the number of statements (and commits) grows with the round-trip rate, not the call rate.
 */

/** What `execute` decides for one item of its batch. */
export type BatchOutcome<R> =
  | { value: R }
  | { error: unknown }
  /** Run the item again, first in the next batch (it depends on the outcome of this one). */
  | { requeue: true };

export interface NaturalBatcherOptions<T> {
  /** Most items in one batch. */
  maxItems: number;
  /** Optional size of an item and the most total size in one batch (a batch always takes one item). */
  sizeOf?: (item: T) => number;
  maxSize?: number;
  /**
   * How long an idle batcher's first call waits for company: the calls made in the same
   * synchronous run ("microtask", the default: at once), or in the rest of the event-loop turn
   * ("turn": setImmediate, for cheap lookups whose fan-outs come in bursts).
   */
  collect?: "microtask" | "turn";
  /**
   * When > 0, an idle batcher's first call waits this many milliseconds for company instead (a
   * timer; for writes nobody waits on, such as cursor moves, fewer statements when traffic is
   * light). The batches that form while one is executing start as soon as it is done.
   */
  collectMs?: number;
}

interface Waiter<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (err: unknown) => void;
}

export class NaturalBatcher<T, R> {
  private pending: Array<Waiter<T, R>> = [];
  private running = false;

  /**
   * @param execute runs one batch and returns one outcome per item, in order. If it throws, every
   * item of the batch fails with that error.
   */
  constructor(
    private readonly execute: (items: T[]) => Promise<Array<BatchOutcome<R>>>,
    private readonly opts: NaturalBatcherOptions<T>,
  ) {
    if (!Number.isSafeInteger(opts.maxItems) || opts.maxItems < 1) throw new RangeError("maxItems must be a positive integer");
    if (opts.collectMs !== undefined && !(Number.isFinite(opts.collectMs) && opts.collectMs >= 0)) {
      throw new RangeError("collectMs must be a number ≥ 0");
    }
  }

  submit(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.running) return;
      this.running = true;
      // Calls made in the same synchronous run (or turn, or collectMs) join the first batch.
      if (this.opts.collectMs) setTimeout(() => void this.run(), this.opts.collectMs);
      else if (this.opts.collect === "turn") setImmediate(() => void this.run());
      else queueMicrotask(() => void this.run());
    });
  }

  private async run(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.take();
      let outcomes: Array<BatchOutcome<R>>;
      try {
        outcomes = await this.execute(batch.map((w) => w.item));
        if (outcomes.length !== batch.length) throw new Error(`batch returned ${outcomes.length} outcomes for ${batch.length} items`);
      } catch (err) {
        for (const w of batch) w.reject(err);
        continue;
      }
      const requeued: Array<Waiter<T, R>> = [];
      batch.forEach((w, i) => {
        const o = outcomes[i]!;
        if ("requeue" in o) requeued.push(w);
        else if ("error" in o) w.reject(o.error);
        else w.resolve(o.value);
      });
      this.pending.unshift(...requeued);
    }
    this.running = false;
  }

  private take(): Array<Waiter<T, R>> {
    const { maxItems, sizeOf, maxSize } = this.opts;
    if (!sizeOf || maxSize === undefined) return this.pending.splice(0, maxItems);
    let n = 0;
    let size = 0;
    while (n < this.pending.length && n < maxItems) {
      size += sizeOf(this.pending[n]!.item);
      if (n > 0 && size > maxSize) break;
      n++;
    }
    return this.pending.splice(0, n);
  }
}
