/**
 * The admin page's node operations on real Kafka, ZooKeeper, Redis and PostgreSQL, through the
 * gateway: admin.nodes shows each node process's message rates (reported in its ZooKeeper znode),
 * and admin.drainNode drains one node process over the bus (its Kafka topic): it is marked
 * draining, its clients move to the other node, and its process exits by itself (code 0).
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "@dim/client";
import { toAppError } from "@dim/client";
import { eventually, nodeOf, Sender, useSystem, type Person } from "./system";

const system = useSystem({ label: "admin", nodes: 2, nodeEnv: { DIM_DRAIN_MS: "1000" } });

describe("admin node operations across node processes", () => {
  it("shows message rates per node and drains the node an admin picks; a normal user is FORBIDDEN", async () => {
    const root = await system.register("root"); // the first account: the admin
    const people = (await Promise.all([system.register("ra"), system.register("rb")])) as [Person, Person];
    const conversationId = await system.befriend(people[0], people[1]);
    const clients = [system.client(people[0]), system.client(people[1])] as [DimClient, DimClient];
    for (const c of clients) await c.connect();
    expect(nodeOf(clients[0])).not.toBe(nodeOf(clients[1]));
    const sender = new Sender(clients[0], conversationId, "a→b");
    sender.start(50);

    // The sender's node takes messages in, the recipient's pushes them out: both show in admin.nodes.
    const [inNode, outNode] = [nodeOf(clients[0]), nodeOf(clients[1])];
    await eventually(
      async () => {
        const nodes = (await root.api.admin.nodes.query()).nodes;
        const byId = new Map(nodes.map((n) => [n.nodeId, n]));
        if (!(byId.get(inNode)!.messagesInPerSec > 0 && byId.get(outNode)!.messagesOutPerSec > 0)) throw new Error(JSON.stringify(nodes));
      },
      "message rates in admin.nodes",
      60_000,
    );
    sender.stop();
    await sender.settle();

    // A normal user cannot drain.
    const refused = await people[0].api.admin.drainNode.mutate({ nodeId: outNode, epoch: 1 }).then(() => null, (e: unknown) => toAppError(e).code);
    expect(refused).toBe("FORBIDDEN");

    // The admin drains the recipient's node: over the bus, as SIGTERM would.
    const victim = system.node(outNode);
    const { epoch } = (await root.api.admin.nodes.query()).nodes.find((n) => n.nodeId === outNode)!;
    expect(await root.api.admin.drainNode.mutate({ nodeId: outNode, epoch })).toEqual({ nodeId: outNode, epoch, alreadyDraining: false });
    expect(await victim.exited).toEqual({ code: 0, signal: null });
    await system.waitLive([inNode]);
    await eventually(() => {
      const s = clients[1].connectionState;
      if (s.status !== "connected" || s.nodeId !== inNode) throw new Error(`the moved client is ${s.status}`);
    }, "the drained node's client on the other node");
    const [entry] = (await root.api.admin.audit.query({ limit: 1 })).entries;
    expect(entry).toMatchObject({ actor: root.username, action: "drain", target: outNode, details: { epoch } });
  });
});
