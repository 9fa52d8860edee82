import { describe, expect, it } from "vitest";
import type { NodeInfo, Registration } from "@dim/infra";
import { ErrorCode, PROTOCOL_VERSION } from "@dim/shared";
import { verifySocketToken } from "@dim/shared/node";
import { leastConnections, random, roundRobin } from "../src/index";
import { expectAppError, TOKEN_SECRET, useTestGateway, type TestGateway } from "./helpers";

function nodeInfo(nodeId: string, port: number) {
  return {
    nodeId,
    host: "127.0.0.1",
    wsPort: port,
    httpPort: port,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    startedAt: new Date().toISOString(),
  };
}

/** Registers nodes in the gateway's in-memory registry; deregisters them after the test. */
async function withNodes(gw: TestGateway, ids: string[]): Promise<Map<string, Registration>> {
  const regs = new Map<string, Registration>();
  for (const [i, id] of ids.entries()) regs.set(id, await gw.infra.registry.register(nodeInfo(id, 7001 + i)));
  return regs;
}

async function dropAll(regs: Map<string, Registration>) {
  for (const reg of regs.values()) await reg.deregister();
}

describe("nodes.assign (round-robin)", () => {
  const gw = useTestGateway({ assignStrategy: "round-robin", socketTokenTtlMs: 30_000 });

  it("cycles through live nodes and returns a token bound to the chosen node", async () => {
    const { client, id } = await gw.register("rr_user");
    const regs = await withNodes(gw, ["node-2", "node-1", "node-3"]);
    const picks = [];
    for (let i = 0; i < 6; i++) picks.push((await client.nodes.assign.mutate()).nodeId);
    expect(picks).toEqual(["node-1", "node-2", "node-3", "node-1", "node-2", "node-3"]);

    const before = Date.now();
    const a = await client.nodes.assign.mutate({ exclude: [] });
    expect(a.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:700\d\/ws$/);
    expect(a.protocolVersion).toBe(PROTOCOL_VERSION);
    const exp = new Date(a.expiresAt).getTime();
    expect(exp).toBeGreaterThanOrEqual(before + 30_000);
    expect(exp).toBeLessThanOrEqual(Date.now() + 30_000);

    const claims = verifySocketToken(a.token, { nodeId: a.nodeId }, TOKEN_SECRET);
    expect(claims.sub).toBe(id);
    const other = a.nodeId === "node-1" ? "node-2" : "node-1";
    expect(() => verifySocketToken(a.token, { nodeId: other }, TOKEN_SECRET)).toThrow(/bound to node/);
    expect(() => verifySocketToken(a.token, { nodeId: a.nodeId }, "another-secret-0123456789")).toThrow(/signature/);
    expect(() => verifySocketToken(a.token, { nodeId: a.nodeId, now: exp }, TOKEN_SECRET)).toThrow(/expired/);
    await dropAll(regs);
  });

  it("excludes nodes the client reports dead, unless no other is live", async () => {
    const { client } = await gw.register("ex_user");
    const regs = await withNodes(gw, ["node-1", "node-2", "node-3"]);
    for (let i = 0; i < 6; i++) {
      expect((await client.nodes.assign.mutate({ exclude: ["node-1", "node-3"] })).nodeId).toBe("node-2");
    }
    // Everything excluded: a node it wrongly thought dead beats no node.
    const fallback = await client.nodes.assign.mutate({ exclude: ["node-1", "node-2", "node-3"] });
    expect(["node-1", "node-2", "node-3"]).toContain(fallback.nodeId);
    await regs.get("node-2")!.deregister();
    expect((await client.nodes.assign.mutate({ exclude: ["node-1"] })).nodeId).toBe("node-3");
    await dropAll(regs);
  });

  it("answers NO_NODE_AVAILABLE (503) when nothing is live, and UNAUTHORIZED without a session", async () => {
    const { client } = await gw.register("none_user");
    expect(await gw.infra.registry.liveNodes()).toEqual([]);
    const err = await expectAppError(client.nodes.assign.mutate(), ErrorCode.NoNodeAvailable);
    expect(err.data.httpStatus).toBe(503);
    const regs = await withNodes(gw, ["node-1"]);
    await expectAppError(gw.anon.nodes.assign.mutate(), ErrorCode.Unauthorized);
    gw.infra.hub.expireNode("node-1");
    await expectAppError(client.nodes.assign.mutate(), ErrorCode.NoNodeAvailable);
    await dropAll(regs);
  });

  it("rejects bad exclude lists", async () => {
    const { client } = await gw.register("bad_ex");
    await expectAppError(client.nodes.assign.mutate({ exclude: Array.from({ length: 17 }, (_, i) => `n${i}`) }), ErrorCode.BadRequest);
    await expectAppError(client.nodes.assign.mutate({ exclude: [""] }), ErrorCode.BadRequest);
    await expectAppError(client.nodes.assign.mutate({ exclude: ["node-1"], extra: 1 } as never), ErrorCode.BadRequest);
  });
});

