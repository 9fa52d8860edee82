/**
 * DimClient against the real system (real-stack.ts): two people register, become contacts and
 * chat across two real core nodes. Nothing here is a double.
 */
import { describe, expect, it } from "vitest";
import { until } from "../src/testing";
import { MemoryClientStore, type ChatMessage, type MessageState } from "../src";
import { befriend, clientFor, eventually, nodeOf, nodes, register, startNode, stateOf, useRealStack } from "./real-stack";

useRealStack();

// ───────────────────────────── tests ─────────────────────────────

describe("DimClient with a real gateway and two real core nodes", () => {
  it("two people on two nodes register, become contacts, chat, and see sent → delivered → read", async () => {
    const alice = await register("alice");
    const bob = await register("bob");
    const conversationId = await befriend(alice, bob);

    const a = clientFor(alice);
    const b = clientFor(bob);
    await a.connect();
    await b.connect();
    expect(a.userId).toBe(alice.id);
    expect(b.userId).toBe(bob.id);
    // Round-robin over two live nodes: the message must cross the bus.
    expect(nodeOf(a)).not.toBe(nodeOf(b));

    const states: MessageState[] = [];
    a.on("messageState", (c) => states.push(c.state));
    const received = until(b, "message", (m) => m.conversationId === conversationId, "bob to receive the message");
    const sent = a.send(conversationId, "hello bob");

    const got: ChatMessage = await received;
    expect(got).toMatchObject({ body: "hello bob", senderId: alice.id, own: false, seq: 1, clientMsgId: sent.clientMsgId });
    await eventually(a, () => stateOf(a, conversationId, sent.clientMsgId) === "delivered", "delivered on alice's side");

    b.markRead(conversationId, got.seq!);
    await eventually(a, () => stateOf(a, conversationId, sent.clientMsgId) === "read", "read on alice's side");
    expect(states).toEqual(["sending", "sent", "delivered", "read"]);

    // Bob answers; each side shows each message once, in seq order.
    const reply = until(a, "message", (m) => m.body === "hi alice", "alice to receive the reply");
    b.send(conversationId, "hi alice");
    await reply;
    await eventually(b, () => b.conversationMessages(conversationId).every((m) => m.state !== "sending"), "bob's reply sent");
    for (const client of [a, b]) {
      expect(client.conversationMessages(conversationId).map((m) => [m.seq, m.body])).toEqual([
        [1, "hello bob"],
        [2, "hi alice"],
      ]);
    }

    // The gateway agrees with what the clients show.
    const [summary] = await alice.api.conversations.list.query();
    expect(summary).toMatchObject({ id: conversationId, lastSeq: 2, peersReadSeq: 1 });
  });

  it("an offline recipient gets everything on connect, in order, once each", async () => {
    const alice = await register("carol");
    const bob = await register("dave");
    const conversationId = await befriend(alice, bob);
    const a = clientFor(alice);
    await a.connect();
    const bodies = ["one", "two", "three", "four", "five"];
    for (const body of bodies) a.send(conversationId, body);
    await eventually(a, () => a.outbox.length === 0, "all five stored");

    const b = clientFor(bob);
    const synced = until(b, "synced", (s) => s.conversationId === conversationId && s.lastSeq === 5, "bob's sync");
    await b.connect();
    await synced;
    expect(b.conversationMessages(conversationId).map((m) => [m.seq, m.body])).toEqual(bodies.map((body, i) => [i + 1, body]));
    // Bob's contiguous ACK reaches alice as "delivered" for all five.
    await eventually(a, () => a.conversationMessages(conversationId).every((m) => m.state === "delivered"), "all delivered");
  });

  it("when its node stops, a client reconnects through the gateway to the other node and keeps chatting", async () => {
    const alice = await register("erin");
    const bob = await register("frank");
    const conversationId = await befriend(alice, bob);
    const a = clientFor(alice);
    const b = clientFor(bob);
    await a.connect();
    await b.connect();

    // A third node to take the place of the one we stop, so the cluster keeps two.
    await startNode("node-three");
    const doomed = nodes.find((n) => n.nodeId === nodeOf(b))!;
    const reconnected = until(b, "state", (s) => s.status === "connected", "bob to reconnect");
    await doomed.node.stop();
    await reconnected;
    expect(nodeOf(b)).not.toBe(doomed.nodeId);
    if (nodeOf(a) === doomed.nodeId) await until(a, "state", (s) => s.status === "connected", "alice to reconnect");

    const received = until(b, "message", (m) => m.body === "still there?", "bob to receive after reconnect");
    const m = a.send(conversationId, "still there?");
    await received;
    await eventually(a, () => stateOf(a, conversationId, m.clientMsgId) === "delivered", "delivered after reconnect");
  });

  it("a re-send with the same clientMsgId is stored and shown once", async () => {
    const alice = await register("gina");
    const bob = await register("hank");
    const conversationId = await befriend(alice, bob);
    const store = new MemoryClientStore();
    const a1 = clientFor(alice, store);
    await a1.connect();
    const first = a1.send(conversationId, "exactly once");
    await eventually(a1, () => a1.outbox.length === 0, "stored");
    await a1.stop();

    // Same clientMsgId again from a fresh client (as after a crash before `sent` was seen).
    const a2 = clientFor(alice);
    await a2.connect();
    a2.send(conversationId, "exactly once", { clientMsgId: first.clientMsgId });
    await eventually(a2, () => a2.outbox.length === 0 && a2.conversationMessages(conversationId).length === 1, "re-send answered");
    expect(a2.conversationMessages(conversationId)).toMatchObject([{ seq: 1, clientMsgId: first.clientMsgId, state: expect.any(String) }]);

    const b = clientFor(bob);
    await b.connect();
    await eventually(b, () => b.conversationMessages(conversationId).length >= 1, "bob holds it");
    expect(b.conversationMessages(conversationId).map((m) => m.body)).toEqual(["exactly once"]);
  });
});
