// Token buckets in this process's memory: the memory infra's RateStore and the gateway's default.
import { AppError, ErrorCode } from "@dim/shared";
import { KeyedTokenBuckets } from "@dim/shared/async";
import { assertRateName, rateArgs, storedRateKey } from "../rates/rate-args";
import type { RateLimit, RateStore, RateTake } from "../types";

export interface MemoryRateStoreOptions {
  /** Upper bound on tracked keys per bucket name and limit (default 100 000). */
  maxKeys?: number;
  now?: () => number;
}

/**
 * KeyedTokenBuckets per (name, limit), so limits hold only within this process: right for one
 * process (tests, the memory infra), not for several gateways (use the PostgreSQL or Redis store).
 */
export class MemoryRateStore implements RateStore {
  private readonly groups = new Map<string, { name: string; buckets: KeyedTokenBuckets }>();
  private closed = false;

  constructor(private readonly opts: MemoryRateStoreOptions = {}) {}

  async take(name: string, key: string, limit: RateLimit): Promise<RateTake> {
    const stored = rateArgs(name, key, limit);
    return this.group(name, limit).take(stored);
  }

  async check(name: string, key: string, limit: RateLimit): Promise<number> {
    const stored = rateArgs(name, key, limit);
    return this.group(name, limit).check(stored);
  }

  async reset(name: string, key: string): Promise<void> {
    this.assertOpen();
    assertRateName(name);
    const stored = storedRateKey(key);
    for (const g of this.groups.values()) if (g.name === name) g.buckets.reset(stored);
  }

  async prune(): Promise<number> {
    let removed = 0;
    for (const g of this.groups.values()) removed += g.buckets.pruneFull();
    return removed;
  }

  /** Tracked buckets (tests). */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.buckets.size;
    return n;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private group(name: string, limit: RateLimit): KeyedTokenBuckets {
    this.assertOpen();
    const id = `${name}\u0000${limit.capacity}\u0000${limit.windowMs}`;
    let g = this.groups.get(id);
    if (!g) {
      const buckets = new KeyedTokenBuckets({ ...limit, ...(this.opts.maxKeys ? { maxKeys: this.opts.maxKeys } : {}), ...(this.opts.now ? { now: this.opts.now } : {}) });
      this.groups.set(id, (g = { name, buckets }));
    }
    return g.buckets;
  }

  private assertOpen(): void {
    if (this.closed) throw new AppError(ErrorCode.Internal, "rate store is closed");
  }
}
