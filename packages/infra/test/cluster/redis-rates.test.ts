// The RateStore contract (../rate-store-contract.ts) on a real Redis, and what is Redis's own.
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisRateStore } from "../../src/cluster/redis-rates";
import type { RateStore } from "../../src/types";
import { rateStoreContract } from "../rate-store-contract";
import { clusterState, testLogger } from "./cluster-env";

const prefix = `dim-test-rate:${randomUUID().slice(0, 8)}:`;
const opened: RateStore[] = [];
let raw: Redis;
beforeAll(() => {
  raw = new Redis(clusterState().redis.url);
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  const keys = await raw.keys(`${prefix}*`);
  if (keys.length) await raw.del(...keys);
  await raw.quit();
});

const newStore = () => {
  const s = new RedisRateStore({ url: clusterState().redis.url, logger: testLogger, prefix });
  opened.push(s);
  return s;
};

rateStoreContract("Redis", () => ({
  client: newStore,
  stored: async (name) => (await raw.keys(`${prefix}${name}:*`)).length,
}));

describe("RedisRateStore on a real Redis", () => {
  it("expires a bucket's key when it is full again (at most the window)", async () => {
    const s = newStore();
    await s.take("expiry", "k", { capacity: 4, windowMs: 60_000 });
    const ttl = await raw.pttl(s.keyOf("expiry", "k"));
    // one token spent: full again in a quarter of the window
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15_000);
    await s.take("expiry", "k", { capacity: 4, windowMs: 60_000 });
    expect(await raw.pttl(s.keyOf("expiry", "k"))).toBeGreaterThan(15_000 - 1_000);
  });
});
