/**
 * One group across three core node processes on real Kafka, ZooKeeper, Redis and PostgreSQL,
 * with `kill -9` of one node in the middle of traffic: every member (the dead node's ones
 * reconnect through the gateway to the others and sync) ends up holding exactly the stored
 * messages of the group, in seq order, each announced once, and every message a sender saw
 * ACKed is stored once with the seq it was told.
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "@dim/client";
import { ArrivalLog, expectExactlyOnceInOrder } from "./verify";
import { eventually, nodeOf, Sender, useSystem, type Person } from "./system";

const system = useSystem({ label: "groupkill9", nodes: 3 });

describe("a group across three nodes, kill -9 of one during traffic", () => {
  it("loses and doubles nothing that was ACKed, for any member", async () => {
    const owner = await system.register("owner");
    const others: Person[] = [];
    for (let i = 1; i <= 5; i++) {
      const p = await system.register(`m${i}`);
      await system.befriend(owner, p);
      others.push(p);
    }
    const { conversation } = await owner.api.groups.create.mutate({ title: "kill -9", memberIds: others.map((p) => p.id) });
    const g = conversation.id;
    const people = [owner, ...others];
    const clients: DimClient[] = people.map((p) => system.client(p));
    const arrivals = clients.map((c) => new ArrivalLog(c, g));
    // connected one after another: round-robin puts two members on each node
    for (const c of clients) await c.connect();
    expect(new Set(clients.map(nodeOf)).size).toBe(3);

    const senders = [0, 1, 2].map((i) => new Sender(clients[i]!, g, `s${i}`));
    for (const s of senders) s.start(80);
    await eventually(() => {
      const slow = senders.filter((s) => s.acked.size < 10);
      if (slow.length > 0) throw new Error(`${slow.length} senders below 10 ACKed`);
    }, "traffic in the group");

    const victimId = nodeOf(clients[1]!);
    const orphans = clients.filter((c) => nodeOf(c) === victimId);
    const ackedAtKill = new Map(senders.map((s) => [s, s.acked.size]));
    await system.node(victimId).kill9();

    await eventually(() => {
      for (const c of orphans) {
        const s = c.connectionState;
        if (s.status !== "connected" || s.nodeId === victimId) throw new Error(`a client is ${s.status}`);
      }
    }, "the dead node's clients to reconnect elsewhere");
    await eventually(
      () => {
        const slow = senders.filter((s) => s.acked.size < ackedAtKill.get(s)! + 10);
        if (slow.length > 0) throw new Error(`${slow.length} senders below 10 more ACKed`);
      },
      "traffic after the crash",
      60_000,
    );
    await Promise.all(senders.map((s) => s.settle()));

    for (const [i, client] of clients.entries()) {
      const { stored } = await expectExactlyOnceInOrder({ system, conversationId: g, recipient: client, arrivals: arrivals[i]!, senders });
      // group.created + at least 20 from each of the three senders
      expect(stored).toBeGreaterThanOrEqual(61);
    }
  });
});
