/**
 * A bus that does not acknowledge (Kafka restarting) must not hold up the sender's socket: the
 * remote fan-out runs behind the frame queue, so every `send` is still stored and ACKed at once.
 * Found by the cluster system test that restarts the Kafka broker during traffic.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { createMemoryInfra, MemoryHub, type Bus } from "@dim/infra";
import { CoreNode } from "../src/core-node";
import { clientMsgId, connectAs, createConversation, createUser, startNode, testConfig, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

describe("remote fan-out behind a stalled bus", () => {
  it("keeps ACKing sends and receipts while publishes hang", async () => {
    const hub = new MemoryHub();
    const remote = await startNode(db, hub, { nodeId: `remote-${randomUUID().slice(0, 6)}` });
    const infra = createMemoryInfra(hub);
    const hung: Array<() => void> = [];
    const stalled: Bus = {
      subscribe: (nodeId, handler) => infra.bus.subscribe(nodeId, handler),
      publish: () => new Promise<void>((resolve) => hung.push(resolve)),
      removeInbox: (nodeId) => infra.bus.removeInbox?.(nodeId) ?? Promise.resolve(),
      close: () => infra.bus.close(),
    };
    const node = new CoreNode({
      config: testConfig({ nodeId: `stalled-${randomUUID().slice(0, 6)}` }),
      store: db.store,
      contactPresence: db.contactPresence,
      bus: stalled,
      registry: infra.registry,
      presence: infra.presence,
    });
    onTestFinished(async () => {
      for (const release of hung) release();
      await node.stop();
      await infra.close();
    });
    const started = await node.start();

    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: a } = await connectAs({ nodeId: started.nodeId, wsUrl: started.wsUrl }, alice);
    // Bob is online on the other node: every send and receipt needs a publish, which never completes.
    const { client: b } = await connectAs(remote, bob);

    for (let i = 1; i <= 5; i++) {
      a.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: `m${i}` });
      expect(await a.next("sent")).toMatchObject({ seq: i });
    }
    // A read receipt needs a publish too; the next send is not held up behind it either.
    a.send({ type: "read", conversationId: conv, seq: 5 });
    a.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "m6" });
    expect(await a.next("sent")).toMatchObject({ seq: 6 });
    b.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    expect((await b.next("sync.batch")).messages.map((m) => m.body)).toEqual(["m1", "m2", "m3", "m4", "m5", "m6"]);
    expect(hung.length).toBeGreaterThanOrEqual(7);
  });
});
