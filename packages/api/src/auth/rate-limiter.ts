/**
 * The gateway's throttles: one named limit (capacity per window) on a RateStore from
 * @dim/infra — the deployment's shared store (PostgreSQL in embedded mode, Redis in cluster mode),
 * so a limit holds across every gateway process, or an in-process MemoryRateStore when the
 * gateway is built without one (tests) — and the error a throttled call gets.
 */
import type { RateLimit, RateStore, RateTake } from "@dim/infra";
import { AppError, ErrorCode } from "@dim/shared";

export class RateLimiter {
  private readonly limit: RateLimit;

  constructor(
    private readonly store: RateStore,
    /** The bucket family in the store, e.g. "login-ip": one name, one limit. */
    readonly name: string,
    limit: RateLimit,
  ) {
    this.limit = { capacity: limit.capacity, windowMs: limit.windowMs };
  }

  /** Takes one token of `key`, or says how long to wait (a refused take takes nothing). */
  take(key: string): Promise<RateTake> {
    return this.store.take(this.name, key, this.limit);
  }

  /** Milliseconds until a token of `key` is available (0 now). */
  check(key: string): Promise<number> {
    return this.store.check(this.name, key, this.limit);
  }

  /** Refills `key`'s bucket. */
  reset(key: string): Promise<void> {
    return this.store.reset(this.name, key);
  }
}

/** The error of a throttled call: RATE_LIMITED with `details.retryAfterMs` (→ Retry-After). */
export function rateLimited(retryAfterMs: number, what: string): AppError {
  return new AppError(ErrorCode.RateLimited, `too many ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
    retryAfterMs,
  });
}
