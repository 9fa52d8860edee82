/**
 * Mentions in a group across two real core nodes and the real gateway (embedded infra): a text's
 * `mentions` are validated by the node's store in the append transaction (active members only,
 * each named by its `@username` in the text, `@all` for owners and admins only, groups only),
 * pushed and synced with the message, counted as `unreadMentions` in conversations.list until
 * read, and replaced by an edit; every refusal is a typed error that stores nothing.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ErrorCode, Limits, mentionsUser } from "@dim/shared";
import { clientMsgId, connectAs, createUser } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import { pushed, refused, send } from "./helpers/send-frames";

describe("mentions over two nodes", () => {
  const sys = useGroupSystem({ nodes: 2 });

  it("validates, delivers, counts until read, follows edits and deletes", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const owner = await sys.register();
    const [annU, benU, cyU] = [await sys.register(), await sys.register(), await sys.register()];
    for (const u of [annU, benU, cyU]) {
      const request = await owner.client.contacts.request.mutate({ username: u.username });
      await u.client.contacts.accept.mutate({ requestId: request.id });
    }
    const [ann, ben, cy] = [annU.id, benU.id, cyU.id];
    const names = new Map([owner, annU, benU, cyU].map((u) => [u.id, u.username]));
    const at = (id: string) => `@${names.get(id)!}`;
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const annOn1 = (await connectAs(n1, ann)).client;
    const benOn1 = (await connectAs(n1, ben)).client;
    const benOn0 = (await connectAs(n0, ben)).client;
    const { conversation } = await owner.client.groups.create.mutate({ title: "mentions", memberIds: [ann, ben] });
    const g = conversation.id;
    for (const d of [ownerOn0, annOn1, benOn1, benOn0]) await pushed(d, g, 1);

    // ann mentions ben and the owner: pushed with the ids to every device on both nodes
    const body = `hi ${at(ben)}, ask ${at(owner.id)}!`;
    const hi = await send(annOn1, g, { kind: "text", body, mentions: [ben, owner.id] });
    for (const d of [benOn1, benOn0, ownerOn0]) {
      const m = await pushed(d, g, hi);
      expect(m).toMatchObject({ kind: "text", body, mentions: [ben, owner.id] });
      expect(m.mentionsAll).toBeUndefined();
    }
    const pushedToBen = benOn1.all("message").find((f) => f.message.seq === hi)!.message;
    expect(mentionsUser(pushedToBen, ben)).toBe(true);
    expect(mentionsUser(pushedToBen, ann)).toBe(false); // the author is never "mentioned"

    // refusals: typed errors, no seq taken, nothing pushed
    const stranger = await createUser(sys.prisma);
    await refused(annOn1, g, { kind: "text", body: `hey @someone`, mentions: [stranger] }, ErrorCode.NotFound);
    await refused(annOn1, g, { kind: "text", body: "no name in the text", mentions: [ben] }, ErrorCode.BadRequest);
    await refused(annOn1, g, { kind: "text", body: `${at(ben)}x is not ${at(owner.id).toUpperCase()}`, mentions: [ben] }, ErrorCode.BadRequest);
    await refused(annOn1, g, { kind: "text", body: `${at(ben)} ${at(ben)}`, mentions: [ben, ben] }, ErrorCode.BadRequest);
    const many = Array.from({ length: Limits.maxMentions + 1 }, () => randomUUID());
    await refused(annOn1, g, { kind: "text", body: "many", mentions: many }, ErrorCode.BadRequest);
    await refused(annOn1, g, { kind: "text", body: "nobody", mentions: [] }, ErrorCode.BadRequest);
    await refused(annOn1, g, { kind: "text", body: "x", mentions: ["not-a-uuid"] }, ErrorCode.BadRequest);
    await refused(annOn1, g, { kind: "text", body: "@all look", mentionsAll: true }, ErrorCode.Forbidden); // a plain member
    await refused(ownerOn0, g, { kind: "text", body: "everybody look", mentionsAll: true }, ErrorCode.BadRequest); // no @all in the text
    await refused(annOn1, g, { kind: "text", body: "x", mentionsAll: false } as never, ErrorCode.BadRequest);
    const direct = (await owner.client.contacts.list.query()).find((c) => c.user.id === cy)!.conversationId;
    await refused(ownerOn0, direct, { kind: "text", body: `${at(cy)} hi`, mentions: [cy] }, ErrorCode.BadRequest); // groups only
    await refused(annOn1, g, { kind: "image", attachmentId: randomUUID(), caption: at(ben), mentions: [ben] } as never, ErrorCode.BadRequest);

    // the owner mentions everyone; an unnamed `@cy` (not a member) is plain text
    const all = await send(ownerOn0, g, { kind: "text", body: "@everyone dinner at 8, and @cy too", mentionsAll: true });
    expect(all).toBe(hi + 1); // the refusals took no seq
    expect(await pushed(annOn1, g, all)).toMatchObject({ mentionsAll: true });

    // conversations.list: the "@" count until read
    const [benGw, annGw] = [benU.client, annU.client];
    const summaryOf = async (gw: typeof benGw) => (await gw.conversations.list.query()).find((s) => s.id === g)!;
    expect(await summaryOf(benGw)).toMatchObject({ unreadCount: 3, unreadMentions: 2 }); // created (system), hi, all
    expect(await summaryOf(annGw)).toMatchObject({ unreadMentions: 1 }); // @everyone; her own text does not count
    expect((await summaryOf(owner.client)).unreadMentions).toBe(1);

    // an edit replaces the mentions: ben is no longer mentioned, cy (added meanwhile) now is
    await owner.client.groups.addMembers.mutate({ conversationId: g, userIds: [cy] });
    const cyOn0 = (await connectAs(n0, cy)).client;
    await refused(annOn1, g, { kind: "edit", targetSeq: hi, body: `hi ${at(cy)}`, mentions: [ben] }, ErrorCode.BadRequest);
    const edit = await send(annOn1, g, { kind: "edit", targetSeq: hi, body: `hi ${at(cy)}`, mentions: [cy] });
    expect(await pushed(benOn0, g, edit)).toMatchObject({ kind: "edit", targetSeq: hi, mentions: [cy] });
    expect(await pushed(cyOn0, g, edit)).toMatchObject({ mentions: [cy] });
    expect((await summaryOf(benGw)).unreadMentions).toBe(1); // only @everyone left
    const history = await owner.client.conversations.history.query({ conversationId: g, afterSeq: 0, limit: 50 });
    expect(history.messages.find((m) => m.seq === hi)).toMatchObject({ body: `hi ${at(cy)}`, mentions: [cy], editedAt: expect.any(String) });

    // sync (node) carries them too; reading clears the count
    benOn0.send({ type: "sync", conversationId: g, afterSeq: 0, limit: 50 });
    const batch = await benOn0.next("sync.batch", (f) => f.conversationId === g);
    expect(batch.messages.find((m) => m.seq === all)).toMatchObject({ mentionsAll: true });
    await benGw.conversations.markRead.mutate({ conversationId: g, seq: (await summaryOf(benGw)).lastSeq });
    expect(await summaryOf(benGw)).toMatchObject({ unreadCount: 0, unreadMentions: 0 });

    // idempotency: the same send again is a duplicate; the same id with other mentions a conflict
    const id = clientMsgId();
    const again = await send(annOn1, g, { kind: "text", body: `${at(ben)} ?`, mentions: [ben] }, id);
    annOn1.send({ type: "send", conversationId: g, clientMsgId: id, kind: "text", body: `${at(ben)} ?`, mentions: [ben] });
    expect(await annOn1.next("sent", (f) => f.clientMsgId === id && f.duplicate)).toMatchObject({ seq: again });
    annOn1.send({ type: "send", conversationId: g, clientMsgId: id, kind: "text", body: `${at(ben)} ?` });
    expect((await annOn1.next("error", (f) => f.ref === id)).code).toBe(ErrorCode.IdempotencyConflict);

    // a delete takes the mentions away; a removed member can no longer be mentioned
    await send(annOn1, g, { kind: "delete", targetSeq: again });
    expect((await summaryOf(benGw)).unreadMentions).toBe(0);
    await owner.client.groups.removeMember.mutate({ conversationId: g, userId: ben });
    await refused(annOn1, g, { kind: "text", body: `bye ${at(ben)}`, mentions: [ben] }, ErrorCode.NotFound);
    const after = await owner.client.conversations.history.query({ conversationId: g, afterSeq: 0, limit: 50 });
    expect(after.messages.find((m) => m.seq === again)).toMatchObject({ deletedAt: expect.any(String) });
    expect(after.messages.find((m) => m.seq === again)!.mentions).toBeUndefined();
  });

});
