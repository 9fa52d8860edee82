import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { RedisPresence } from "../../src/cluster/redis-presence";
import type { Route } from "../../src/types";
import { clusterState, control, sleep, testLogger } from "./cluster-env";

const byConn = (a: Route, b: Route) => a.connectionId.localeCompare(b.connectionId);

describe("RedisPresence on a real Redis", () => {
  const presences: RedisPresence[] = [];
  let raw: Redis;
  const prefix = `dim-test:${randomUUID().slice(0, 8)}:`;
  const newPresence = () => {
    const p = new RedisPresence({ url: clusterState().redis.url, logger: testLogger, prefix });
    presences.push(p);
    return p;
  };
  beforeAll(() => {
    raw = new Redis(clusterState().redis.url);
    raw.on("error", () => undefined); // reconnects by itself across the restart test
  });
  afterEach(async () => {
    await Promise.all(presences.splice(0).map((p) => p.close()));
  });
  afterAll(async () => {
    const keys = await raw.keys(`${prefix}*`);
    if (keys.length) await raw.del(...keys);
    await raw.quit();
  });

  it("keeps several devices per user and returns only live routes", async () => {
    const p = newPresence();
    const alice = randomUUID();
    const bob = randomUUID();
    const routes: Route[] = [
      { userId: alice, nodeId: "node-1", connectionId: "a-phone" },
      { userId: alice, nodeId: "node-2", connectionId: "a-laptop" },
      { userId: bob, nodeId: "node-1", connectionId: "b-tab" },
    ];
    await p.claim(routes, 60_000);
    expect((await p.routesOf([alice])).sort(byConn)).toEqual(routes.slice(0, 2).sort(byConn));
    expect((await p.routesOf([alice, bob, "not-a-uuid"])).sort(byConn)).toEqual([...routes].sort(byConn));
    expect(await p.routesOf([randomUUID()])).toEqual([]);
    // one key per user, expiring with its longest lease
    const ttl = await raw.pttl(`${prefix}${alice}`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it("claimCapped: two processes admitting one user's sockets at once never pass the cap; expired leases stop counting", async () => {
    const [a, b] = [newPresence(), newPresence()];
    const user = randomUUID();
    const claims = await Promise.all(
      Array.from({ length: 12 }, (_, i) => (i % 2 ? a : b).claimCapped([{ userId: user, nodeId: `node-${i % 2}`, connectionId: `c${i}` }], 4, 60_000)),
    );
    expect(claims.flat().filter(Boolean)).toHaveLength(4);
    expect(await a.routesOf([user])).toHaveLength(4);
    // A batch for several users: each user's routes in order, in one pipeline.
    const other = randomUUID();
    expect(
      await b.claimCapped(
        [
          { userId: other, nodeId: "node-1", connectionId: "o1" },
          { userId: user, nodeId: "node-1", connectionId: "late" },
          { userId: other, nodeId: "node-1", connectionId: "o2" },
        ],
        2,
        60_000,
      ),
    ).toEqual([true, false, true]);
    // Leases of a node that died (short TTL, never refreshed) stop counting once expired.
    const crashed = randomUUID();
    expect(await a.claimCapped([{ userId: crashed, nodeId: "node-dead", connectionId: "d1" }], 1, 300)).toEqual([true]);
    expect(await b.claimCapped([{ userId: crashed, nodeId: "node-live", connectionId: "l1" }], 1, 60_000)).toEqual([false]);
    await vi.waitFor(async () => expect(await b.claimCapped([{ userId: crashed, nodeId: "node-live", connectionId: "l1" }], 1, 60_000)).toEqual([true]), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await raw.hkeys(`${prefix}${crashed}`)).toEqual(["l1"]);
    await expect(a.claimCapped([{ userId: user, nodeId: "node-1", connectionId: "x" }], 0, 60_000)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(a.claimCapped([{ userId: "not-a-uuid", nodeId: "node-1", connectionId: "x" }], 2, 60_000)).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("claims the leases of many users at once (more users than one script call takes), each key expiring with its leases", async () => {
    const p = newPresence();
    const routes: Route[] = [];
    for (let i = 0; i < 1200; i++) {
      const userId = randomUUID();
      routes.push({ userId, nodeId: `node-${i % 3}`, connectionId: `c${i}` });
      if (i % 4 === 0) routes.push({ userId, nodeId: "node-x", connectionId: `c${i}-2` });
    }
    await p.claim(routes, 60_000);
    const users = [...new Set(routes.map((r) => r.userId))];
    const key = (r: Route) => `${r.userId}/${r.connectionId}/${r.nodeId}`;
    expect(new Set((await p.routesOf(users)).map(key))).toEqual(new Set(routes.map(key)));
    for (const userId of [users[0]!, users[599]!, users.at(-1)!]) {
      const ttl = await raw.pttl(`${prefix}${userId}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(60_000);
    }
  });

  it("release is compare-and-delete: a stale node cannot remove the route another node holds now", async () => {
    const p = newPresence();
    const user = randomUUID();
    await p.claim([{ userId: user, nodeId: "node-old", connectionId: "c1" }], 60_000);
    // the same connection moved to a newer node
    await p.claim([{ userId: user, nodeId: "node-new", connectionId: "c1" }], 60_000);
    await p.release([{ userId: user, nodeId: "node-old", connectionId: "c1" }]);
    expect(await p.routesOf([user])).toEqual([{ userId: user, nodeId: "node-new", connectionId: "c1" }]);
    await p.release([{ userId: user, nodeId: "node-new", connectionId: "c1" }]);
    expect(await p.routesOf([user])).toEqual([]);
    await p.release([{ userId: user, nodeId: "node-new", connectionId: "c1" }]); // idempotent
  });

  it("releases many routes in one pipeline, each compare-and-delete", async () => {
    const p = newPresence();
    const users = Array.from({ length: 50 }, () => randomUUID());
    await p.claim(users.map((userId) => ({ userId, nodeId: "node-a", connectionId: "c1" })), 60_000);
    await p.claim([{ userId: users[7]!, nodeId: "node-b", connectionId: "c1" }], 60_000); // moved on
    await p.release(users.map((userId) => ({ userId, nodeId: "node-a", connectionId: "c1" })));
    expect(await p.routesOf(users)).toEqual([{ userId: users[7]!, nodeId: "node-b", connectionId: "c1" }]);
  });

  it("leases expire after their TTL (in Redis's clock); renewing keeps them; an empty user key disappears", async () => {
    const p = newPresence();
    const user = randomUUID();
    await p.claim(
      [
        { userId: user, nodeId: "node-1", connectionId: "short" },
        { userId: user, nodeId: "node-1", connectionId: "renewed" },
      ],
      300,
    );
    await p.claim([{ userId: user, nodeId: "node-1", connectionId: "renewed" }], 60_000);
    await vi.waitFor(async () => expect((await p.routesOf([user])).map((r) => r.connectionId)).toEqual(["renewed"]), {
      timeout: 10_000,
      interval: 100,
    });
    const other = randomUUID();
    await p.claim([{ userId: other, nodeId: "node-1", connectionId: "c" }], 200);
    await vi.waitFor(async () => expect(await raw.exists(`${prefix}${other}`)).toBe(0), { timeout: 10_000, interval: 100 });
    expect(await p.routesOf([other])).toEqual([]);
  });

  it("rejects bad input with typed errors and changes nothing", async () => {
    const p = newPresence();
    const user = randomUUID();
    await expect(p.claim([{ userId: "nope", nodeId: "n", connectionId: "c" }], 1000)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(p.claim([{ userId: user, nodeId: "a|b", connectionId: "c" }], 1000)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(p.claim([{ userId: user, nodeId: "n", connectionId: "c" }], 0)).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await p.routesOf([user])).toEqual([]);
  });

  it("survives a Redis restart during traffic: every claim resolves, no route lost or doubled", async () => {
    const p = newPresence();
    const users = Array.from({ length: 20 }, () => randomUUID());
    const claimed: Route[] = [];
    const pidBefore = (await control().state()).redis.pid;
    let restart: Promise<unknown> | undefined;
    let restarted = false;
    let after = 0;
    // claims keep going before, during and after the restart (bounded)
    for (let round = 0; round < 600 && after < 5; round++) {
      const batch = users.map((userId) => ({ userId, nodeId: `node-${round % 3}`, connectionId: `conn-${round}` }));
      await p.claim(batch, 120_000);
      claimed.push(...batch);
      if (round === 5) restart = control().restart("redis").then(() => (restarted = true));
      if (restarted) after++;
      await sleep(20);
    }
    await restart;
    expect(restarted).toBe(true);
    expect((await control().state()).redis.pid).not.toBe(pidBefore);
    const routes = await p.routesOf(users);
    expect(routes).toHaveLength(claimed.length);
    const key = (r: Route) => `${r.userId}/${r.connectionId}/${r.nodeId}`;
    expect(new Set(routes.map(key))).toEqual(new Set(claimed.map(key)));
  });
});
