import { describe, expect, it } from "vitest";
import { KeyedTokenBuckets, TokenBucket } from "../src/node/async";

describe("TokenBucket", () => {
  it("allows a burst, then refills over time", () => {
    let now = 1_000;
    const bucket = new TokenBucket(0.5, 3, () => now);
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
    now += 1_999;
    expect(bucket.take()).toBe(false);
    now += 1;
    expect(bucket.take()).toBe(true);
    now += 60_000; // refills up to capacity, not beyond
    expect([bucket.take(), bucket.take(), bucket.take(), bucket.take()]).toEqual([true, true, true, false]);
  });

  it("is not fooled by a clock going backwards", () => {
    let now = 10_000;
    const bucket = new TokenBucket(1, 1, () => now);
    expect(bucket.take()).toBe(true);
    now -= 5_000;
    expect(bucket.take()).toBe(false);
  });

  it("rejects nonsense parameters", () => {
    expect(() => new TokenBucket(0, 1)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0)).toThrow(RangeError);
  });
});

describe("KeyedTokenBuckets", () => {
  it("allows capacity attempts per window, then refills evenly", () => {
    let now = 0;
    const limiter = new KeyedTokenBuckets({ capacity: 3, windowMs: 3000, now: () => now });
    expect([1, 2, 3].map(() => limiter.take("k").ok)).toEqual([true, true, true]);
    const denied = limiter.take("k");
    expect(denied).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(limiter.take("other").ok).toBe(true);
    now = 999;
    expect(limiter.take("k").ok).toBe(false);
    now = 1000;
    expect(limiter.take("k").ok).toBe(true);
    expect(limiter.take("k").ok).toBe(false);
    limiter.reset("k");
    expect(limiter.take("k").ok).toBe(true);
  });

  it("stays bounded in memory", () => {
    const limiter = new KeyedTokenBuckets({ capacity: 1, windowMs: 60_000, maxKeys: 10, now: () => 0 });
    for (let i = 0; i < 100; i++) limiter.take(`key-${i}`);
    expect((limiter as unknown as { buckets: Map<string, unknown> }).buckets.size).toBeLessThanOrEqual(10);
  });
});

describe("KeyedTokenBuckets: the semantics docs/protocol.md §3.5 states", () => {
  it("a burst of N, then one every window/N: at most N per window over a long run, 2N in any one window", () => {
    let now = 0;
    const buckets = new KeyedTokenBuckets({ capacity: 120, windowMs: 60_000, now: () => now });
    const passedAt: number[] = [];
    // A client calling 10 times a second for 10 minutes.
    for (; now < 600_000; now += 100) if (buckets.take("u").ok) passedAt.push(now);
    const inWindow = (from: number) => passedAt.filter((t) => t >= from && t < from + 60_000).length;
    // (Floating-point refill may hand a token out one step late: hence ranges of one.)
    expect(inWindow(0)).toBeLessThanOrEqual(240); // the burst of 120 plus 120 refilled during the first minute
    expect(inWindow(0)).toBeGreaterThanOrEqual(239);
    for (let from = 60_000; from + 60_000 <= 600_000; from += 60_000) {
      expect(inWindow(from)).toBeLessThanOrEqual(121);
      expect(inWindow(from)).toBeGreaterThanOrEqual(119);
    }
    expect(passedAt.length).toBeLessThanOrEqual(120 + 10 * 120);
    expect(passedAt.length).toBeGreaterThanOrEqual(120 + 10 * 120 - 2);
    // A refused call takes nothing: the wait it reports is the time to the next token.
    while (buckets.take("u").ok); // empty the bucket at this instant
    const refused = buckets.take("u");
    expect(refused.ok).toBe(false);
    expect(buckets.take("u").ok).toBe(false); // still nothing: the refusals took no token and none was due
    if (!refused.ok) expect(refused.retryAfterMs).toBeGreaterThan(0);
    if (!refused.ok) expect(refused.retryAfterMs).toBeLessThanOrEqual(500);
  });
});
