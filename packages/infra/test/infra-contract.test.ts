/**
 * One contract, every embedded implementation: the in-process hub (several nodes in one process)
 * and the PostgreSQL-backed one (what separate processes share in `npm run dev`). Each "node"
 * below gets its own handles, as a separate process would.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { AppError, ErrorCode } from "@dim/shared";
import { MemoryHub, createMemoryInfra } from "../src/memory/index";
import { PgBus } from "../src/pg/pg-bus";
import { PgPresence } from "../src/pg/pg-presence";
import { PgRegistry } from "../src/pg/pg-registry";
import type { Bus, NodeInfo, Presence, Registry } from "../src/types";
import { deliver, eventually, receipt, seqOf, sleep, withEnvelopes, type BusEnvelope, type EnvelopeBus } from "./helpers";

interface NodeHandles {
  bus: EnvelopeBus;
  registry: Registry;
  presence: Presence;
}

interface Backend {
  /** Handles of one more node (one more process) on the shared backend. */
  node(): NodeHandles;
  /** Makes the node's registry lease expire, as if its owner had stalled past the TTL. */
  expire(nodeId: string): Promise<void>;
  teardown(): Promise<void>;
}

interface Implementation {
  name: string;
  setup(): Promise<Backend>;
}

function trackingBackend(make: () => { bus: Bus; registry: Registry; presence: Presence }, expire: Backend["expire"], after: () => Promise<void>): Backend {
  const all: NodeHandles[] = [];
  return {
    node() {
      const made = make();
      const h = { ...made, bus: withEnvelopes(made.bus) };
      all.push(h);
      return h;
    },
    expire,
    async teardown() {
      await Promise.all(all.flatMap((h) => [h.bus.close(), h.registry.close(), h.presence.close()]));
      await after();
    },
  };
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const implementations: Implementation[] = [
  {
    name: "memory",
    async setup() {
      const hub = new MemoryHub();
      return trackingBackend(
        () => createMemoryInfra(hub),
        async (nodeId) => hub.expireNode(nodeId),
        async () => undefined,
      );
    },
  },
  {
    name: "pg",
    async setup() {
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      // Each case starts from empty tables (they hold only leases).
      await admin.query("DELETE FROM node_leases; DELETE FROM presence_leases");
      const databaseUrl = db.url;
      return trackingBackend(
        () => ({
          bus: new PgBus({ databaseUrl, reconnectMinMs: 20, reconnectMaxMs: 200 }),
          registry: new PgRegistry({ databaseUrl, ttlMs: 3_000, refreshMs: 100 }),
          presence: new PgPresence({ databaseUrl, cleanupMs: 0 }),
        }),
        async (nodeId) => {
          await admin.query("UPDATE node_leases SET expires_at = now() - interval '1 second' WHERE node_id = $1", [nodeId]);
        },
        () => admin.end(),
      );
    },
  },
];

function nodeInfo(nodeId: string, port = 7001): Omit<NodeInfo, "epoch" | "connections"> {
  return {
    nodeId,
    host: "127.0.0.1",
    wsPort: port,
    httpPort: port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    startedAt: new Date("2026-01-02T03:04:05.678Z").toISOString(),
  };
}

describe.each(implementations)("$name infra contract", (impl) => {
  let backend: Backend;
  afterEach(async () => {
    await backend?.teardown();
  });
  const setup = async () => (backend = await impl.setup());

  // ───────────────────────────── registry ─────────────────────────────
  describe("registry", () => {
    it("lists registered nodes with their info and distinct, increasing epochs", async () => {
      await setup();
      const a = backend.node();
      const b = backend.node();
      const gateway = backend.node();
      const ra = await a.registry.register(nodeInfo("node-a", 7001));
      const rb = await b.registry.register(nodeInfo("node-b", 7002));
      expect(rb.epoch).toBeGreaterThan(ra.epoch);

      const live = await gateway.registry.liveNodes();
      expect(live).toEqual([
        { ...nodeInfo("node-a", 7001), epoch: ra.epoch, connections: 0, messageRates: { inPerSec: 0, outPerSec: 0 } },
        { ...nodeInfo("node-b", 7002), epoch: rb.epoch, connections: 0, messageRates: { inPerSec: 0, outPerSec: 0 } },
      ]);
    });

    it("reports the connection count set by the node", async () => {
      await setup();
      const a = backend.node();
      const reg = await a.registry.register(nodeInfo("node-a"));
      reg.setConnections(42);
      await eventually(async () => {
        expect((await backend.node().registry.liveNodes()).map((n) => n.connections)).toEqual([42]);
      });
    });

    it("reports the message rates set by the node, normalised (one decimal, never negative)", async () => {
      await setup();
      const reg = await backend.node().registry.register(nodeInfo("node-a"));
      reg.setConnections(5);
      reg.setMessageRates({ inPerSec: 12.345, outPerSec: -1 });
      await eventually(async () => {
        expect((await backend.node().registry.liveNodes()).map((n) => [n.connections, n.messageRates])).toEqual([[5, { inPerSec: 12.3, outPerSec: 0 }]]);
      });
      reg.setMessageRates({ inPerSec: Number.NaN, outPerSec: 40 });
      await eventually(async () => {
        expect((await backend.node().registry.liveNodes())[0]!.messageRates).toEqual({ inPerSec: 0, outPerSec: 40 });
      });
    });

    it("setDraining marks the node draining at once, keeps it live, and a re-registration clears it", async () => {
      await setup();
      const a = backend.node();
      const gateway = backend.node();
      const ra = await a.registry.register(nodeInfo("node-a", 7001));
      await a.registry.register(nodeInfo("node-b", 7002));
      expect((await gateway.registry.liveNodes()).map((n) => n.draining ?? false)).toEqual([false, false]);
      await ra.setDraining();
      await ra.setDraining(); // idempotent
      // At once: resolved means a reader sees it (no eventually).
      const live = await gateway.registry.liveNodes();
      expect(live.map((n) => [n.nodeId, n.draining ?? false])).toEqual([
        ["node-a", true],
        ["node-b", false],
      ]);
      ra.setConnections(3); // a later load report keeps the flag
      await sleep(300);
      expect((await gateway.registry.liveNodes()).find((n) => n.nodeId === "node-a")?.draining).toBe(true);
      await ra.deregister();
      const again = await a.registry.register(nodeInfo("node-a", 7001));
      expect((await gateway.registry.liveNodes()).find((n) => n.nodeId === "node-a")?.draining ?? false).toBe(false);
      await again.deregister();
    });

    it("deregister removes the node, is idempotent, and never fires onLost", async () => {
      await setup();
      const a = backend.node();
      const b = backend.node();
      const ra = await a.registry.register(nodeInfo("node-a"));
      await b.registry.register(nodeInfo("node-b"));
      let lost = 0;
      ra.onLost(() => lost++);
      await ra.deregister();
      await ra.deregister();
      expect((await b.registry.liveNodes()).map((n) => n.nodeId)).toEqual(["node-b"]);
      await sleep(400); // several refresh periods: a deregistered lease is not "lost"
      expect(lost).toBe(0);
    });

    it("a new registration of the same node id fences the old one", async () => {
      await setup();
      const first = backend.node();
      const second = backend.node();
      const old = await first.registry.register(nodeInfo("node-a", 7001));
      let lost = 0;
      old.onLost(() => lost++);
      const fresh = await second.registry.register(nodeInfo("node-a", 7003));
      expect(fresh.epoch).toBeGreaterThan(old.epoch);

      await eventually(() => expect(lost).toBe(1));
      // The fenced owner's late deregister is compare-and-delete: the new one stays.
      await old.deregister();
      const live = await second.registry.liveNodes();
      expect(live.map((n) => [n.nodeId, n.epoch, n.wsPort])).toEqual([["node-a", fresh.epoch, 7003]]);
    });

    it("an expired lease leaves the live set and its owner's onLost fires", async () => {
      await setup();
      const a = backend.node();
      const reg = await a.registry.register(nodeInfo("node-a"));
      const lost = new Promise<void>((resolve) => reg.onLost(resolve));
      await backend.expire("node-a");
      expect(await backend.node().registry.liveNodes()).toEqual([]);
      await lost;
      // It may register again, with a newer epoch.
      const again = await a.registry.register(nodeInfo("node-a"));
      expect(again.epoch).toBeGreaterThan(reg.epoch);
      expect((await a.registry.liveNodes()).map((n) => n.epoch)).toEqual([again.epoch]);
    });

    it("epochs keep increasing after a node id leaves and comes back", async () => {
      await setup();
      const a = backend.node();
      const r1 = await a.registry.register(nodeInfo("node-a"));
      await r1.deregister();
      const r2 = await a.registry.register(nodeInfo("node-a"));
      expect(r2.epoch).toBeGreaterThan(r1.epoch);
    });

    it("close deregisters what the handle registered and is idempotent", async () => {
      await setup();
      const a = backend.node();
      await a.registry.register(nodeInfo("node-a"));
      await a.registry.close();
      await a.registry.close();
      expect(await backend.node().registry.liveNodes()).toEqual([]);
    });
  });

  // ───────────────────────────── presence ─────────────────────────────
  describe("presence", () => {
    it("returns every live connection of the asked users, across nodes", async () => {
      await setup();
      const [n1, n2] = [backend.node(), backend.node()];
      const [u1, u2, u3] = [randomUUID(), randomUUID(), randomUUID()];
      await n1.presence.claim(
        [
          { userId: u1, nodeId: "node-1", connectionId: "c1" },
          { userId: u2, nodeId: "node-1", connectionId: "c2" },
        ],
        60_000,
      );
      await n2.presence.claim([{ userId: u1, nodeId: "node-2", connectionId: "c3" }], 60_000);

      const routes = await backend.node().presence.routesOf([u1, u2, u3, u1]);
      const sorted = [...routes].sort((a, b) => a.connectionId.localeCompare(b.connectionId));
      expect(sorted).toEqual([
        { userId: u1, nodeId: "node-1", connectionId: "c1" },
        { userId: u2, nodeId: "node-1", connectionId: "c2" },
        { userId: u1, nodeId: "node-2", connectionId: "c3" },
      ]);
      expect(await n1.presence.routesOf([])).toEqual([]);
      expect(await n1.presence.routesOf([u3])).toEqual([]);
    });

    it("claimCapped admits a user's sockets across nodes only while under the cap; a release frees a place", async () => {
      await setup();
      const [n1, n2] = [backend.node(), backend.node()];
      const [user, other] = [randomUUID(), randomUUID()];
      const r = (nodeId: string, connectionId: string, userId = user) => ({ userId, nodeId, connectionId });
      // Two on node-1 in one call (the second counts the first), one on node-2: the cap of 3 is full.
      expect(await n1.presence.claimCapped([r("node-1", "a"), r("node-1", "b")], 3, 60_000)).toEqual([true, true]);
      expect(await n2.presence.claimCapped([r("node-2", "c"), r("node-2", "d"), r("node-2", "x", other)], 3, 60_000)).toEqual([true, false, true]);
      expect(await n1.presence.claimCapped([r("node-1", "e")], 3, 60_000)).toEqual([false]);
      // Renewing a connection that holds a lease is not a new socket.
      expect(await n1.presence.claimCapped([r("node-1", "a")], 3, 60_000)).toEqual([true]);
      const held = await backend.node().presence.routesOf([user]);
      expect(held.map((x) => x.connectionId).sort()).toEqual(["a", "b", "c"]);

      await n2.presence.release([r("node-2", "c")]);
      expect(await n1.presence.claimCapped([r("node-1", "e"), r("node-1", "f")], 3, 60_000)).toEqual([true, false]);
      expect((await n1.presence.routesOf([user])).map((x) => x.connectionId).sort()).toEqual(["a", "b", "e"]);
    });

    it("claimCapped from several processes at once never passes the cap", async () => {
      await setup();
      const nodes = Array.from({ length: 4 }, () => backend.node());
      const user = randomUUID();
      const results = await Promise.all(
        nodes.flatMap((n, i) => [0, 1, 2].map((j) => n.presence.claimCapped([{ userId: user, nodeId: `node-${i}`, connectionId: `c${i}-${j}` }], 5, 60_000))),
      );
      expect(results.flat().filter(Boolean)).toHaveLength(5);
      expect(await nodes[0]!.presence.routesOf([user])).toHaveLength(5);
    });

    it("claimCapped: expired leases (a crashed node's) stop counting", async () => {
      await setup();
      const [dead, alive] = [backend.node(), backend.node()];
      const user = randomUUID();
      expect(await dead.presence.claimCapped([{ userId: user, nodeId: "node-dead", connectionId: "d1" }, { userId: user, nodeId: "node-dead", connectionId: "d2" }], 2, 200)).toEqual([true, true]);
      expect(await alive.presence.claimCapped([{ userId: user, nodeId: "node-alive", connectionId: "a1" }], 2, 60_000)).toEqual([false]);
      await eventually(async () => expect(await alive.presence.claimCapped([{ userId: user, nodeId: "node-alive", connectionId: "a1" }], 2, 60_000)).toEqual([true]), 10_000);
    });

    it("claimCapped refuses a bad cap, TTL or route with BAD_REQUEST and claims nothing", async () => {
      await setup();
      const n = backend.node();
      const user = randomUUID();
      const ok = { userId: user, nodeId: "node-1", connectionId: "c1" };
      for (const [routes, cap, ttl] of [
        [[ok], 0, 1000],
        [[ok], 1.5, 1000],
        [[ok], 1001, 1000],
        [[ok], 2, 0],
      ] as const) {
        await expect(n.presence.claimCapped([...routes], cap, ttl)).rejects.toMatchObject({ code: ErrorCode.BadRequest });
      }
      expect(await n.presence.routesOf([user])).toEqual([]);
      expect(await n.presence.claimCapped([], 2, 1000)).toEqual([]);
    });

    it("release is compare-and-delete: a stale node cannot remove a newer route", async () => {
      await setup();
      const [stale, current] = [backend.node(), backend.node()];
      const userId = randomUUID();
      await stale.presence.claim([{ userId, nodeId: "node-old", connectionId: "c1" }], 60_000);
      await current.presence.claim([{ userId, nodeId: "node-new", connectionId: "c1" }], 60_000);

      await stale.presence.release([{ userId, nodeId: "node-old", connectionId: "c1" }]);
      expect(await current.presence.routesOf([userId])).toEqual([{ userId, nodeId: "node-new", connectionId: "c1" }]);

      await current.presence.release([{ userId, nodeId: "node-new", connectionId: "c1" }]);
      await current.presence.release([{ userId, nodeId: "node-new", connectionId: "c1" }]);
      expect(await current.presence.routesOf([userId])).toEqual([]);
    });

    it("releases many at once, each compare-and-delete, and ignores ids that were never stored", async () => {
      await setup();
      const [stale, current] = [backend.node(), backend.node()];
      const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
      await current.presence.claim(
        [
          { userId: a, nodeId: "node-new", connectionId: "a1" },
          { userId: b, nodeId: "node-new", connectionId: "b1" },
          { userId: c, nodeId: "node-new", connectionId: "c1" },
        ],
        60_000,
      );
      // b's lease was taken over by node-new: the stale node's release of it must not remove it.
      await stale.presence.release([
        { userId: a, nodeId: "node-new", connectionId: "a1" },
        { userId: b, nodeId: "node-old", connectionId: "b1" },
        { userId: c, nodeId: "node-new", connectionId: "c1" },
        { userId: "not-a-uuid", nodeId: "node-new", connectionId: "x" },
      ]);
      expect(await current.presence.routesOf([a, b, c])).toEqual([{ userId: b, nodeId: "node-new", connectionId: "b1" }]);
      await current.presence.release([]);
      expect(await current.presence.routesOf([b])).toHaveLength(1);
    });

    it("releasing one connection keeps the user's others", async () => {
      await setup();
      const n = backend.node();
      const userId = randomUUID();
      await n.presence.claim(
        [
          { userId, nodeId: "node-1", connectionId: "tab-1" },
          { userId, nodeId: "node-1", connectionId: "tab-2" },
        ],
        60_000,
      );
      await n.presence.release([{ userId, nodeId: "node-1", connectionId: "tab-1" }]);
      expect(await n.presence.routesOf([userId])).toEqual([{ userId, nodeId: "node-1", connectionId: "tab-2" }]);
    });

    it("expired leases are not returned; renewed ones are", async () => {
      await setup();
      const n = backend.node();
      const [short, renewed] = [randomUUID(), randomUUID()];
      await n.presence.claim(
        [
          { userId: short, nodeId: "node-1", connectionId: "c1" },
          { userId: renewed, nodeId: "node-1", connectionId: "c2" },
        ],
        200,
      );
      await n.presence.claim([{ userId: renewed, nodeId: "node-1", connectionId: "c2" }], 60_000);
      await eventually(async () => expect(await n.presence.routesOf([short])).toEqual([]));
      expect(await n.presence.routesOf([short, renewed])).toEqual([{ userId: renewed, nodeId: "node-1", connectionId: "c2" }]);
    });

    it("a batch may name the same connection twice (last wins)", async () => {
      await setup();
      const n = backend.node();
      const userId = randomUUID();
      await n.presence.claim(
        [
          { userId, nodeId: "node-1", connectionId: "c1" },
          { userId, nodeId: "node-2", connectionId: "c1" },
        ],
        60_000,
      );
      expect(await n.presence.routesOf([userId])).toEqual([{ userId, nodeId: "node-2", connectionId: "c1" }]);
    });

    it("rejects a bad TTL with a typed error and changes nothing", async () => {
      await setup();
      const n = backend.node();
      const userId = randomUUID();
      for (const ttl of [0, -5, 1.5, Number.NaN]) {
        const err = await n.presence.claim([{ userId, nodeId: "node-1", connectionId: "c1" }], ttl).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(AppError);
        expect((err as AppError).code).toBe(ErrorCode.BadRequest);
      }
      expect(await n.presence.routesOf([userId])).toEqual([]);
    });
  });

  // ───────────────────────────── bus ─────────────────────────────
  describe("bus", () => {
    it("delivers every envelope, in order per conversation, only to its target", async () => {
      await setup();
      const [sender, target, other] = [backend.node(), backend.node(), backend.node()];
      const got: BusEnvelope[] = [];
      const otherGot: BusEnvelope[] = [];
      await target.bus.subscribe("node-t", async (e) => {
        // Uneven handler times: order must not depend on them.
        await sleep(Math.floor(Math.random() * 4));
        got.push(e);
      });
      await other.bus.subscribe("node-o", async (e) => {
        otherGot.push(e);
      });

      const conversations = [randomUUID(), randomUUID(), randomUUID()];
      const sent: BusEnvelope[] = [];
      for (let seq = 1; seq <= 20; seq++) {
        for (const c of conversations) sent.push(seq % 2 ? deliver(c, seq) : receipt(c, seq));
      }
      // Published without awaiting each: the bus itself must keep per-conversation order.
      await Promise.all(sent.map((e) => sender.bus.publish("node-t", e)));

      await eventually(() => expect(got).toHaveLength(sent.length));
      for (const c of conversations) {
        expect(got.filter((e) => "conversationId" in e && e.conversationId === c).map(seqOf)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      }
      expect(new Set(got.map((e) => JSON.stringify(e)))).toEqual(new Set(sent.map((e) => JSON.stringify(e))));
      expect(otherGot).toEqual([]);
    });

    it("carries an envelope far larger than a NOTIFY payload intact", async () => {
      await setup();
      const [sender, target] = [backend.node(), backend.node()];
      const got: BusEnvelope[] = [];
      await target.bus.subscribe("node-t", async (e) => {
        got.push(e);
      });
      const c = randomUUID();
      const body = "😀é字".repeat(1333); // ~4000 characters, ~12 kB of UTF-8
      const big = deliver(c, 1, body, Array.from({ length: 600 }, () => randomUUID()));
      const after = deliver(c, 2);
      await sender.bus.publish("node-t", big);
      await sender.bus.publish("node-t", after);
      await eventually(() => expect(got).toHaveLength(2));
      expect(got).toEqual([big, after]);
    });

    it("publishing to a node nobody consumes resolves (the message stays in PostgreSQL)", async () => {
      await setup();
      const sender = backend.node();
      await expect(sender.bus.publish("node-absent", deliver(randomUUID(), 1))).resolves.toBeUndefined();
    });

    it("a failing handler does not stop later envelopes", async () => {
      await setup();
      const [sender, target] = [backend.node(), backend.node()];
      const got: number[] = [];
      await target.bus.subscribe("node-t", async (e) => {
        if (seqOf(e) === 1) throw new Error("boom");
        got.push(seqOf(e));
      });
      const c = randomUUID();
      for (const seq of [1, 2, 3]) await sender.bus.publish("node-t", receipt(c, seq));
      await eventually(() => expect(got).toEqual([2, 3]));
    });

    it("removeInbox stops delivery until the node subscribes again", async () => {
      await setup();
      const [sender, target] = [backend.node(), backend.node()];
      const got: number[] = [];
      const handler = async (e: BusEnvelope) => {
        got.push(seqOf(e));
      };
      const c = randomUUID();
      await target.bus.subscribe("node-t", handler);
      await sender.bus.publish("node-t", receipt(c, 1));
      await eventually(() => expect(got).toEqual([1]));

      await target.bus.removeInbox?.("node-t");
      await target.bus.removeInbox?.("node-t");
      await sender.bus.publish("node-t", receipt(c, 2));
      await target.bus.subscribe("node-t", handler);
      await sender.bus.publish("node-t", receipt(c, 3));
      await eventually(() => expect(got).toContain(3));
      expect(got).toEqual([1, 3]);
    });

    it("close is idempotent and a closed bus refuses to publish", async () => {
      await setup();
      const n = backend.node();
      await n.bus.subscribe("node-x", async () => undefined);
      await n.bus.close();
      await n.bus.close();
      const err = await n.bus.publish("node-x", receipt(randomUUID(), 1)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
    });
  });
});
