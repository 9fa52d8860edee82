/**
 * `kill -9` of a core node process in the middle of traffic, on real Kafka, ZooKeeper, Redis and
 * PostgreSQL: its clients reconnect through the gateway to the other nodes and sync; every
 * message a sender saw ACKed arrives exactly once and in order; the dead node leaves the live set
 * when its ZooKeeper session expires and its Redis leases expire.
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "@dim/client";
import { ArrivalLog, expectExactlyOnceInOrder } from "./verify";
import { eventually, nodeOf, Sender, TEST_NODE_ENV, useSystem, type Person } from "./system";

const system = useSystem({ label: "kill9", nodes: 3 });

interface Pair {
  people: [Person, Person];
  clients: [DimClient, DimClient];
  conversationId: string;
  senders: [Sender, Sender];
  arrivals: [ArrivalLog, ArrivalLog];
}

describe("kill -9 of a core node during traffic", () => {
  it("loses and doubles nothing that was ACKed; its clients move to the other nodes; it leaves ZooKeeper and Redis", async () => {
    // Three pairs talking both ways; connected one after another, round-robin puts two clients
    // on each node and the two people of a pair on different nodes.
    const pairs: Pair[] = [];
    for (let i = 1; i <= 3; i++) {
      const people = (await Promise.all([system.register(`p${i}a`), system.register(`p${i}b`)])) as [Person, Person];
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
    for (const pair of pairs) expect(nodeOf(pair.clients[0])).not.toBe(nodeOf(pair.clients[1]));
    const allClients = pairs.flatMap((p) => p.clients);
    const allSenders = pairs.flatMap((p) => p.senders);

    for (const s of allSenders) s.start(80);
    await eventually(() => {
      const slow = allSenders.filter((s) => s.acked.size < 10);
      if (slow.length > 0) throw new Error(`${slow.length} senders below 10 ACKed`);
    }, "traffic on every pair");

    // The crash.
    const victimId = nodeOf(pairs[0]!.clients[0]);
    const victim = system.node(victimId);
    const orphans = allClients.filter((c) => nodeOf(c) === victimId);
    expect(orphans.length).toBeGreaterThan(0);
    const ackedAtKill = new Map(allSenders.map((s) => [s, s.acked.size]));
    await victim.kill9();

    // Its clients reconnect through the gateway to the other nodes, and traffic goes on.
    await eventually(() => {
      for (const c of orphans) {
        const s = c.connectionState;
        if (s.status !== "connected" || s.nodeId === victimId) throw new Error(`a client is ${s.status}`);
      }
    }, "the dead node's clients to reconnect elsewhere");
    await eventually(() => {
      const slow = allSenders.filter((s) => s.acked.size < ackedAtKill.get(s)! + 10);
      if (slow.length > 0) throw new Error(`${slow.length} senders below 10 more ACKed`);
    }, "traffic after the crash", 60_000);
    await Promise.all(allSenders.map((s) => s.settle()));

    // Every ACKed message, exactly once and in order, on both sides, and in PostgreSQL.
    for (const pair of pairs) {
      for (const i of [0, 1] as const) {
        const { stored } = await expectExactlyOnceInOrder({
          system,
          conversationId: pair.conversationId,
          recipient: pair.clients[i],
          arrivals: pair.arrivals[i],
          senders: pair.senders,
        });
        // at least 10 + 10 from each of the two senders
        expect(stored).toBeGreaterThanOrEqual(40);
      }
    }

    // Nothing is assigned to the dead node once its ZooKeeper session expired …
    await eventually(
      async () => {
        if ((await system.liveNodeIds()).includes(victimId)) throw new Error("still live");
      },
      "the dead node's session to expire",
      4 * Number(TEST_NODE_ENV.DIM_REGISTRY_TTL_MS),
    );
    const picks = new Set<string>();
    for (let i = 0; i < 30; i++) picks.add((await pairs[0]!.people[0].api.nodes.assign.mutate({ exclude: [] })).nodeId);
    expect(picks.has(victimId)).toBe(false);
    expect(picks.size).toBe(2);

    // … and its Redis leases are gone (expired: nobody refreshes them).
    const userIds = pairs.flatMap((p) => p.people.map((x) => x.id));
    await eventually(
      async () => {
        const stale = (await system.gatewayInfra.presence.routesOf(userIds)).filter((r) => r.nodeId === victimId);
        if (stale.length > 0) throw new Error(`${stale.length} leases still on the dead node`);
      },
      "the dead node's leases to expire",
      4 * Number(TEST_NODE_ENV.DIM_PRESENCE_TTL_MS),
    );
    // Every person is still reachable on a live node.
    const routes = await system.gatewayInfra.presence.routesOf(userIds);
    expect(new Set(routes.map((r) => r.userId)).size).toBe(userIds.length);
  });
});
