/**
 * Group chat through DimClient against the real system (real-stack.ts): three people in a group
 * across two real core nodes; receipts are counted per member ("read" only once everyone read),
 * and membership changes reach the clients as `conversation` frames → `membership` events.
 */
import { describe, expect, it } from "vitest";
import { until } from "../src/testing";
import type { DimClient } from "../src";
import { befriend, clientFor, eventually, nodeOf, register, useRealStack } from "./real-stack";

useRealStack();

function own(client: DimClient, conversationId: string, clientMsgId: string) {
  return client.conversationMessages(conversationId).find((m) => m.clientMsgId === clientMsgId);
}

describe("group chat with a real gateway and two real core nodes", () => {
  it("k of n receipts: one reader of two is not 'read'; membership frames re-read the summary", async () => {
    const alice = await register("gana");
    const bob = await register("gben");
    const cyd = await register("gcyd");
    const dee = await register("gdee");
    for (const p of [bob, cyd, dee]) await befriend(alice, p);
    const { conversation } = await alice.api.groups.create.mutate({ title: "Trip", memberIds: [bob.id, cyd.id] });
    const conversationId = conversation.id;

    const a = clientFor(alice);
    const b = clientFor(bob);
    const c = clientFor(cyd);
    for (const client of [a, b, c]) await client.connect();
    // Round-robin over two nodes: at least one member is on another node than alice.
    expect(new Set([nodeOf(a), nodeOf(b), nodeOf(c)]).size).toBe(2);
    await eventually(a, () => a.conversationMeta(conversationId)?.kind === "group", "alice's client to know it is a group");
    expect(a.conversationMeta(conversationId)).toMatchObject({ memberCount: 3, membership: "active" });

    const bGot = until(b, "message", (m) => m.body === "hello group", "bob to receive");
    const cGot = until(c, "message", (m) => m.body === "hello group", "cyd to receive");
    const sent = a.send(conversationId, "hello group");
    const [bMsg] = await Promise.all([bGot, cGot]);
    const mine = () => own(a, conversationId, sent.clientMsgId);
    await eventually(a, () => mine()?.receipts?.delivered === 2, "delivered to both");
    expect(mine()).toMatchObject({ state: "delivered", receipts: { delivered: 2, read: 0, of: 2 } });

    // Bob reads: one of two. The old max-of-any-member logic showed "read" here.
    b.markRead(conversationId, bMsg.seq!);
    await eventually(a, () => mine()?.receipts?.read === 1, "read by one");
    expect(mine()).toMatchObject({ state: "delivered", receipts: { delivered: 2, read: 1, of: 2 } });

    const cMsg = c.conversationMessages(conversationId).find((m) => m.body === "hello group")!;
    c.markRead(conversationId, cMsg.seq!);
    await eventually(a, () => mine()?.state === "read", "read by both");
    expect(mine()?.receipts).toEqual({ delivered: 2, read: 2, of: 2 });

    // The member list as the gateway has it agrees.
    await a.loadMemberCursors(conversationId);
    expect(Object.keys(a.conversationMeta(conversationId)!.members).sort()).toEqual([bob.id, cyd.id].sort());

    // Alice adds Dee: Bob (who stays) gets `conversation changed` → membership with the re-read summary.
    const bChanged = until(b, "membership", (e) => e.conversationId === conversationId && e.event === "changed", "bob's membership event");
    await alice.api.groups.addMembers.mutate({ conversationId, userIds: [dee.id] });
    const changed = await bChanged;
    expect(changed.summary).toMatchObject({ id: conversationId, kind: "group", memberCount: 4, membership: "active" });
    expect(b.conversationMeta(conversationId)?.memberCount).toBe(4);

    // Alice removes Cyd: Cyd gets `removed`, with its summary; her sends fail with FORBIDDEN.
    const cRemoved = until(c, "membership", (e) => e.conversationId === conversationId && e.event === "removed", "cyd's removal");
    const aChanged = until(a, "membership", (e) => e.conversationId === conversationId && e.event === "changed" && e.summary?.memberCount === 3, "alice's change");
    await alice.api.groups.removeMember.mutate({ conversationId, userId: cyd.id });
    const removed = await cRemoved;
    expect(removed.summary).toMatchObject({ membership: "removed", myRole: null });
    expect(c.conversationMeta(conversationId)?.membership).toBe("removed");
    // Alice loaded the members before: the change reloads them, Cyd's cursors are dropped.
    await aChanged;
    await eventually(a, () => !(cyd.id in a.conversationMeta(conversationId)!.members), "cyd's cursors dropped");
    expect(Object.keys(a.conversationMeta(conversationId)!.members).sort()).toEqual([bob.id, dee.id].sort());
    // Dee joined after the message: she counts in neither k nor n for it (her cursor starts at
    // her join, above it); Cyd is gone: read by the one member left who was there, Bob.
    expect(mine()).toMatchObject({ state: "read", receipts: { delivered: 1, read: 1, of: 1 } });

    const late = c.send(conversationId, "am I still here?");
    await eventually(c, () => own(c, conversationId, late.clientMsgId)?.state === "failed", "cyd's send refused");
    expect(own(c, conversationId, late.clientMsgId)?.error?.code).toBe("FORBIDDEN");
  });
});
