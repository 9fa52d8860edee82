/**
 * DimClient's event actions against the real system (real-stack.ts: real gateway, two real core
 * nodes, real PostgreSQL): react (toggled), edit, reply, delete for me, delete for everyone, seen
 * folded by both people and by a device that connects afterwards.
 */
import { describe, expect, it } from "vitest";
import type { DimClient } from "../src";
import { befriend, clientFor, eventually, register, useRealStack } from "./real-stack";

useRealStack();

const at = (client: DimClient, conversationId: string, seq: number) => client.conversationMessages(conversationId).find((m) => m.seq === seq);

describe("events through DimClient, two nodes", () => {
  it("react, edit, reply, delete for me and for everyone converge on every device", async () => {
    const alice = await register("ev_alice");
    const bob = await register("ev_bob");
    const c = await befriend(alice, bob);
    const a = clientFor(alice);
    const b = clientFor(bob);
    const b2 = clientFor(bob); // bob's second device
    await Promise.all([a.connect(), b.connect(), b2.connect()]);

    a.send(c, "helo");
    await eventually(b, () => at(b, c, 1)?.body === "helo", "bob to get the message");

    b.react(c, 1, "👍");
    await eventually(a, () => at(a, c, 1)?.reactions.length === 1, "alice to see bob's reaction");
    expect(at(a, c, 1)!.reactions).toEqual([{ emoji: "👍", count: 1, userIds: [bob.id] }]);
    await eventually(b, () => at(b, c, 1)?.myReaction === "👍", "bob's own reaction stored");
    b.react(c, 1, "👍"); // toggled off
    await eventually(a, () => at(a, c, 1)?.reactions.length === 0, "alice to see it removed");

    a.edit(c, 1, "hello");
    for (const d of [b, b2]) await eventually(d, () => at(d, c, 1)?.body === "hello", "the edit on bob's devices");
    expect(at(b, c, 1)!.editedAt).not.toBeNull();

    const reply = b.reply(c, 1, "hi alice");
    await eventually(a, () => a.conversationMessages(c).some((m) => m.body === "hi alice"), "alice to get the reply");
    const replySeq = a.conversationMessages(c).find((m) => m.body === "hi alice")!.seq!;
    expect(at(a, c, replySeq)).toMatchObject({ replyTo: 1, clientMsgId: reply.clientMsgId });

    b.deleteForMe(c, [replySeq]);
    await eventually(b2, () => at(b2, c, replySeq) === undefined, "bob's other device to hide it");
    expect(at(b, c, replySeq)).toBeUndefined();
    expect(at(a, c, replySeq)?.body).toBe("hi alice"); // alice keeps it
    // the gateway's list: an event is never the last message, a hidden one neither
    const [aliceSide] = (await alice.api.conversations.list.query()).filter((x) => x.id === c);
    expect(aliceSide!.lastMessage).toMatchObject({ seq: replySeq, body: "hi alice" });
    expect(aliceSide!.unreadCount).toBe(1); // bob's reply; his reactions are not unread messages
    const [bobSide] = (await bob.api.conversations.list.query()).filter((x) => x.id === c);
    expect(bobSide!.lastMessage).toMatchObject({ seq: 1, body: "hello", editedAt: expect.any(String) });

    a.deleteForEveryone(c, 1);
    for (const d of [b, b2]) await eventually(d, () => at(d, c, 1)?.deleted === true, "the tombstone on bob's devices");
    expect(at(b, c, 1)).toMatchObject({ body: "", deleted: true, reactions: [] });
    await eventually(a, () => at(a, c, 1)?.deleted === true, "alice's own delete stored");

    // a device that connects now gets the folded state by sync
    const late = clientFor(bob);
    await late.connect();
    await eventually(late, () => at(late, c, 1)?.deleted === true, "the late device to sync");
    expect(late.conversationMessages(c).map((m) => m.seq)).toEqual([1]); // events folded in, the reply hidden
    expect(late.conversationMeta(c)!.hiddenSeqs).toEqual([replySeq]);
  });
});
