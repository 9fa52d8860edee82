/**
 * Token buckets kept in this process's memory: `capacity` attempts, refilled evenly over
 * `windowMs`. Limits are therefore per gateway process — several gateways behind a load
 * balancer each allow `capacity` per window (documented in docs/protocol.md).
 */
import { AppError, ErrorCode } from "@dim/shared";

export interface RateLimiterOptions {
  capacity: number;
  windowMs: number;
  /** Upper bound on tracked keys; full buckets are forgotten first. */
  maxKeys?: number;
  now?: () => number;
}

interface Bucket {
  tokens: number;
  updatedAt: number;
}

/** The error of a throttled call: RATE_LIMITED with `details.retryAfterMs` (→ Retry-After). */
export function rateLimited(retryAfterMs: number, what: string): AppError {
  return new AppError(ErrorCode.RateLimited, `too many ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
    retryAfterMs,
  });
}

export type TakeResult = { ok: true } | { ok: false; retryAfterMs: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly opts: RateLimiterOptions) {
    this.perMs = opts.capacity / opts.windowMs;
    this.maxKeys = opts.maxKeys ?? 100_000;
    this.now = opts.now ?? Date.now;
  }

  /** How long until one token is available (0 when one is available now). */
  check(key: string): number {
    const bucket = this.refill(key);
    return bucket.tokens >= 1 ? 0 : Math.ceil((1 - bucket.tokens) / this.perMs);
  }

  /** Takes one token, or says how long to wait. */
  take(key: string): TakeResult {
    const wait = this.check(key);
    if (wait > 0) return { ok: false, retryAfterMs: wait };
    const bucket = this.refill(key);
    bucket.tokens -= 1;
    this.buckets.set(key, bucket);
    this.prune();
    return { ok: true };
  }

  /** Forgets a key (a successful login refills its username's bucket). */
  reset(key: string): void {
    this.buckets.delete(key);
  }

  private refill(key: string): Bucket {
    const now = this.now();
    const bucket = this.buckets.get(key) ?? { tokens: this.opts.capacity, updatedAt: now };
    bucket.tokens = Math.min(this.opts.capacity, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    return bucket;
  }

  private prune(): void {
    if (this.buckets.size <= this.maxKeys) return;
    for (const key of [...this.buckets.keys()]) {
      if (this.refill(key).tokens >= this.opts.capacity) this.buckets.delete(key);
    }
    // Still too many live keys: drop the oldest (Map keeps insertion order).
    for (const key of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys) break;
      this.buckets.delete(key);
    }
  }
}
