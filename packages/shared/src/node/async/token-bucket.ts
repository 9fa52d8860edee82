/**
 * A token bucket: `burst` actions at once, refilled evenly at `ratePerSec`. Time comes from the
 * caller's clock (monotonic by default) so tests can drive it.
 */
import { monotonicMs } from "./time";

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = monotonicMs,
  ) {
    if (!(burst >= 1) || !(ratePerSec > 0)) throw new RangeError("burst must be ≥ 1 and ratePerSec > 0");
    this.tokens = burst;
    this.last = now();
  }

  /** Takes one token; false when the bucket is empty (the action is over the limit). */
  take(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until the next token is available (0 when one is). */
  msUntilToken(): number {
    this.refill();
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSec) * 1000);
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + (Math.max(0, t - this.last) / 1000) * this.ratePerSec);
    this.last = t;
  }
}
