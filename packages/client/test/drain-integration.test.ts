/**
 * Drain with the real DimClient (real-stack.ts: real gateway, real core nodes, real PostgreSQL):
 * while people chat, one node drains; its clients move to the other node in waves (4504, not
 * treated as a crash), and every message — acknowledged before, during or after — ends up stored
 * once and shown once on both sides, in seq order.
 */
import { describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { until } from "../src/testing";
import type { DimClient } from "../src";
import { befriend, clientFor, eventually, nodeOf, nodes, register, useRealStack } from "./real-stack";

useRealStack();

interface Pair {
  conversationId: string;
  a: DimClient;
  b: DimClient;
}

describe("drain with real clients", () => {
  it("clients move off a draining node in waves; nothing acknowledged is lost or duplicated while traffic flows", async () => {
    const pairs: Pair[] = [];
    for (let i = 0; i < 4; i++) {
      const alice = await register(`dra${i}`);
      const bob = await register(`drb${i}`);
      const conversationId = await befriend(alice, bob);
      const a = clientFor(alice);
      const b = clientFor(bob);
      await a.connect();
      await b.connect();
      pairs.push({ conversationId, a, b });
    }
    const clients = pairs.flatMap((p) => [p.a, p.b]);
    // Round-robin over two nodes: some clients on each.
    const doomed = nodes.find((n) => n.nodeId === "node-one")!;
    const onDoomed = clients.filter((c) => nodeOf(c) === doomed.nodeId);
    expect(onDoomed.length).toBeGreaterThan(0);

    const senderOf = new Map<string, DimClient>(); // clientMsgId → the client that sent it
    const sent = new Map<string, string[]>(); // conversationId → clientMsgIds, send order
    let traffic = true;
    const sender = (async () => {
      for (let round = 0; traffic || round < 5; round++) {
        for (const p of pairs) {
          const from = round % 2 === 0 ? p.a : p.b;
          const m = from.send(p.conversationId, `m${round}`);
          senderOf.set(m.clientMsgId, from);
          (sent.get(p.conversationId) ?? sent.set(p.conversationId, []).get(p.conversationId)!).push(m.clientMsgId);
        }
        await sleep(25);
      }
    })();

    await sleep(150);
    const draining = doomed.node.drain(1500);
    expect(doomed.node.isAccepting).toBe(false);
    await draining;
    traffic = false;
    await sender;

    for (const c of clients) {
      if (c.connectionState.status !== "connected") await until(c, "state", (s) => s.status === "connected", "reconnected");
      expect(nodeOf(c)).toBe("node-two");
    }
    for (const p of pairs) {
      const ids = sent.get(p.conversationId)!;
      for (const c of [p.a, p.b]) {
        await eventually(
          c,
          () => c.outbox.length === 0 && c.conversationMessages(p.conversationId).length >= ids.length,
          `all ${ids.length} messages acknowledged and held`,
          20_000,
        );
        const held = c.conversationMessages(p.conversationId);
        // Exactly once each, in seq order 1..n: nothing lost, nothing duplicated.
        expect(held.map((m) => m.seq)).toEqual(ids.map((_, i) => i + 1));
        expect(new Set(held.map((m) => m.clientMsgId))).toEqual(new Set(ids));
        // Every one of its own is acknowledged (sent, or further along).
        for (const m of held.filter((m) => senderOf.get(m.clientMsgId) === c)) expect(["sent", "delivered", "read"]).toContain(m.state);
      }
    }
    // The drained node stopped (gone from the live set: its clients had to go elsewhere).
    expect(doomed.node.connectionCount).toBe(0);
  });
});
