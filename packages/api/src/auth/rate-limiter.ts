/**
 * The gateway's throttles: per-key token buckets (`KeyedTokenBuckets` from @dim/shared) kept in
 * this process's memory, so limits are per gateway process — several gateways behind a load
 * balancer each allow `capacity` per window (documented in docs/protocol.md) — and the error a
 * throttled call gets.
 */
import { AppError, ErrorCode } from "@dim/shared";
export { KeyedTokenBuckets as RateLimiter } from "@dim/shared/async";

/** The error of a throttled call: RATE_LIMITED with `details.retryAfterMs` (→ Retry-After). */
export function rateLimited(retryAfterMs: number, what: string): AppError {
  return new AppError(ErrorCode.RateLimited, `too many ${what}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, {
    retryAfterMs,
  });
}
