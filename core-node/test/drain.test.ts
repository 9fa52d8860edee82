/**
 * Drain (docs/operations.md): a draining node is marked in the registry at once (no new
 * assignments, no new sockets), closes its sockets with 4504 in waves over the window — never
 * all at once — answering the frames it already read first, then stops. stop() during a drain
 * closes the rest at once (4503).
 */
import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { createMemoryInfra, MemoryHub } from "@dim/infra";
import { CloseCode } from "@dim/shared";
import type { MessageStore } from "@dim/db";
import { clientMsgId, connectAs, createConversation, createUser, openSocket, startCluster, startNode, useTestDatabase } from "./helpers/cluster";
import type { TestClient } from "./helpers/test-client";

const db = useTestDatabase();

/** `count` authenticated sockets on the node, spread over a few users; each records when it closed. */
async function sockets(node: { nodeId: string; wsUrl: string }, count: number, users = Math.ceil(count / 10)) {
  const ids = await Promise.all(Array.from({ length: users }, () => createUser(db.prisma)));
  const out: Array<{ client: TestClient; closedAt?: number; code?: number }> = [];
  for (let i = 0; i < count; i += 20) {
    const batch = await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => connectAs(node, ids[(i + j) % users]!)));
    for (const { client } of batch) {
      const entry: { client: TestClient; closedAt?: number; code?: number } = { client };
      void client.closed.then((e) => {
        entry.closedAt = performance.now();
        entry.code = e.code;
      });
      out.push(entry);
    }
  }
  return out;
}

/** The most closes seen in any `sliceMs` window (starting at each close). */
function maxInSlice(times: number[], sliceMs: number): number {
  const t = [...times].sort((x, y) => x - y);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[j]! < t[i]! - sliceMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("drain", () => {
  it("stops assignments at once, refuses new sockets, closes 200 sockets over the window (not at once), then stops", async () => {
    const { hub, a, b } = await startCluster(db);
    const all = await sockets(a, 200);
    // What the gateway reads: the live set of the same hub, through handles of its own.
    const gateway = createMemoryInfra(hub);
    const drained = a.node.drain(2000);
    // At once: before a single wave, the registry says draining and the node takes no one.
    const live = await gateway.registry.liveNodes();
    expect(live.map((n) => [n.nodeId, n.draining ?? false]).sort()).toEqual([
      [a.nodeId, true],
      [b.nodeId, false],
    ].sort());
    expect(a.node.isAccepting).toBe(false);
    expect(a.node.isDraining).toBe(true);
    // A socket the gateway could not have sent here any more is refused at the upgrade.
    await expect(openSocket(a)).rejects.toThrow(/HTTP 503/);

    await drained;
    expect(all.every((s) => s.code === CloseCode.NodeDraining)).toBe(true);
    const times = all.map((s) => s.closedAt!);
    // Even share: 20 per 200 ms. A loaded machine bunches a few waves; all at once would be 200.
    const worst = maxInSlice(times, 200);
    expect(worst).toBeLessThanOrEqual(80);
    // Spread over most of the window (lower bound only: load can only stretch it).
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1200);
    // Then it stopped: gone from the live set.
    const after = await gateway.registry.liveNodes();
    expect(after.map((n) => n.nodeId)).toEqual([b.nodeId]);
    expect(((await (await fetch(b.httpUrl("/healthz"))).json()) as { phase: string }).phase).toBe("running");
    await gateway.close();
  });

  it("a send being stored when its socket is drained gets its `sent` before the 4504 close", async () => {
    const hub = new MemoryHub();
    let release: (() => void) | undefined;
    const held = new Promise<void>((r) => (release = r));
    let appending = 0;
    const slowStore = (s: MessageStore): MessageStore =>
      new Proxy(s, {
        get(target, prop, receiver) {
          if (prop === "append") {
            return async (...args: Parameters<MessageStore["append"]>) => {
              appending++;
              await held;
              return target.append(...args);
            };
          }
          const v = Reflect.get(target, prop, receiver) as unknown;
          return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        },
      });
    const node = await startNode(db, hub, { store: slowStore });
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client } = await connectAs(node, alice);
    const id = clientMsgId();
    client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "in flight" });
    while (appending === 0) await new Promise((r) => setTimeout(r, 5));
    const drained = node.node.drain(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(client.ws.readyState).toBe(client.ws.OPEN); // waiting for the append, not closed under it
    release!();
    const sent = await client.next("sent", (f) => f.clientMsgId === id);
    expect(sent.seq).toBe(1);
    expect((await client.waitClosed()).code).toBe(CloseCode.NodeDraining);
    await drained;
    const frames = client.frames.map((f) => f.type);
    expect(frames.indexOf("sent")).toBeGreaterThan(-1);
  });

  it("stop() during a drain closes the remaining sockets at once with 4503", async () => {
    const { a } = await startCluster(db);
    const all = await sockets(a, 40, 4); // 10 sockets per user: DIM_MAX_SOCKETS_PER_USER
    const drained = a.node.drain(60_000);
    await new Promise((r) => setTimeout(r, 200));
    const stillOpen = all.filter((s) => s.code === undefined).length;
    expect(stillOpen).toBeGreaterThan(30); // a 60 s window closed at most a few in 200 ms
    await a.node.stop();
    await drained; // the drain ends with the stop
    await Promise.all(all.map((s) => s.client.closed));
    const codes = all.map((s) => s.code);
    expect(codes.filter((c) => c === CloseCode.NodeShuttingDown).length).toBe(stillOpen);
    expect(codes.every((c) => c === CloseCode.NodeShuttingDown || c === CloseCode.NodeDraining)).toBe(true);
  });

  it("POST /admin/drain on the metrics listener drains the node; other methods and paths are refused", async () => {
    const node = await startNode(db, new MemoryHub(), {
      metricsListener: { enabled: true, host: "127.0.0.1", port: 0, token: undefined },
      config: { drainMs: 0 },
    });
    const admin = node.metricsUrl!.replace(/\/metrics$/, "/admin/drain");
    expect((await fetch(admin)).status).toBe(405);
    expect((await fetch(admin.replace("drain", "nope"), { method: "POST" })).status).toBe(404);
    const alice = await createUser(db.prisma);
    const { client } = await connectAs(node, alice);
    expect((await fetch(admin, { method: "POST" })).status).toBe(202);
    expect((await client.waitClosed()).code).toBe(CloseCode.NodeDraining);
    // Drained and stopped: a new socket cannot even connect.
    await expect(openSocket(node)).rejects.toThrow();
  });

  it("with a metrics token, POST /admin/drain needs it too", async () => {
    const token = "drain-admin-token-0123456789abcdef";
    const node = await startNode(db, new MemoryHub(), { metricsListener: { enabled: true, host: "127.0.0.1", port: 0, token }, config: { drainMs: 0 } });
    const admin = node.metricsUrl!.replace(/\/metrics$/, "/admin/drain");
    expect((await fetch(admin, { method: "POST" })).status).toBe(401);
    expect((await fetch(admin, { method: "POST", headers: { authorization: "Bearer wrong" } })).status).toBe(401);
    expect(node.node.isAccepting).toBe(true);
    expect((await fetch(admin, { method: "POST", headers: { authorization: `Bearer ${token}` } })).status).toBe(202);
    await expect.poll(() => node.node.isAccepting).toBe(false);
  });
});
