/**
 * Node lifecycle: start, graceful stop, presence leases, and fencing when the registration is lost.
 */
import { describe, expect, it, vi } from "vitest";
import { createMemoryInfra, MemoryHub, type Registration, type Registry } from "@dim/infra";
import { CloseCode } from "@dim/shared";
import { CoreNode } from "../src/core-node";
import { TestClient } from "./helpers/test-client";
import {
  clientMsgId,
  connectAs,
  createConversation,
  createUser,
  openSocket,
  startCluster,
  startNode,
  testConfig,
  useTestDatabase,
} from "./helpers/cluster";

const db = useTestDatabase();

describe("start", () => {
  it("resolves with the bound port and ws URL, registers, and derives a node id when none is configured", async () => {
    const infra = createMemoryInfra();
    const bare = new CoreNode({ config: testConfig({ nodeId: undefined }), store: db.store, contactPresence: db.contactPresence, ...infra });
    const started = await bare.start();
    try {
      expect(started.port).toBeGreaterThan(0);
      expect(started.nodeId).toBe(`node-127.0.0.1-${started.port}`);
      expect(started.wsUrl).toBe(`ws://127.0.0.1:${started.port}/ws`);
      const live = await infra.registry.liveNodes();
      expect(live.map((n) => n.nodeId)).toEqual([started.nodeId]);
      expect(live.find((n) => n.nodeId === started.nodeId)).toMatchObject({ wsUrl: started.wsUrl, wsPort: started.port, connections: 0 });
    } finally {
      await bare.stop();
      await infra.close();
    }
  });

  it("reports its authenticated connections to the registry and keeps presence leases while connected", async () => {
    const { a } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const { client, welcome } = await connectAs(a, alice);
    expect((await a.infra.registry.liveNodes()).find((n) => n.nodeId === a.nodeId)?.connections).toBe(1);
    expect(await a.infra.presence.routesOf([alice])).toEqual([{ userId: alice, nodeId: a.nodeId, connectionId: welcome.connectionId }]);

    client.close();
    await vi.waitFor(async () => expect(await a.infra.presence.routesOf([alice])).toEqual([]));
    expect((await a.infra.registry.liveNodes()).find((n) => n.nodeId === a.nodeId)?.connections).toBe(0);
  });

  it("renews presence leases every third of their TTL", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
    try {
      const hub = new MemoryHub();
      const node = await startNode(db, hub, { config: { presenceTtlMs: 30_000, idleTimeoutMs: 10 * 60_000 } });
      const alice = await createUser(db.prisma);
      await connectAs(node, alice);
      await vi.advanceTimersByTimeAsync(95_000); // more than three TTLs
      expect(await node.infra.presence.routesOf([alice])).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe("graceful stop", () => {
  it("closes every socket with NodeShuttingDown, deregisters, releases leases; idempotent", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const { client } = await connectAs(a, alice);
    const unauthenticated = await openSocket(a);

    const first = a.node.stop();
    expect(a.node.stop()).toBe(first);
    await first;
    expect((await client.waitClosed()).code).toBe(CloseCode.NodeShuttingDown);
    expect((await unauthenticated.waitClosed()).code).toBe(CloseCode.NodeShuttingDown);
    expect((await b.infra.registry.liveNodes()).map((n) => n.nodeId)).toEqual([b.nodeId]);
    expect(await b.infra.presence.routesOf([alice])).toEqual([]);
    await expect(TestClient.connect(a.wsUrl)).rejects.toThrow();
    await a.node.stop();
  });
});

/** A registry whose next register() waits until the test opens the gate. */
function gatedRegistry(inner: Registry) {
  let gate: Promise<void> | undefined;
  let open: () => void = () => {};
  const registrations: Registration[] = [];
  const registry: Registry = {
    async register(info) {
      if (gate) await gate;
      const r = await inner.register(info);
      registrations.push(r);
      return r;
    },
    liveNodes: () => inner.liveNodes(),
    close: () => inner.close(),
  };
  return {
    registry,
    registrations,
    close() {
      gate = new Promise((r) => (open = r));
    },
    open: () => open(),
  };
}

describe("fencing", () => {
  it("on registration loss: stops accepting, closes sockets with NodeShuttingDown, releases leases, re-registers with a new epoch", async () => {
    const hub = new MemoryHub();
    let gated!: ReturnType<typeof gatedRegistry>;
    const a = await startNode(db, hub, { registry: (r) => (gated = gatedRegistry(r)).registry });
    const b = await startNode(db, hub);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(a, alice);
    const { client: cb } = await connectAs(b, bob);
    const firstEpoch = gated.registrations[0]!.epoch;

    gated.close();
    hub.expireNode(a.nodeId);
    expect((await client.waitClosed()).code).toBe(CloseCode.NodeShuttingDown);
    await vi.waitFor(async () => expect(await b.infra.presence.routesOf([alice])).toEqual([]));

    // while fenced: no new sockets, unhealthy
    expect(a.node.isAccepting).toBe(false);
    await expect(TestClient.connect(a.wsUrl)).rejects.toThrow(/503/);
    expect((await fetch(a.httpUrl("/healthz"))).status).toBe(503);
    const readiness = await fetch(a.httpUrl("/readyz"));
    expect(readiness.status).toBe(503);
    expect(((await readiness.json()) as { notReady: string[] }).notReady).toEqual(["registered"]);
    expect((await fetch(a.httpUrl("/livez"))).status).toBe(200);
    // messages for alice are still stored (and wait for her sync)
    cb.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "while fenced" });
    expect(await cb.next("sent")).toMatchObject({ seq: 1 });

    gated.open();
    await vi.waitFor(() => expect(a.node.isAccepting).toBe(true));
    const live = (await b.infra.registry.liveNodes()).find((n) => n.nodeId === a.nodeId);
    expect(live?.epoch).toBeGreaterThan(firstEpoch);

    const { client: again, welcome } = await connectAs(a, alice);
    expect(welcome.conversations).toEqual([{ conversationId: conv, lastSeq: 1, deliveredSeq: 0, readSeq: 0 }]);
    cb.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "after" });
    expect((await again.next("message")).message).toMatchObject({ seq: 2, body: "after" });
  });
});
