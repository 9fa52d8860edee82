/**
 * Runs tasks one after another per key and concurrently across keys: the ordering a Kafka
 * partition keyed by conversation gives. Used by the embedded buses on both sides (publishing
 * and consuming) so one conversation stays ordered while others proceed.
 */
export class KeyedSerialQueue {
  private readonly chains = new Map<string, Promise<void>>();

  /** Queues `task` after the previous task of `key`; the returned promise settles with it. */
  push<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const result = previous.then(task);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return result;
  }

  /** Keys with queued or running tasks. */
  get size(): number {
    return this.chains.size;
  }

  /** Resolves once every task queued so far (and any queued while waiting) has settled. */
  async drain(): Promise<void> {
    while (this.chains.size > 0) await Promise.all(this.chains.values());
  }
}