describe("nodes.assign (least-connections)", () => {
  const gw = useTestGateway({ assignStrategy: "least-connections" });

  it("picks the node reporting the fewest connections, spreading ties", async () => {
    const { client } = await gw.register("lc_user");
    const regs = await withNodes(gw, ["node-1", "node-2", "node-3"]);
    regs.get("node-1")!.setConnections(10);
    regs.get("node-2")!.setConnections(3);
    regs.get("node-3")!.setConnections(7);
    for (let i = 0; i < 3; i++) expect((await client.nodes.assign.mutate()).nodeId).toBe("node-2");
    regs.get("node-3")!.setConnections(3);
    const picks = new Set<string>();
    for (let i = 0; i < 4; i++) picks.add((await client.nodes.assign.mutate()).nodeId);
    expect([...picks].sort()).toEqual(["node-2", "node-3"]);
    expect((await client.nodes.assign.mutate({ exclude: ["node-2", "node-3"] })).nodeId).toBe("node-1");
    await dropAll(regs);
  });
});

describe("nodes.assign (draining nodes)", () => {
  const gw = useTestGateway({ assignStrategy: "least-connections" });

  it("never assigns a draining node, even the least loaded or the only one not excluded", async () => {
    const { client } = await gw.register("drain_user");
    const regs = await withNodes(gw, ["node-1", "node-2"]);
    regs.get("node-1")!.setConnections(0);
    regs.get("node-2")!.setConnections(50);
    expect((await client.nodes.assign.mutate()).nodeId).toBe("node-1");
    await regs.get("node-1")!.setDraining();
    for (let i = 0; i < 5; i++) expect((await client.nodes.assign.mutate()).nodeId).toBe("node-2");
    // Excluding the only other node falls back to it, never to the draining one.
    expect((await client.nodes.assign.mutate({ exclude: ["node-2"] })).nodeId).toBe("node-2");
    await regs.get("node-2")!.setDraining();
    await expectAppError(client.nodes.assign.mutate(), ErrorCode.NoNodeAvailable);
    await dropAll(regs);
  });
});

describe("nodes.assign (random)", () => {
  const gw = useTestGateway({ assignStrategy: "random" });

  it("only ever picks live, non-excluded nodes", async () => {
    const { client } = await gw.register("rnd_user");
    const regs = await withNodes(gw, ["node-1", "node-2", "node-3"]);
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) seen.add((await client.nodes.assign.mutate({ exclude: ["node-3"] })).nodeId);
    expect([...seen].every((n) => n === "node-1" || n === "node-2")).toBe(true);
    // 40 fair draws all landing on one node has probability 2^-39.
    expect(seen.size).toBe(2);
    await dropAll(regs);
  });
});

describe("assign strategies (unit)", () => {
  const nodes: NodeInfo[] = ["b", "a", "c"].map((id, i) => ({ ...nodeInfo(id, 7000 + i), epoch: 1, connections: [5, 5, 1][i]! }));

  it("round-robin is ordered by node id", () => {
    const s = roundRobin();
    expect([1, 2, 3, 4].map(() => s.pick(nodes).nodeId)).toEqual(["a", "b", "c", "a"]);
  });

  it("random uses its source of randomness", () => {
    expect(random(() => 0).pick(nodes).nodeId).toBe("b");
    expect(random(() => 0.999).pick(nodes).nodeId).toBe("c");
  });

  it("least-connections takes the minimum", () => {
    expect(leastConnections().pick(nodes).nodeId).toBe("c");
  });
});
