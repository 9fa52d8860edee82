/**
 * One token bucket per key (a username, a client address, a user id): `capacity` actions at once,
 * refilled evenly over `windowMs`, held in this process's memory with a bound on tracked keys.
 */

export interface KeyedTokenBucketsOptions {
  capacity: number;
  windowMs: number;
  /** Upper bound on tracked keys; full buckets are forgotten first, then the oldest. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class KeyedTokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: KeyedTokenBucketsOptions) {
    if (!(opts.capacity >= 1) || !(opts.windowMs > 0)) throw new RangeError("capacity must be ≥ 1 and windowMs > 0");
    this.perMs = opts.capacity / opts.windowMs;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** How long until one token of `key` is available (0 when one is available now). */
  check(key: string): number {
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  /** Takes one token of `key`, or says how long to wait. */
  take(key: string): TakeResult {
    const wait = this.check(key);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const bucket = this.refill(key);
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    this.prune();
    return { ok: true };
  }

  /** Forgets a key (its bucket is full again). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refill(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.opts.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.opts.capacity, bucket.tokens + Math.max(0, now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    return bucket;
  }

  /** Tracked keys (full buckets may linger until pruned). */
  get size(): number {
    return this.buckets.size;
  }

  /** Forgets the buckets that are full again; returns how many. */
  pruneFull(): number {
    let removed = 0;
    for (const key of [...this.buckets.keys()]) {
      if (this.refill(key).tokens >= this.opts.capacity) {
        this.buckets.delete(key);
        removed++;
      }
    }
    return removed;
  }

  private prune(): void {
    if (this.buckets.size <= this.maxKeys) return;
    this.pruneFull();
    // Still too many live keys: drop the oldest (a Map keeps insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
