/**
 * Web Push across real nodes (cluster mode: Kafka, ZooKeeper, Redis, PostgreSQL; nodes as child
 * processes): the node that stores a message asks Redis whether the recipient has a socket on
 * ANY node. Connected on another node: no push; gone: a push, decrypted by the stand-in push
 * service on loopback. A mute set through the gateway reaches the user's socket on another node
 * (Kafka) and stops the pushes. DIM_PUSH_CONCURRENCY=1: a node works on its pushes in commit
 * order, so "only the second message was pushed" also says the first was not.
 */
import { describe, expect, it } from "vitest";
import { eventually, heldMessages, nodeOf, useSystem } from "./system";
import { useFakePushService } from "../helpers/push-service";

const system = useSystem({ label: "push", nodes: 2, nodeEnv: { DIM_PUSH_ALLOW_LOOPBACK: "1", DIM_PUSH_CONCURRENCY: "1" } });
const service = useFakePushService();

describe("cluster mode: Web Push", () => {
  it("no push while the recipient is on another node; a push once gone; a mute reaches the other node and silences", async () => {
    const [alice, bob] = await Promise.all([system.register("alice"), system.register("bob")]);
    const ab = await system.befriend(alice, bob);
    const sub = service.subscribe();
    await bob.api.notifications.subscribe.mutate(sub.input);
    const a = system.client(alice);
    const b = system.client(bob);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));

    a.send(ab, "while you are here");
    await eventually(() => {
      if (!heldMessages(b, ab).some((m) => m.body === "while you are here")) throw new Error("not delivered");
    }, "bob holds the first message");

    await b.stop();
    await eventually(async () => {
      const routes = await system.gatewayInfra.presence.routesOf([bob.id]);
      if (routes.length > 0) throw new Error("bob still has a route");
    }, "bob's presence lease released");
    a.send(ab, "while you are away");
    await eventually(() => {
      if (sub.received.length === 0) throw new Error("no push yet");
    }, "a push for the second message");
    expect(sub.received.map((r) => r.payload.seq)).toEqual([2]);
    expect(sub.received[0]!.payload).toMatchObject({ conversationId: ab, text: null, sender: expect.any(String) });

    // Bob comes back on a node; his other session mutes the conversation; his socket hears it.
    const b2 = system.client(bob);
    const mutes: unknown[] = [];
    b2.on("mute", (m) => mutes.push(m));
    await b2.connect();
    await bob.api.notifications.mute.mutate({ conversationId: ab, duration: "forever" });
    await eventually(() => {
      if (mutes.length === 0) throw new Error("no mute frame");
    }, "bob's socket hears the mute");
    expect(mutes[0]).toEqual({ type: "mute", conversationId: ab, mutedUntil: "9999-12-31T23:59:59.999Z" });
    await b2.stop();
    await eventually(async () => {
      if ((await system.gatewayInfra.presence.routesOf([bob.id])).length > 0) throw new Error("bob still has a route");
    }, "bob gone again");
    // Muted: no push. A group message after it (same sender, same node, pushes in commit order) is pushed.
    const { conversation: group } = await alice.api.groups.create.mutate({ title: "Plans", memberIds: [bob.id] });
    a.send(ab, "muted now");
    await eventually(() => {
      if (heldMessages(a, ab).find((m) => m.body === "muted now")?.state !== "sent") throw new Error("not stored yet");
    }, "the muted message stored");
    a.send(group.id, "in the group");
    await eventually(() => {
      if (sub.received.length < 2) throw new Error("no second push yet");
    }, "a push for the group message");
    expect(sub.received.map((r) => r.payload.conversationId)).toEqual([ab, group.id]);
    expect(sub.received[1]!.payload).toMatchObject({ conversation: "Plans", text: null });
  });
});
