/**
 * A burst of connects: the presence leases of sockets that authenticate while a claim is in
 * flight go out together in the next Presence.claimCapped call, every socket still gets its welcome
 * after its lease is stored, and a failed claim fails only the sockets it carried. (The claims
 * of new sockets are Presence.claimCapped calls: the per-user socket cap.)
 */
import { describe, expect, it, vi } from "vitest";
import { MemoryHub, type Presence, type Route } from "@dim/infra";
import { CloseCode } from "@dim/shared";
import { connectAs, createUser, openSocket, startNode, tokenFor, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

/** The node's real presence, with each claim call recorded and the first one held until `open()`. */
function recording(inner: Presence) {
  const calls: Route[][] = [];
  let open!: () => void;
  const gate = new Promise<void>((r) => (open = r));
  let failNext: Error | undefined;
  const presence: Presence = {
    claim: (routes, ttlMs) => inner.claim(routes, ttlMs),
    async claimCapped(routes, maxPerUser, ttlMs) {
      calls.push([...routes]);
      if (calls.length === 1) await gate;
      const err = failNext;
      failNext = undefined;
      if (err) throw err;
      return inner.claimCapped(routes, maxPerUser, ttlMs);
    },
    release: (routes) => inner.release(routes),
    routesOf: (ids) => inner.routesOf(ids),
    close: () => inner.close(),
  };
  return { presence, calls, open, failNextClaim: (err: Error) => (failNext = err) };
}

describe("a burst of connects", () => {
  it("claims the leases of the sockets that authenticated meanwhile in one call", async () => {
    let rec!: ReturnType<typeof recording>;
    const node = await startNode(db, new MemoryHub(), { presence: (p) => (rec = recording(p)).presence });
    const users = await Promise.all(Array.from({ length: 30 }, () => createUser(db.prisma)));
    const welcomes = Promise.all(users.map((u) => connectAs(node, u)));
    // Every socket is bound to its user (counted) before its claim goes out; the first claim is held.
    await vi.waitFor(() => expect(node.node.connectionCount).toBe(users.length), { timeout: 10_000 });
    expect(rec.calls).toHaveLength(1);
    rec.open();
    await welcomes;

    expect(rec.calls.length).toBe(2);
    expect(rec.calls.flat().map((r) => r.userId).sort()).toEqual([...users].sort());
    const live = await node.infra.presence.routesOf(users);
    expect(live.map((r) => r.userId).sort()).toEqual([...users].sort());
  });

  it("a failed claim closes only the sockets it carried; the next connect is leased", async () => {
    let rec!: ReturnType<typeof recording>;
    const node = await startNode(db, new MemoryHub(), { presence: (p) => (rec = recording(p)).presence });
    rec.open();
    rec.failNextClaim(new Error("presence unavailable"));
    const unlucky = await createUser(db.prisma);
    const client = await openSocket(node);
    client.send({ type: "auth", v: 1, token: tokenFor(unlucky, node.nodeId) });
    expect(await client.next("error")).toMatchObject({ code: "INTERNAL", ref: "auth" });
    expect((await client.waitClosed()).code).toBe(CloseCode.NodeShuttingDown);

    const lucky = await createUser(db.prisma);
    await connectAs(node, lucky);
    expect(await node.infra.presence.routesOf([unlucky, lucky])).toEqual([expect.objectContaining({ userId: lucky, nodeId: node.nodeId })]);
  });
});
