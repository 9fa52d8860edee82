/**
 * Drain of a core node process (SIGTERM) in the middle of traffic, on real Kafka, ZooKeeper,
 * Redis and PostgreSQL: the gateway stops assigning it at once (the draining flag in its znode),
 * its clients move to the other nodes, and every message a sender saw ACKed arrives exactly once
 * and in order.
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "@dim/client";
import { ArrivalLog, expectExactlyOnceInOrder } from "./verify";
import { eventually, nodeOf, Sender, useSystem, type Person } from "./system";

const system = useSystem({ label: "drain", nodes: 3, nodeEnv: { DIM_DRAIN_MS: "3000" } });

describe("drain of a core node during traffic", () => {
  it("no new assignments at once; its clients move; nothing ACKed is lost or doubled; it stops", async () => {
    const pairs: Array<{ people: [Person, Person]; clients: [DimClient, DimClient]; conversationId: string; senders: [Sender, Sender]; arrivals: [ArrivalLog, ArrivalLog] }> = [];
    for (let i = 1; i <= 3; i++) {
      const people = (await Promise.all([system.register(`d${i}a`), system.register(`d${i}b`)])) as [Person, Person];
      const conversationId = await system.befriend(people[0], people[1]);
      const clients = [system.client(people[0]), system.client(people[1])] as [DimClient, DimClient];
      pairs.push({
        people,
        clients,
        conversationId,
        senders: [new Sender(clients[0], conversationId, `${i}a→b`), new Sender(clients[1], conversationId, `${i}b→a`)],
        arrivals: [new ArrivalLog(clients[0], conversationId), new ArrivalLog(clients[1], conversationId)],
      });
    }
    for (const pair of pairs) for (const client of pair.clients) await client.connect();
    const allClients = pairs.flatMap((p) => p.clients);
    const allSenders = pairs.flatMap((p) => p.senders);
    for (const s of allSenders) s.start(80);
    await eventually(() => {
      if (allSenders.some((s) => s.acked.size < 10)) throw new Error("still warming up");
    }, "traffic on every pair");

    const victimId = nodeOf(allClients[0]!);
    const victim = system.node(victimId);
    const movers = allClients.filter((c) => nodeOf(c) === victimId);
    const ackedAtDrain = new Map(allSenders.map((s) => [s, s.acked.size]));
    victim.child.kill("SIGTERM");

    // The gateway's watched live set marks it draining: never assigned again.
    await eventually(async () => {
      const me = (await system.gatewayInfra.registry.liveNodes()).find((n) => n.nodeId === victimId);
      if (!me?.draining) throw new Error("not marked draining yet");
    }, "the draining flag to reach the gateway", 10_000);
    for (let i = 0; i < 20; i++) expect((await pairs[0]!.people[0].api.nodes.assign.mutate({ exclude: [] })).nodeId).not.toBe(victimId);

    await eventually(() => {
      for (const c of movers) {
        const s = c.connectionState;
        if (s.status !== "connected" || s.nodeId === victimId) throw new Error(`a client is ${s.status}`);
      }
    }, "the drained node's clients to move", 30_000);
    expect((await victim.exited).code).toBe(0);
    await eventually(() => {
      if (allSenders.some((s) => s.acked.size < ackedAtDrain.get(s)! + 10)) throw new Error("still sending");
    }, "traffic after the drain", 60_000);
    await Promise.all(allSenders.map((s) => s.settle()));
    for (const s of allSenders) expect([...s.failed], `${s.label}: no send failed`).toEqual([]);
    for (const pair of pairs) {
      for (const i of [0, 1] as const) {
        await expectExactlyOnceInOrder({ system, conversationId: pair.conversationId, recipient: pair.clients[i], arrivals: pair.arrivals[i], senders: pair.senders });
      }
    }
    expect(await system.liveNodeIds()).not.toContain(victimId);
    for (const s of allSenders) s.dispose();
    for (const pair of pairs) for (const a of pair.arrivals) a.dispose();
  });
});
