/**
 * Contacts across two real nodes and the real gateway (embedded infra): requests and their
 * decisions pushed as `contacts` frames to every device; blocking (the blocked user's direct
 * messages, edits and typing answered exactly as a stranger's, the blocker's READ_ONLY, no
 * presence either way, group messages still flowing), unblocking; removing a contact (read-only
 * both ways, history kept, re-adding works); a deleted user's conversation is read-only; profile
 * changes pushed to contacts.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { clientMsgId, connectAs } from "./helpers/cluster";
import { useGroupSystem, type GroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

type User = Awaited<ReturnType<GroupSystem["register"]>>;

/** Makes a and b contacts through the gateway (request + accept); their direct conversation id. */
async function befriend(a: User, b: User): Promise<string> {
  const request = await a.client.contacts.request.mutate({ username: b.username });
  const { contact } = await b.client.contacts.accept.mutate({ requestId: request.id });
  return contact.conversationId;
}

function sendText(client: TestClient, conversationId: string, id = clientMsgId(), body = "hi") {
  client.send({ type: "send", conversationId, clientMsgId: id, kind: "text", body });
  return id;
}

/** The error frame answering a send (ref = clientMsgId), as it came over the wire. */
async function refusal(client: TestClient, id: string) {
  return client.next("error", (f) => f.ref === id);
}

