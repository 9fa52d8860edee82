/**
 * Events in the seq stream across two real core nodes and the real gateway (embedded infra):
 * edit, delete for everyone, reply and reaction in a 1:1 conversation and in a group, pushed like
 * messages to every device of every member on either node, folded in sync and history; a removed
 * group member gets none of them; a stranger's or non-author's attempt is refused and changes
 * nothing; "delete for me" reaches the user's own devices on both nodes and no one else.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { clientMsgId, connectAs, createConversation, createUser } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";
import { pushed, refused, send } from "./helpers/send-frames";

async function synced(client: TestClient, conversationId: string) {
  client.send({ type: "sync", conversationId, afterSeq: 0, limit: 200 });
  const batch = await client.next("sync.batch", (f) => f.conversationId === conversationId);
  return { batch, bySeq: new Map(batch.messages.map((m) => [m.seq, m])) };
}

describe("events over two nodes", () => {
  const sys = useGroupSystem({ nodes: 2 });

  it("1:1: reply, edit, reaction, delete pushed to every device on both nodes; refusals change nothing; delete for me", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const [ana, bo, stranger] = [await createUser(sys.prisma), await createUser(sys.prisma), await createUser(sys.prisma)];
    const c = await createConversation(sys.prisma, [ana, bo]);
    const anaOn0 = (await connectAs(n0, ana)).client;
    const boOn1 = (await connectAs(n1, bo)).client;
    const boOn0 = (await connectAs(n0, bo)).client;
    const strangerOn1 = (await connectAs(n1, stranger)).client;

    const first = await send(anaOn0, c, { kind: "text", body: "helo" });
    for (const d of [boOn1, boOn0]) expect(await pushed(d, c, first)).toMatchObject({ kind: "text", body: "helo" });

    const reply = await send(boOn1, c, { kind: "text", body: "hi!", replyTo: first });
    expect(await pushed(anaOn0, c, reply)).toMatchObject({ kind: "text", replyTo: first, body: "hi!" });
    expect(await pushed(boOn0, c, reply)).toMatchObject({ replyTo: first });

    const edit = await send(anaOn0, c, { kind: "edit", targetSeq: first, body: "hello" });
    for (const d of [boOn1, boOn0]) expect(await pushed(d, c, edit)).toMatchObject({ kind: "edit", targetSeq: first, body: "hello" });

    // a re-send of the same edit (same clientMsgId) is the same event: no new seq, pushed again
    const again = anaOn0.all("sent").find((f) => f.seq === edit)!;
    anaOn0.send({ type: "send", conversationId: c, clientMsgId: again.clientMsgId, kind: "edit", targetSeq: first, body: "hello" });
    expect(await anaOn0.next("sent", (f) => f.clientMsgId === again.clientMsgId)).toMatchObject({ seq: edit, duplicate: true });
    anaOn0.send({ type: "send", conversationId: c, clientMsgId: again.clientMsgId, kind: "edit", targetSeq: first, body: "other" });
    expect((await anaOn0.next("error", (f) => f.ref === again.clientMsgId)).code).toBe(ErrorCode.IdempotencyConflict);

    const reaction = await send(boOn1, c, { kind: "reaction", targetSeq: first, emoji: "👍" });
    expect(await pushed(anaOn0, c, reaction)).toMatchObject({ kind: "reaction", targetSeq: first, body: "👍", senderId: bo });

    // refusals: typed errors, no seq taken, nothing pushed
    await refused(boOn1, c, { kind: "edit", targetSeq: first, body: "not yours" }, ErrorCode.Forbidden);
    await refused(boOn1, c, { kind: "delete", targetSeq: first }, ErrorCode.Forbidden);
    await refused(strangerOn1, c, { kind: "reaction", targetSeq: first, emoji: "😂" }, ErrorCode.Forbidden);
    await refused(strangerOn1, c, { kind: "edit", targetSeq: first, body: "x" }, ErrorCode.Forbidden);
    await refused(anaOn0, c, { kind: "edit", targetSeq: reaction, body: "x" }, ErrorCode.BadRequest);
    await refused(anaOn0, c, { kind: "text", body: "to nowhere", replyTo: 99 }, ErrorCode.NotFound);
    boOn1.send({ type: "send", conversationId: c, clientMsgId: clientMsgId(), kind: "reaction", targetSeq: first, emoji: "two 👍" } as never);
    expect((await boOn1.next("error")).code).toBe(ErrorCode.BadRequest);

    const del = await send(anaOn0, c, { kind: "delete", targetSeq: first });
    expect(del).toBe(reaction + 1); // the refusals took no seq
    for (const d of [boOn1, boOn0]) expect(await pushed(d, c, del)).toMatchObject({ kind: "delete", targetSeq: first, body: "" });
    await Promise.all([anaOn0.roundTrip(), boOn0.roundTrip(), boOn1.roundTrip()]);
    const anaSeqs = anaOn0.all("message").map((f) => f.message.seq);
    expect(anaSeqs).toEqual([reply, reaction]); // only the other member's; nothing of the refused attempts
    expect(boOn1.all("message").filter((f) => f.message.seq === edit)).toHaveLength(2); // the re-send was pushed again
    expect(strangerOn1.all("message")).toEqual([]);

    // sync (node) and history (gateway) give the folded state
    const { batch, bySeq } = await synced(boOn0, c);
    expect(batch.messages.map((m) => m.seq)).toEqual([first, reply, edit, reaction, del]);
    expect(bySeq.get(first)).toMatchObject({ kind: "text", body: "", deletedAt: expect.any(String) });
    expect(bySeq.get(first)!.reactions).toBeUndefined();
    expect(bySeq.get(edit)!.body).toBe(""); // the deleted message's text is nowhere
    expect(bySeq.get(reply)).toMatchObject({ replyTo: first, body: "hi!" });

    // delete for me: bo hides the reply on one device; both of bo's devices learn it, ana does not
    boOn1.send({ type: "hide", conversationId: c, seqs: [reply] });
    for (const d of [boOn1, boOn0]) expect(await d.next("hidden")).toEqual({ type: "hidden", conversationId: c, seqs: [reply] });
    await anaOn0.roundTrip();
    expect(anaOn0.all("hidden")).toEqual([]);
    const { client: boLater, welcome: boWelcome } = await connectAs(n1, bo); // a device that was offline
    expect(boWelcome.conversations.find((x) => x.conversationId === c)).toMatchObject({ hiddenCount: 1 });
    expect((await connectAs(n0, ana)).welcome.conversations.find((x) => x.conversationId === c)!.hiddenCount).toBeUndefined();
    expect((await synced(boLater, c)).batch.hidden).toEqual([reply]);
    expect((await synced(boLater, c)).bySeq.get(reply)).toMatchObject({ hidden: true, body: "" });
    expect((await synced(anaOn0, c)).bySeq.get(reply)).toMatchObject({ body: "hi!" });
    strangerOn1.send({ type: "hide", conversationId: c, seqs: [reply] });
    expect((await strangerOn1.next("error", (f) => f.ref === "hide")).code).toBe(ErrorCode.Forbidden);
  });

  it("group: members on both nodes get every event, a removed member none; its attempts are refused", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [ann, ben] = (await sys.contactsOf(owner.id, 2)) as [string, string];
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const annOn1 = (await connectAs(n1, ann)).client;
    const benOn1 = (await connectAs(n1, ben)).client;
    const benOn0 = (await connectAs(n0, ben)).client;
    const { conversation } = await owner.client.groups.create.mutate({ title: "events", memberIds: [ann, ben] });
    const g = conversation.id;
    for (const d of [ownerOn0, annOn1, benOn1, benOn0]) await pushed(d, g, 1);
    const before = await send(annOn1, g, { kind: "text", body: "before ben left" });
    for (const d of [ownerOn0, benOn1, benOn0]) await pushed(d, g, before);
    const { seq: removedAt } = await owner.client.groups.removeMember.mutate({ conversationId: g, userId: ben });
    for (const d of [benOn1, benOn0]) await pushed(d, g, removedAt);

    const text = await send(annOn1, g, { kind: "text", body: "after", replyTo: before });
    const edit = await send(annOn1, g, { kind: "edit", targetSeq: text, body: "after (edited)" });
    const react = await send(ownerOn0, g, { kind: "reaction", targetSeq: text, emoji: "🎉" });
    const react2 = await send(annOn1, g, { kind: "reaction", targetSeq: text, emoji: "🎉" });
    const del = await send(annOn1, g, { kind: "delete", targetSeq: before });
    for (const seq of [text, edit, react2, del]) await pushed(ownerOn0, g, seq);
    expect(await pushed(annOn1, g, react)).toMatchObject({ kind: "reaction", body: "🎉", senderId: owner.id });

    // ben, removed, reacts to a message he saw: refused; and he got nothing after his removal
    await refused(benOn1, g, { kind: "reaction", targetSeq: before, emoji: "👍" }, ErrorCode.Forbidden);
    await refused(benOn0, g, { kind: "delete", targetSeq: before }, ErrorCode.Forbidden);
    await Promise.all([benOn0.roundTrip(), benOn1.roundTrip(), ownerOn0.roundTrip()]);
    for (const d of [benOn0, benOn1]) {
      expect(d.all("message").filter((f) => f.message.conversationId === g).map((f) => f.message.seq)).toEqual([1, before, removedAt]);
    }
    // and his sync stops at his removal: the delete of a message he saw does not reach him
    expect((await synced(benOn0, g)).batch.lastSeq).toBe(removedAt);

    // history through the gateway: folded, reactions with who
    const history = await owner.client.conversations.history.query({ conversationId: g, afterSeq: 0, limit: 100 });
    const bySeq = new Map(history.messages.map((m) => [m.seq, m]));
    expect(bySeq.get(text)).toMatchObject({ body: "after (edited)", editedAt: expect.any(String), replyTo: before });
    expect(bySeq.get(text)!.reactions).toEqual([{ emoji: "🎉", count: 2, userIds: [owner.id, ann] }]);
    expect(bySeq.get(before)).toMatchObject({ body: "", deletedAt: expect.any(String) });
    expect(history.lastSeq).toBe(del);
    // the conversation list shows the last message, not an event
    const [summary] = (await owner.client.conversations.list.query()).filter((s) => s.id === g);
    expect(summary!.lastMessage).toMatchObject({ seq: text, body: "after (edited)" });
  });
});
