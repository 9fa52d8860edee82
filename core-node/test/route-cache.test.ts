/**
 * The route cache (route-lookup.ts) and the announcements that keep it honest (route-changes.ts),
 * on real nodes sharing one in-memory hub and a real PostgreSQL.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { createMemoryInfra, MemoryHub, type Presence } from "@dim/infra";
import { clientMsgId, connectAs, createConversation, createUser, startNode, useTestDatabase, type TestNode } from "./helpers/cluster";

const db = useTestDatabase();

/** Counts the presence lookups a node makes. */
function countingPresence() {
  const counter = { lookups: 0 };
  const wrap = (p: Presence): Presence => ({
    claim: (routes, ttl) => p.claim(routes, ttl),
    claimCapped: (routes, max, ttl) => p.claimCapped(routes, max, ttl),
    release: (routes) => p.release(routes),
    routesOf: (ids) => {
      counter.lookups++;
      return p.routesOf(ids);
    },
    close: () => p.close(),
  });
  return { counter, wrap };
}

async function pair(a: TestNode) {
  const alice = await createUser(db.prisma);
  const bob = await createUser(db.prisma);
  const conv = await createConversation(db.prisma, [alice, bob]);
  const { client: ca } = await connectAs(a, alice);
  return { alice, bob, conv, ca };
}

describe("route cache", () => {
  it("a user who connects after the sender's node cached 'offline' gets every later message pushed", async () => {
    const hub = new MemoryHub();
    const a = await startNode(db, hub, { nodeId: `node-a-${randomUUID().slice(0, 6)}`, config: { routeCacheTtlMs: 60_000 } });
    const b = await startNode(db, hub, { nodeId: `node-b-${randomUUID().slice(0, 6)}`, config: { routeCacheTtlMs: 60_000 } });
    const { conv, ca, bob } = await pair(a);

    // Bob is offline: node A looks him up (no routes) and caches that for a minute.
    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "while you were away" });
    expect(await ca.next("sent")).toMatchObject({ seq: 1 });
    await a.node["router"].drain();

    // Bob connects on B: B announces him to A before welcoming him.
    const { client: cb, welcome } = await connectAs(b, bob);
    expect(welcome.conversations).toEqual([{ conversationId: conv, lastSeq: 1, deliveredSeq: 0, readSeq: 0 }]);

    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "welcome back" });
    expect(await ca.next("sent")).toMatchObject({ seq: 2 });
    expect((await cb.next("message")).message).toMatchObject({ seq: 2, body: "welcome back" });
  });

  it("looks routes up once per TTL instead of once per message (and every time with a TTL of 0)", async () => {
    for (const ttl of [60_000, 0]) {
      const hub = new MemoryHub();
      const counting = countingPresence();
      const a = await startNode(db, hub, { config: { routeCacheTtlMs: ttl }, presence: counting.wrap });
      const b = await startNode(db, hub, { config: { routeCacheTtlMs: ttl } });
      const { conv, ca, bob } = await pair(a);
      const { client: cb } = await connectAs(b, bob);
      const before = counting.counter.lookups;
      for (let i = 1; i <= 5; i++) {
        ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: `m${i}` });
        expect(await ca.next("sent")).toMatchObject({ seq: i });
        expect((await cb.next("message")).message).toMatchObject({ seq: i });
      }
      const lookups = counting.counter.lookups - before;
      if (ttl > 0) expect(lookups).toBe(1);
      else expect(lookups).toBeGreaterThanOrEqual(5);
    }
  });

  it("waits for a silent peer once, then welcomes without waiting until it answers again", async () => {
    const hub = new MemoryHub();
    const timeout = 1_500;
    const a = await startNode(db, hub, { config: { routeAckTimeoutMs: timeout } });
    // A node that is registered (live) but consumes nothing: it never acknowledges.
    const silent = createMemoryInfra(hub);
    const registration = await silent.registry.register({
      nodeId: `silent-${randomUUID().slice(0, 6)}`,
      host: "127.0.0.1",
      wsPort: 1,
      httpPort: 1,
      wsUrl: "ws://127.0.0.1:1/ws",
      startedAt: new Date().toISOString(),
    });
    try {
      const first = await createUser(db.prisma);
      let t = performance.now();
      await connectAs(a, first);
      expect(performance.now() - t).toBeGreaterThanOrEqual(timeout - 50);

      const second = await createUser(db.prisma);
      t = performance.now();
      await connectAs(a, second);
      expect(performance.now() - t).toBeLessThan(timeout);
    } finally {
      await registration.deregister();
      await silent.close();
    }
  });
});
