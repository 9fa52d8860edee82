/**
 * What the admin page reads and does on real nodes sharing one in-memory hub: each node reports
 * its chat message rates (in: `send` frames, out: pushed `message` frames) to the registry, and a
 * `node.drain` record on the bus (what admin.drainNode publishes) drains exactly the registration
 * it names — a record for an older epoch of the same id is ignored.
 */
import { describe, expect, it } from "vitest";
import { createMemoryInfra, MemoryHub } from "@dim/infra";
import { CloseCode, encodeNodeEnvelope } from "@dim/shared";
import { clientMsgId, connectAs, createConversation, createUser, startNode, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

describe("the admin page's view of a node", () => {
  it("reports message rates in and out to the registry, and back to 0 when traffic stops", async () => {
    const hub = new MemoryHub();
    const a = await startNode(db, hub, { messageRateSampleMs: 200 });
    const b = await startNode(db, hub, { messageRateSampleMs: 200 });
    const [alice, bob] = [await createUser(db.prisma), await createUser(db.prisma)];
    const conv = await createConversation(db.prisma, [alice, bob]);
    const sender = await connectAs(a, alice);
    const receiver = await connectAs(b, bob);
    const gateway = createMemoryInfra(hub);
    const rates = async (nodeId: string) => (await gateway.registry.liveNodes()).find((n) => n.nodeId === nodeId)?.messageRates;
    expect(await rates(a.nodeId)).toEqual({ inPerSec: 0, outPerSec: 0 });

    // Keep sending until both nodes have reported a sample with traffic in it.
    let seen = { in: false, out: false };
    for (let i = 0; i < 400 && !(seen.in && seen.out); i++) {
      const id = clientMsgId();
      sender.client.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: `m${i}` });
      await sender.client.next("sent", (f) => f.clientMsgId === id, 10_000);
      await receiver.client.next("message", undefined, 10_000);
      seen = { in: seen.in || ((await rates(a.nodeId))?.inPerSec ?? 0) > 0, out: seen.out || ((await rates(b.nodeId))?.outPerSec ?? 0) > 0 };
    }
    expect(seen).toEqual({ in: true, out: true });
    // a took the sends in and pushed nothing; b pushed them out and took nothing in.
    await expect.poll(async () => (await rates(a.nodeId))?.outPerSec, { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await rates(b.nodeId))?.inPerSec, { timeout: 10_000 }).toBe(0);
    await expect.poll(async () => (await rates(a.nodeId))?.inPerSec, { timeout: 10_000 }).toBe(0);
    await gateway.close();
  });

  it("a node.drain record for this registration drains the node (4504); one for another epoch or node is ignored", async () => {
    const hub = new MemoryHub();
    const asked: string[] = [];
    const a = await startNode(db, hub, { config: { drainMs: 500 } });
    const b = await startNode(db, hub, { onDrainRequested: (source) => asked.push(source) });
    const gateway = createMemoryInfra(hub);
    const epochOf = async (nodeId: string) => (await gateway.registry.liveNodes()).find((n) => n.nodeId === nodeId)!.epoch;
    const publish = async (nodeId: string, epoch: number, target = nodeId) => {
      const { key, payload } = encodeNodeEnvelope({ type: "node.drain", nodeId, epoch, by: "root" });
      await gateway.bus.publish(target, key, payload);
    };
    const user = await createUser(db.prisma);
    const { client } = await connectAs(a, user);

    // Stale epoch, and a record naming another node: nothing happens.
    await publish(a.nodeId, (await epochOf(a.nodeId)) - 1);
    await publish(b.nodeId, await epochOf(b.nodeId), a.nodeId);
    await client.roundTrip();
    expect(a.node.isDraining).toBe(false);
    expect(a.node.isAccepting).toBe(true);

    // The host's hook gets it when there is one (main.ts: drain, then exit the process).
    await publish(b.nodeId, await epochOf(b.nodeId));
    await expect.poll(() => asked).toEqual(["admin"]);

    // Without a hook the node drains itself: draining in the registry, its socket closed with 4504.
    await publish(a.nodeId, await epochOf(a.nodeId));
    expect((await client.waitClosed(15_000)).code).toBe(CloseCode.NodeDraining);
    await expect.poll(async () => (await gateway.registry.liveNodes()).map((n) => n.nodeId), { timeout: 60_000 }).toEqual([b.nodeId]);
    await gateway.close();
  });
});
