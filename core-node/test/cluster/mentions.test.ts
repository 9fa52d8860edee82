/**
 * Cluster mode: mentions between core node processes on real Kafka, ZooKeeper, Redis and
 * PostgreSQL, through @dim/client: a group text naming a member on the other node arrives with
 * its `mentions` (mentionsMe on that side), counts in conversations.list's unreadMentions until
 * read, follows an edit; a mention of someone who is not a member is refused with NOT_FOUND and
 * stores nothing. (Every rule is proven on the embedded bus: core-node/test/mentions.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { until } from "@dim/client/testing";
import { eventually, heldMessages, nodeOf, useSystem } from "./system";

const system = useSystem({ label: "mentions", nodes: 2 });

describe("cluster mode: mentions across nodes", () => {
  it("delivers, counts, follows an edit, refuses a stranger", async () => {
    const [alice, bob, carol, dave] = await Promise.all([system.register("mia"), system.register("max"), system.register("mo"), system.register("mel")]);
    await system.befriend(alice, bob);
    await system.befriend(alice, carol);
    const a = system.client(alice);
    const b = system.client(bob);
    await a.connect();
    await b.connect();
    expect(nodeOf(a)).not.toBe(nodeOf(b));
    const { conversation } = await alice.api.groups.create.mutate({ title: "mentions", memberIds: [bob.id, carol.id] });
    const g = conversation.id;
    await eventually(() => heldMessages(b, g).length > 0, "bob holds the group");

    const arrived = until(b, "message", (m) => m.conversationId === g && m.body.startsWith("@"), "the mention on bob's node");
    a.send(g, `@${bob.username} and @${carol.username}: 8 pm?`, { mentions: [bob.id, carol.id] });
    const m = await arrived;
    expect(m).toMatchObject({ mentions: [bob.id, carol.id], mentionsMe: true });
    await eventually(() => b.conversationMeta(g)?.unreadMentions === 1, "bob's unread mention (client)");
    expect((await bob.api.conversations.list.query()).find((s) => s.id === g)).toMatchObject({ unreadMentions: 1 });
    expect((await carol.api.conversations.list.query()).find((s) => s.id === g)).toMatchObject({ unreadMentions: 1 });

    // an edit that drops bob clears his "@" on both sides
    a.edit(g, m.seq!, `@${carol.username}: 8 pm?`, { mentions: [carol.id] });
    await eventually(() => b.conversationMeta(g)?.unreadMentions === 0, "bob no longer mentioned (client)");
    await eventually(async () => (await bob.api.conversations.list.query()).find((s) => s.id === g)?.unreadMentions === 0, "nor in the list");

    // dave is nobody's member here: refused, nothing stored
    const lastSeq = (await alice.api.conversations.list.query()).find((s) => s.id === g)!.lastSeq;
    const bad = a.send(g, `@${dave.username} hi`, { mentions: [dave.id] });
    await until(a, "messageState", (c) => c.clientMsgId === bad.clientMsgId && c.state === "failed", "the refusal");
    expect(a.conversationMessages(g).find((x) => x.clientMsgId === bad.clientMsgId)?.error?.code).toBe("NOT_FOUND");
    expect((await alice.api.conversations.list.query()).find((s) => s.id === g)!.lastSeq).toBe(lastSeq);

    // reading clears carol's
    await carol.api.conversations.markRead.mutate({ conversationId: g, seq: lastSeq });
    expect((await carol.api.conversations.list.query()).find((s) => s.id === g)).toMatchObject({ unreadMentions: 0 });
  });
});
