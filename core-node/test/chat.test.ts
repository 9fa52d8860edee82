import { describe, expect, it } from "vitest";
import { MemoryHub } from "@dim/infra";
import type { MessageStore } from "@dim/db";
import {
  clientMsgId,
  connectAs,
  createConversation,
  createUser,
  openSocket,
  startCluster,
  startNode,
  tokenFor,
  useTestDatabase,
} from "./helpers/cluster";

const db = useTestDatabase();

describe("two users on two nodes", () => {
  it("chat: message, sent, delivered receipt, read receipt", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma, "alice");
    const bob = await createUser(db.prisma, "bob");
    const conv = await createConversation(db.prisma, [alice, bob]);

    const { client: ca, welcome } = await connectAs(a, alice);
    expect(welcome).toMatchObject({ nodeId: a.nodeId, userId: alice, v: 1 });
    expect(welcome.conversations).toEqual([{ conversationId: conv, lastSeq: 0, deliveredSeq: 0, readSeq: 0 }]);
    const { client: cb } = await connectAs(b, bob);

    const id = clientMsgId();
    ca.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "text", body: "hello bob" });
    const sent = await ca.next("sent");
    expect(sent).toMatchObject({ clientMsgId: id, conversationId: conv, seq: 1, duplicate: false });

    const pushed = await cb.next("message");
    expect(pushed.message).toMatchObject({
      id: sent.messageId,
      conversationId: conv,
      seq: 1,
      senderId: alice,
      clientMsgId: id,
      kind: "text",
      body: "hello bob",
      createdAt: sent.createdAt,
    });

    cb.send({ type: "ack", conversationId: conv, seq: 1 });
    expect(await ca.next("receipt")).toEqual({ type: "receipt", conversationId: conv, userId: bob, kind: "delivered", seq: 1 });

    cb.send({ type: "read", conversationId: conv, seq: 1 });
    expect(await ca.next("receipt")).toEqual({ type: "receipt", conversationId: conv, userId: bob, kind: "read", seq: 1 });

    const member = await db.prisma.conversationMember.findUniqueOrThrow({
      where: { conversationId_userId: { conversationId: conv, userId: bob } },
    });
    expect([member.deliveredSeq, member.readSeq]).toEqual([1n, 1n]);

    // and back, on the other leg
    cb.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "hi alice" });
    expect(await cb.next("sent")).toMatchObject({ seq: 2, duplicate: false });
    expect((await ca.next("message")).message).toMatchObject({ seq: 2, senderId: bob, body: "hi alice" });
    // the sender never gets its own message pushed on the sending socket
    await cb.roundTrip();
    expect(cb.all("message")).toHaveLength(1);
  });

  it("pushes to every connection of every member, including the sender's other ones", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const carol = await createUser(db.prisma);
    const group = await createConversation(db.prisma, [alice, bob, carol]);

    const { client: alicePhone } = await connectAs(a, alice);
    const { client: aliceLaptop } = await connectAs(b, alice);
    const { client: bobOnA } = await connectAs(a, bob);
    const { client: bobOnB } = await connectAs(b, bob);
    const { client: carolOnB } = await connectAs(b, carol);

    alicePhone.send({ type: "send", conversationId: group, clientMsgId: clientMsgId(), kind: "text", body: "all" });
    const sent = await alicePhone.next("sent");
    for (const c of [aliceLaptop, bobOnA, bobOnB, carolOnB]) {
      expect((await c.next("message")).message.id).toBe(sent.messageId);
    }
    await alicePhone.roundTrip();
    expect(alicePhone.all("message")).toHaveLength(0);

    // group receipts are coalesced into `receipts` frames addressed to the authors of the
    // messages a cursor passed (alice), and on a read to the reader's own devices (the 1:1
    // `receipt` frame is for direct conversations: see above)
    carolOnB.send({ type: "ack", conversationId: group, seq: 1 });
    for (const c of [alicePhone, aliceLaptop]) {
      expect(await c.next("receipts")).toEqual({ type: "receipts", conversationId: group, cursors: [{ userId: carol, deliveredSeq: 1, readSeq: 0, joinedSeq: 1 }] });
    }
    bobOnA.send({ type: "read", conversationId: group, seq: 1 });
    for (const c of [bobOnB, alicePhone, aliceLaptop, bobOnA]) {
      expect(await c.next("receipts")).toEqual({ type: "receipts", conversationId: group, cursors: [{ userId: bob, deliveredSeq: 1, readSeq: 1, joinedSeq: 1 }] });
    }
    // carol wrote nothing bob passed, bob nothing carol passed: neither hears of the other
    await carolOnB.roundTrip();
    expect(carolOnB.all("receipts")).toEqual([]);
    expect(bobOnB.all("receipts").flatMap((f) => f.cursors).filter((c) => c.userId === carol)).toEqual([]);
    await bobOnA.roundTrip();
    expect(bobOnA.all("receipt")).toHaveLength(0);
  });

  it("a re-sent clientMsgId is stored once and answered with the same seq", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(a, alice);
    const { client: cb } = await connectAs(b, bob);

    const frame = { type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "once" };
    ca.send(frame);
    const first = await ca.next("sent");
    ca.send(frame);
    const second = await ca.next("sent");
    expect(first.duplicate).toBe(false);
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await db.prisma.message.count({ where: { conversationId: conv } })).toBe(1);

    // re-delivered (the first push may be what was lost); same message id, so a client shows it once
    const p1 = await cb.next("message");
    const p2 = await cb.next("message");
    expect(p2.message).toEqual(p1.message);
    expect(new Set(cb.all("message").map((f) => f.message.id)).size).toBe(1);

    // same id, different content: a typed error that names the send, and nothing stored
    ca.send({ ...frame, body: "changed" });
    expect(await ca.next("error")).toMatchObject({ code: "IDEMPOTENCY_CONFLICT", ref: frame.clientMsgId });
    expect(await db.prisma.message.count({ where: { conversationId: conv } })).toBe(1);
  });

  it("an offline recipient gets everything on connect, in order, via welcome cursors and sync", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(a, alice);
    for (let i = 1; i <= 5; i++) {
      ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: `m${i}` });
      expect(await ca.next("sent")).toMatchObject({ seq: i });
    }

    const { client: cb, welcome } = await connectAs(b, bob);
    expect(welcome.conversations).toEqual([{ conversationId: conv, lastSeq: 5, deliveredSeq: 0, readSeq: 0 }]);
    expect(cb.all("message")).toHaveLength(0);

    cb.send({ type: "sync", conversationId: conv, afterSeq: 0, limit: 3 });
    const page1 = await cb.next("sync.batch");
    expect(page1).toMatchObject({ conversationId: conv, hasMore: true, lastSeq: 3 });
    expect(page1.messages.map((m) => m.body)).toEqual(["m1", "m2", "m3"]);
    cb.send({ type: "sync", conversationId: conv, afterSeq: page1.lastSeq, limit: 3 });
    const page2 = await cb.next("sync.batch");
    expect(page2).toMatchObject({ hasMore: false, lastSeq: 5 });
    expect(page2.messages.map((m) => m.seq)).toEqual([4, 5]);

    cb.send({ type: "ack", conversationId: conv, seq: 5 });
    expect(await ca.next("receipt")).toMatchObject({ userId: bob, kind: "delivered", seq: 5 });

    // up to date: an empty batch that says so
    cb.send({ type: "sync", conversationId: conv, afterSeq: 5 });
    expect(await cb.next("sync.batch")).toMatchObject({ messages: [], hasMore: false, lastSeq: 5 });
  });

  it("a message committed while a socket authenticates is pushed right after its welcome, never before", async () => {
    const hub = new MemoryHub();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let entered!: () => void;
    const inCursors = new Promise<void>((r) => (entered = r));
    const slowWelcome = (store: MessageStore): MessageStore =>
      Object.assign(Object.create(store) as MessageStore, {
        async cursorsOf(userId: string) {
          entered();
          await gate;
          return store.cursorsOf(userId);
        },
      });
    const a = await startNode(db, hub, { store: slowWelcome });
    const b = await startNode(db, hub);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: cb } = await connectAs(b, bob);

    const ca = await openSocket(a);
    ca.send({ type: "auth", v: 1, token: tokenFor(alice, a.nodeId) });
    await inCursors; // alice is bound and leased; her welcome is not written yet
    cb.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "text", body: "early" });
    await cb.next("sent");
    await hub.drain();
    release();

    await ca.next("message");
    expect(ca.frames.map((f) => f.type)).toEqual(["welcome", "message"]);
  });
});
