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
