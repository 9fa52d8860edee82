import { describe, expect, it } from "vitest";
import { ErrorCode, parseNodeEnvelope, type NodeEnvelope } from "@dim/shared";
import { befriend, expectAppError, send, useTestGateway } from "./helpers";

describe("conversations", () => {
  const gw = useTestGateway();

  it("lists conversations with last message, unread count (others' messages only) and cursors", async () => {
    const { A, B, conversationId } = await befriend(gw, "amy", "bert");
    let [summary] = await A.client.conversations.list.query();
    expect(summary).toMatchObject({
      id: conversationId,
      kind: "direct",
      title: "bert",
      peer: { username: "bert" },
      lastMessage: null,
      lastSeq: 0,
      unreadCount: 0,
      readSeq: 0,
      peersReadSeq: 0,
    });

    await send(gw, A.id, conversationId, "hi bert");
    await send(gw, B.id, conversationId, "hi amy");
    await send(gw, B.id, conversationId, "how are you?");
    await send(gw, A.id, conversationId, "fine");

    [summary] = await A.client.conversations.list.query();
    expect(summary!.lastSeq).toBe(4);
    expect(summary!.lastMessage).toMatchObject({ seq: 4, body: "fine", senderId: A.id, conversationId });
    expect(summary!.unreadCount).toBe(2); // bert's two; amy's own never count
    const [bSummary] = await B.client.conversations.list.query();
    expect(bSummary!.unreadCount).toBe(2);
    expect(bSummary!.title).toBe("amy");

    await B.client.conversations.markRead.mutate({ conversationId, seq: 3 });
    expect((await B.client.conversations.list.query())[0]!.unreadCount).toBe(1);
    [summary] = await A.client.conversations.list.query();
    expect(summary!.peersReadSeq).toBe(3);
    expect(summary!.peersDeliveredSeq).toBe(3); // read implies delivered

    await gw.store.advanceCursor(conversationId, B.id, "delivered", 4);
    expect((await A.client.conversations.list.query())[0]!.peersDeliveredSeq).toBe(4);
  });

  it("orders conversations by latest activity", async () => {
    const one = await befriend(gw, "cara", "dina");
    const cara = one.A;
    const eli = await gw.register("eli");
    const req = await cara.client.contacts.request.mutate({ username: "eli" });
    const { contact } = await eli.client.contacts.accept.mutate({ requestId: req.id });
    await send(gw, cara.id, one.conversationId, "first");
    await new Promise((r) => setTimeout(r, 5));
    await send(gw, eli.id, contact.conversationId, "second");
    expect((await cara.client.conversations.list.query()).map((c) => c.peer?.username)).toEqual(["eli", "dina"]);
    await new Promise((r) => setTimeout(r, 5));
    await send(gw, cara.id, one.conversationId, "third");
    expect((await cara.client.conversations.list.query()).map((c) => c.peer?.username)).toEqual(["dina", "eli"]);
  });

  it("pages history backwards and forwards, ascending, with hasMore", async () => {
    const { A, B, conversationId } = await befriend(gw, "fred", "gina");
    for (let i = 1; i <= 7; i++) await send(gw, i % 2 ? A.id : B.id, conversationId, `m${i}`);
    const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

    const newest = await A.client.conversations.history.query({ conversationId, limit: 3 });
    expect(seqs(newest)).toEqual([5, 6, 7]);
    expect(newest).toMatchObject({ hasMore: true, lastSeq: 7 });
    const older = await A.client.conversations.history.query({ conversationId, beforeSeq: 5, limit: 3 });
    expect(seqs(older)).toEqual([2, 3, 4]);
    expect(older.hasMore).toBe(true);
    const oldest = await A.client.conversations.history.query({ conversationId, beforeSeq: 2, limit: 3 });
    expect(seqs(oldest)).toEqual([1]);
    expect(oldest.hasMore).toBe(false);

    const fwd = await B.client.conversations.history.query({ conversationId, afterSeq: 0, limit: 4 });
    expect(seqs(fwd)).toEqual([1, 2, 3, 4]);
    expect(fwd.hasMore).toBe(true);
    const rest = await B.client.conversations.history.query({ conversationId, afterSeq: 4, limit: 4 });
    expect(seqs(rest)).toEqual([5, 6, 7]);
    expect(rest.hasMore).toBe(false);
    const none = await B.client.conversations.history.query({ conversationId, afterSeq: 7 });
    expect(none).toEqual({ messages: [], hasMore: false, lastSeq: 7 });
    expect(rest.messages[0]).toMatchObject({ body: "m5", senderId: A.id, kind: "text" });

    await expectAppError(
      B.client.conversations.history.query({ conversationId, afterSeq: 1, beforeSeq: 5 }),
      ErrorCode.BadRequest,
    );
  });

  it("refuses history and markRead to non-members (FORBIDDEN), also for unknown conversations", async () => {
    const { conversationId } = await befriend(gw, "hank", "iris");
    const outsider = await gw.register("jack");
    await expectAppError(outsider.client.conversations.history.query({ conversationId }), ErrorCode.Forbidden);
    await expectAppError(outsider.client.conversations.markRead.mutate({ conversationId, seq: 1 }), ErrorCode.Forbidden);
    await expectAppError(
      outsider.client.conversations.history.query({ conversationId: "00000000-0000-4000-8000-000000000000" }),
      ErrorCode.Forbidden,
    );
    await expectAppError(gw.anon.conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
  });

  it("markRead never moves back and is capped at the last seq", async () => {
    const { A, B, conversationId } = await befriend(gw, "kate", "liam");
    for (let i = 0; i < 5; i++) await send(gw, A.id, conversationId, `x${i}`);
    expect(await B.client.conversations.markRead.mutate({ conversationId, seq: 4 })).toEqual({ readSeq: 4 });
    expect(await B.client.conversations.markRead.mutate({ conversationId, seq: 2 })).toEqual({ readSeq: 4 });
    expect(await B.client.conversations.markRead.mutate({ conversationId, seq: 99 })).toEqual({ readSeq: 5 });
    const member = await gw.prisma.conversationMember.findUniqueOrThrow({
      where: { conversationId_userId: { conversationId, userId: B.id } },
    });
    expect(Number(member.readSeq)).toBe(5);
    await expectAppError(B.client.conversations.markRead.mutate({ conversationId, seq: 0 }), ErrorCode.BadRequest);
  });

  it("markRead publishes a read receipt to the nodes holding the members' connections", async () => {
    const { A, B, conversationId } = await befriend(gw, "mona", "ned");
    await send(gw, A.id, conversationId, "read me");
    const received: Array<{ node: string; envelope: NodeEnvelope | undefined }> = [];
    const decode = (payload: string) => {
      const parsed = parseNodeEnvelope(payload);
      return parsed.ok ? parsed.envelope : undefined;
    };
    await gw.infra.bus.subscribe("node-a", async (payload) => void received.push({ node: "node-a", envelope: decode(payload) }));
    await gw.infra.bus.subscribe("node-b", async (payload) => void received.push({ node: "node-b", envelope: decode(payload) }));
    await gw.infra.presence.claim(
      [
        { userId: A.id, nodeId: "node-a", connectionId: "c1" },
        { userId: B.id, nodeId: "node-b", connectionId: "c2" },
      ],
      60_000,
    );

    await B.client.conversations.markRead.mutate({ conversationId, seq: 1 });
    await gw.infra.hub.drain();
    const receipt = { type: "receipt", conversationId, userId: B.id, kind: "read", seq: 1 };
    expect(received.find((r) => r.node === "node-a")?.envelope).toEqual({ ...receipt, recipients: [A.id] });
    expect(received.find((r) => r.node === "node-b")?.envelope).toEqual({ ...receipt, recipients: [B.id] });

    // Nothing new to say: no second receipt.
    received.length = 0;
    await B.client.conversations.markRead.mutate({ conversationId, seq: 1 });
    await gw.infra.hub.drain();
    expect(received).toEqual([]);
  });
});
