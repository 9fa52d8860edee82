/**
 * Cluster mode, end to end: a standalone gateway and three core node processes on real Kafka,
 * ZooKeeper, Redis and PostgreSQL; people chat through @dim/client over real sockets.
 */
import { randomUUID } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { describe, expect, it } from "vitest";
import { ArrivalLog, expectExactlyOnceInOrder } from "./verify";
import { eventually, heldMessages, nodeOf, Sender, topicOf, useSystem } from "./system";

const system = useSystem({ label: "chat", nodes: 3 });

describe("cluster mode: gateway + three core node processes", () => {
  it("people on three different nodes chat: in order, once each, and delivered/read reach the sender", async () => {
    const [alice, bob, carol] = await Promise.all([system.register("alice"), system.register("bob"), system.register("carol")]);
    const ab = await system.befriend(alice, bob);
    const ac = await system.befriend(alice, carol);
    const a = system.client(alice);
    const b = system.client(bob);
    const c = system.client(carol);
    // One after another: round-robin over three live nodes puts each on its own node.
    await a.connect();
    await b.connect();
    await c.connect();
    expect(new Set([nodeOf(a), nodeOf(b), nodeOf(c)]).size).toBe(3);

    const arrivalsB = new ArrivalLog(b, ab);
    const arrivalsC = new ArrivalLog(c, ac);
    const arrivalsA = new ArrivalLog(a, ab);
    const toBob = new Sender(a, ab, "a→b");
    const toCarol = new Sender(a, ac, "a→c");
    const fromBob = new Sender(b, ab, "b→a");
    for (const s of [toBob, toCarol, fromBob]) s.start(80); // well under the per-socket frame rate limit
    await eventually(() => {
      if (toBob.acked.size < 20 || toCarol.acked.size < 20 || fromBob.acked.size < 20) throw new Error("still sending");
    }, "20 ACKed messages from each sender");
    await Promise.all([toBob.settle(), toCarol.settle(), fromBob.settle()]);

    const { stored } = await expectExactlyOnceInOrder({ system, conversationId: ab, recipient: b, arrivals: arrivalsB, senders: [toBob, fromBob] });
    await expectExactlyOnceInOrder({ system, conversationId: ab, recipient: a, arrivals: arrivalsA, senders: [toBob, fromBob] });
    await expectExactlyOnceInOrder({ system, conversationId: ac, recipient: c, arrivals: arrivalsC, senders: [toCarol] });

    // Bob's and carol's ACKs (from other nodes, through Kafka) make alice's messages delivered …
    const own = (conversationId: string) => heldMessages(a, conversationId).filter((m) => m.own);
    await eventually(() => {
      const states = [...own(ab), ...own(ac)].map((m) => m.state);
      if (!states.every((s) => s === "delivered")) throw new Error(`states: ${[...new Set(states)].join(",")}`);
    }, "every message of alice delivered");
    // … and their reads make them read.
    b.markRead(ab, stored);
    c.markRead(ac, heldMessages(c, ac).at(-1)!.seq!);
    await eventually(() => {
      const states = [...own(ab), ...own(ac)].map((m) => m.state);
      if (!states.every((s) => s === "read")) throw new Error(`states: ${[...new Set(states)].join(",")}`);
    }, "every message of alice read");
    // Bob's messages reached alice on another node and alice's ACKs came back to bob.
    await eventually(() => {
      const states = heldMessages(b, ab).filter((m) => m.own).map((m) => m.state);
      if (!states.every((s) => s === "delivered")) throw new Error(`states: ${[...new Set(states)].join(",")}`);
    }, "every message of bob delivered");
  });

  it("each node's topic exists with the configured partitions, and its records are keyed by conversation", async () => {
    const [alice, bob] = await Promise.all([system.register("dora"), system.register("ed")]);
    const conversationId = await system.befriend(alice, bob);
    const a = system.client(alice);
    const b = system.client(bob);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));
    const sender = new Sender(a, conversationId, "keyed");
    sender.start(40);
    await eventually(() => {
      if (sender.acked.size < 10) throw new Error("still sending");
    }, "10 ACKed messages");
    await sender.settle();
    await eventually(() => {
      if (heldMessages(b, conversationId).length < sender.acked.size) throw new Error("not all delivered");
    }, "bob to hold them");

    const kafka = new Kafka({ clientId: "dim-systest", brokers: system.state.kafka.brokers.split(","), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const groupId = `systest-inspect-${randomUUID()}`;
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    try {
      const nodeIds = (await system.liveNodeIds()).filter((id) => system.nodes.has(id));
      const meta = await admin.fetchTopicMetadata({ topics: nodeIds.map(topicOf) });
      expect(meta.topics.map((t) => [t.name, t.partitions.length]).sort()).toEqual(nodeIds.map((id) => [topicOf(id), 3]).sort());

      // Read bob's node's topic from the start with a group of our own.
      const topic = topicOf(nodeOf(b));
      const records: Array<{ partition: number; key: string | null; expectedKey: string; conversationId: string; type: string }> = [];
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          const value = JSON.parse(message.value!.toString("utf8")) as { conversationId?: string; from?: string; type: string };
          // Route announcements (routes.changed / routes.ack) are keyed by their sending node, a
          // node's presence changes by `presence:<node>` (docs/cluster.md); the rest by conversation.
          const expectedKey = value.type.startsWith("routes.") ? `node:${value.from}` : value.type === "presence" ? `presence:${value.from}` : value.conversationId;
          records.push({ partition, key: message.key?.toString("utf8") ?? null, expectedKey: expectedKey ?? "", conversationId: value.conversationId ?? "", type: value.type });
        },
      });
      await eventually(() => {
        const ours = records.filter((r) => r.conversationId === conversationId && r.type === "deliver");
        if (ours.length < sender.acked.size) throw new Error(`${ours.length} deliver records of ${sender.acked.size}`);
      }, "the deliver records of our conversation");
      for (const r of records) expect(r.key, "record key = its conversation (its node for route announcements and presence)").toBe(r.expectedKey);
      const partitions = new Set(records.filter((r) => r.conversationId === conversationId).map((r) => r.partition));
      expect(partitions.size, "one conversation, one partition").toBe(1);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      await admin.deleteGroups([groupId]).catch(() => undefined);
      await admin.disconnect();
    }
  });

  it("the gateway follows ZooKeeper: a new node gets assignments within seconds, a stopped one none", async () => {
    const person = await system.register("frida");
    const assigned = async () => (await person.api.nodes.assign.mutate({ exclude: [] })).nodeId;

    const fresh = await system.startNode();
    await eventually(
      async () => {
        for (let i = 0; i < 8; i++) if ((await assigned()) === fresh.nodeId) return;
        throw new Error("not assigned yet");
      },
      "the new node to be assigned",
      15_000,
    );
    // A client can really use it.
    const client = system.client(person);
    await eventually(async () => {
      await client.stop();
      await client.connect();
      if (nodeOf(client) !== fresh.nodeId) throw new Error(`connected to ${nodeOf(client)}`);
    }, "a client on the new node");
    await client.stop();

    const exit = await fresh.stop();
    expect(exit.code, "graceful stop exits 0").toBe(0);
    await eventually(async () => {
      if ((await system.liveNodeIds()).includes(fresh.nodeId)) throw new Error("still listed");
    }, "the stopped node to leave the live set");
    const picks = new Set<string>();
    for (let i = 0; i < 30; i++) picks.add(await assigned());
    expect(picks.has(fresh.nodeId)).toBe(false);
    expect(picks.size).toBeGreaterThanOrEqual(2);
  });

  it("a stale Redis route to a dead node loses nothing: the message waits for sync", async () => {
    const [alice, bob] = await Promise.all([system.register("gus"), system.register("hana")]);
    const conversationId = await system.befriend(alice, bob);

    // A node that dies without a goodbye: its topic stays, nobody consumes it.
    const doomed = await system.startNode();
    await doomed.kill9();
    // Bob is offline, but Redis still says he is on the dead node, and on a node that never existed.
    const ghost = `sys-ghost-${system.run}`;
    await system.gatewayInfra.presence.claim(
      [
        { userId: bob.id, nodeId: doomed.nodeId, connectionId: "stale-1" },
        { userId: bob.id, nodeId: ghost, connectionId: "stale-2" },
      ],
      120_000,
    );

    const a = system.client(alice);
    await a.connect();
    const sender = new Sender(a, conversationId, "to-stale");
    sender.start(50);
    await eventually(() => {
      if (sender.acked.size < 5) throw new Error("still sending");
    }, "5 ACKed messages");
    await sender.settle();

    // Bob comes online (on a live node) while the stale routes are still there.
    const b = system.client(bob);
    const arrivals = new ArrivalLog(b, conversationId);
    await b.connect();
    expect([doomed.nodeId, ghost]).not.toContain(nodeOf(b));
    await expectExactlyOnceInOrder({ system, conversationId, recipient: b, arrivals, senders: [sender] });

    // With the stale routes still in Redis, live delivery to his real node works too.
    const more = new Sender(a, conversationId, "after-stale");
    more.start(50);
    await eventually(() => {
      if (more.acked.size < 3) throw new Error("still sending");
    }, "3 more ACKed messages");
    await more.settle();
    expect((await system.gatewayInfra.presence.routesOf([bob.id])).map((r) => r.nodeId)).toEqual(
      expect.arrayContaining([doomed.nodeId, ghost, nodeOf(b)]),
    );
    await expectExactlyOnceInOrder({ system, conversationId, recipient: b, arrivals, senders: [sender, more] });
    await eventually(() => {
      const states = heldMessages(a, conversationId).map((m) => m.state);
      if (!states.every((s) => s === "delivered")) throw new Error(`states: ${[...new Set(states)].join(",")}`);
    }, "all of alice's messages delivered");
  });
});