describe("contacts over two nodes", () => {
  const sys = useGroupSystem({ nodes: 2 });

  it("requests, accepts and declines are pushed to every device of both users, on either node", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const ann = await sys.register();
    const ben = await sys.register();
    const annPhone = (await connectAs(n0, ann.id)).client;
    const annLaptop = (await connectAs(n1, ann.id)).client;
    const benOn1 = (await connectAs(n1, ben.id)).client;

    const request = await ann.client.contacts.request.mutate({ username: ben.username });
    expect((await benOn1.next("contacts")).valueOf()).toMatchObject({ event: "request", user: { id: ann.id, username: ann.username } });
    expect(await annPhone.next("contacts")).toMatchObject({ event: "request", user: { id: ben.id } });
    expect(await annLaptop.next("contacts")).toMatchObject({ event: "request", user: { id: ben.id } });

    await ben.client.contacts.decline.mutate({ requestId: request.id });
    expect(await annPhone.next("contacts")).toMatchObject({ event: "declined", user: { id: ben.id } });
    expect(await benOn1.next("contacts")).toMatchObject({ event: "declined", user: { id: ann.id } });

    // asked again (a declined request re-opens), then accepted
    const again = await ann.client.contacts.request.mutate({ username: ben.username });
    await benOn1.next("contacts", (f) => f.event === "request");
    await ben.client.contacts.accept.mutate({ requestId: again.id });
    expect(await annLaptop.next("contacts", (f) => f.event === "accepted")).toMatchObject({ user: { id: ben.id } });
    expect(await benOn1.next("contacts", (f) => f.event === "accepted")).toMatchObject({ user: { id: ann.id } });
    await annPhone.next("conversation", (f) => f.event === "added");

    // a profile change reaches the contact's devices and the user's own
    await ben.client.account.updateProfile.mutate({ displayName: "Benjamin", statusText: "on a boat" });
    expect(await annPhone.next("contacts", (f) => f.event === "profile")).toMatchObject({
      user: { id: ben.id, displayName: "Benjamin", statusText: "on a boat" },
    });
    expect(await benOn1.next("contacts", (f) => f.event === "profile")).toMatchObject({ user: { id: ben.id } });
  });

  it("a block: the blocked user's sends, edits and typing get a stranger's answers, byte for byte; the blocker's READ_ONLY; unblock restores", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const ann = await sys.register();
    const ben = await sys.register();
    const cat = await sys.register();
    const conv = await befriend(ann, ben);
    await befriend(ann, cat);
    const { conversation: group } = await ann.client.groups.create.mutate({ title: "both", memberIds: [ben.id] });
    const annOn0 = (await connectAs(n0, ann.id)).client;
    const benOn1 = (await connectAs(n1, ben.id)).client;
    const catOn1 = (await connectAs(n1, cat.id)).client;

    // before: ben's message and typing reach ann
    const before = sendText(benOn1, conv);
    const first = await annOn0.next("message", (f) => f.message.clientMsgId === before);
    await benOn1.next("sent", (f) => f.clientMsgId === before);
    benOn1.send({ type: "typing", conversationId: conv });
    await annOn0.next("typing", (f) => f.userId === ben.id);

    await ann.client.contacts.block.mutate({ userId: ben.id });
    expect(await annOn0.next("contacts", (f) => f.event === "blocked")).toMatchObject({ user: { id: ben.id } });
    // ben hears nothing of the block; ann just looks offline to him
    expect(await benOn1.next("presence", (f) => f.contacts.some((c) => c.userId === ann.id))).toMatchObject({
      contacts: [{ userId: ann.id, online: false, lastSeenAt: null }],
    });
    // blocking twice is fine and changes nothing
    await ann.client.contacts.block.mutate({ userId: ben.id });
    expect(await ann.client.contacts.blocked.query()).toMatchObject([{ user: { id: ben.id } }]);

    // the same clientMsgId from ben (blocked) and from cat (a stranger to this conversation)
    const id = clientMsgId();
    sendText(benOn1, conv, id);
    sendText(catOn1, conv, id);
    const blockedAnswer = await refusal(benOn1, id);
    const strangerAnswer = await refusal(catOn1, id);
    expect(blockedAnswer.code).toBe(ErrorCode.Forbidden);
    expect(JSON.stringify(blockedAnswer)).toBe(JSON.stringify(strangerAnswer));
    // an edit of his own earlier message: the same answer again
    const edit = clientMsgId();
    benOn1.send({ type: "send", conversationId: conv, clientMsgId: edit, kind: "edit", targetSeq: first.message.seq, body: "edited" });
    expect(await refusal(benOn1, edit)).toMatchObject({ code: ErrorCode.Forbidden, message: strangerAnswer.message });
    // typing: as a stranger's, both ways (another socket of ben's: the first typed a moment ago)
    const benTablet = (await connectAs(n1, ben.id)).client;
    benTablet.send({ type: "typing", conversationId: conv });
    catOn1.send({ type: "typing", conversationId: conv });
    const blockedTyping = await benTablet.next("error", (f) => f.ref === "typing");
    expect(JSON.stringify(blockedTyping)).toBe(JSON.stringify(await catOn1.next("error", (f) => f.ref === "typing")));
    annOn0.send({ type: "typing", conversationId: conv });
    expect((await annOn0.next("error", (f) => f.ref === "typing")).code).toBe(ErrorCode.Forbidden);
    // the blocker may not write either (unblock first), and knows why
    const mine = sendText(annOn0, conv);
    expect(await refusal(annOn0, mine)).toMatchObject({ code: ErrorCode.ReadOnly });
    // a re-send of ben's message from before the block still gets its original answer
    sendText(benOn1, conv, before);
    expect(await benOn1.next("sent", (f) => f.clientMsgId === before)).toMatchObject({ duplicate: true, seq: first.message.seq });
    // groups: messages still flow both ways
    const inGroup = sendText(benOn1, group.id);
    await annOn0.next("message", (f) => f.message.clientMsgId === inGroup);
    // presence: ann's presence.query no longer lists ben, ben's no longer lists ann
    benOn1.send({ type: "presence.query" });
    const benSees = await benOn1.next("presence", (f) => f.full);
    expect(benSees.contacts.map((c) => c.userId)).not.toContain(ann.id);
    annOn0.send({ type: "presence.query" });
    expect((await annOn0.next("presence", (f) => f.full)).contacts.map((c) => c.userId)).toEqual([cat.id]);
    await benOn1.roundTrip();
    expect(benOn1.all("contacts").filter((f) => f.event === "blocked" || f.event === "unblocked")).toEqual([]);
    expect(benOn1.all("message").filter((f) => f.message.conversationId === conv && f.message.senderId === ann.id)).toEqual([]);

    await ann.client.contacts.unblock.mutate({ userId: ben.id });
    await annOn0.next("contacts", (f) => f.event === "unblocked");
    // unblocking again (not blocked any more) is fine
    await ann.client.contacts.unblock.mutate({ userId: ben.id });
    expect(await ann.client.contacts.blocked.query()).toEqual([]);
    const after = sendText(benOn1, conv);
    await annOn0.next("message", (f) => f.message.clientMsgId === after);
    // typing restored on ben's node (its cached view was dropped by direct.changed); a refused
    // typing did not count against the socket's rate
    benTablet.send({ type: "typing", conversationId: conv });
    await annOn0.next("typing", (f) => f.userId === ben.id && f.conversationId === conv);
    expect(benOn1.all("contacts")).toEqual([]);
  });

  it("bad inputs: blocking yourself, an unknown or deleted user; typed errors and nothing changes", async () => {
    const ann = await sys.register();
    const gone = await sys.register();
    await gone.client.account.delete.mutate({ password: "password-1234" });
    const codeOf = (p: Promise<unknown>) => p.then(() => "ok", (e: { data?: { appCode?: string; code?: string } }) => e.data?.appCode ?? e.data?.code);
    expect(await codeOf(ann.client.contacts.block.mutate({ userId: ann.id }))).toBe(ErrorCode.BadRequest);
    expect(await codeOf(ann.client.contacts.block.mutate({ userId: "7d1e9a24-3c8b-4f6e-a2d5-9b0c4e8f1a37" }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(ann.client.contacts.block.mutate({ userId: gone.id }))).toBe(ErrorCode.NotFound);
    expect(await codeOf(ann.client.contacts.unblock.mutate({ userId: ann.id }))).toBe(ErrorCode.BadRequest);
    expect(await codeOf(ann.client.contacts.remove.mutate({ userId: ann.id }))).toBe(ErrorCode.BadRequest);
    expect(await codeOf(ann.client.contacts.block.mutate({ userId: "not-a-uuid" } as never))).toBe(ErrorCode.BadRequest);
    expect(await ann.client.contacts.blocked.query()).toEqual([]);
  });

  it("a blocked user's contact request gets the answer a request to a disabled account gets; the blocker's own is CONFLICT", async () => {
    const ann = await sys.register();
    const ben = await sys.register();
    const dan = await sys.register();
    await sys.prisma.user.update({ where: { id: dan.id }, data: { disabledAt: new Date() } });
    await ann.client.contacts.block.mutate({ userId: ben.id });
    const answer = (p: Promise<unknown>) => p.then(() => null, (e: { message: string; data?: unknown }) => JSON.stringify({ message: e.message, data: e.data }));
    const blocked = await answer(ben.client.contacts.request.mutate({ username: ann.username }));
    const disabled = await answer(ben.client.contacts.request.mutate({ username: dan.username }));
    expect(blocked).toContain(ErrorCode.Forbidden);
    expect(blocked).toBe(disabled);
    expect(await answer(ann.client.contacts.request.mutate({ username: ben.username }))).toContain(ErrorCode.Conflict);
    expect((await ann.client.contacts.requests.query()).incoming).toEqual([]);
  });

  it("removing a contact: both told, read-only both ways, history kept; re-adding by a new request writes again", async () => {
    const [n0, n1] = [sys.nodes[0]!, sys.nodes[1]!];
    const ann = await sys.register();
    const ben = await sys.register();
    const conv = await befriend(ann, ben);
    const annOn0 = (await connectAs(n0, ann.id)).client;
    const benOn1 = (await connectAs(n1, ben.id)).client;
    const hello = sendText(annOn0, conv);
    await benOn1.next("message", (f) => f.message.clientMsgId === hello);

    await ann.client.contacts.remove.mutate({ userId: ben.id });
    expect(await annOn0.next("contacts", (f) => f.event === "removed")).toMatchObject({ user: { id: ben.id } });
    expect(await benOn1.next("contacts", (f) => f.event === "removed")).toMatchObject({ user: { id: ann.id } });
    await ann.client.contacts.remove.mutate({ userId: ben.id }); // idempotent
    expect(await ben.client.contacts.list.query()).toEqual([]);
    for (const [client, id] of [[annOn0, sendText(annOn0, conv)], [benOn1, sendText(benOn1, conv)]] as const) {
      expect(await refusal(client, id)).toMatchObject({ code: ErrorCode.ReadOnly });
    }
    benOn1.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    expect((await benOn1.next("sync.batch")).messages.map((m) => m.clientMsgId)).toEqual([hello]);

    const request = await ben.client.contacts.request.mutate({ username: ann.username });
    await annOn0.next("contacts", (f) => f.event === "request" && f.user.id === ben.id);
    const { contact } = await ann.client.contacts.accept.mutate({ requestId: request.id });
    expect(contact.conversationId).toBe(conv);
    await benOn1.next("contacts", (f) => f.event === "accepted");
    const back = sendText(benOn1, conv);
    await annOn0.next("message", (f) => f.message.clientMsgId === back);
  });

  it("a deleted user's conversation: the contact is told and a send there is READ_ONLY", async () => {
    const ann = await sys.register();
    const ben = await sys.register();
    const conv = await befriend(ann, ben);
    const annOn0 = (await connectAs(sys.nodes[0]!, ann.id)).client;
    await ben.client.account.delete.mutate({ password: "password-1234" });
    expect(await annOn0.next("contacts", (f) => f.event === "removed")).toMatchObject({ user: { id: ben.id, displayName: "Deleted user" } });
    const id = sendText(annOn0, conv);
    expect(await refusal(annOn0, id)).toMatchObject({ code: ErrorCode.ReadOnly, message: expect.stringContaining("deleted") });
  });
});
