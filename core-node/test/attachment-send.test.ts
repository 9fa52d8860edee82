/**
 * Image and file messages over real sockets on two nodes: a `send` of kind image/file binds the
 * sender's upload, the push and sync carry `message.attachment`, and a bad attachment gets its
 * typed error naming the send, storing nothing. (The upload itself: packages/api tests.)
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { messageSchema } from "@dim/shared";
import type { PrismaClient } from "@dim/db";
import { clientMsgId, connectAs, createConversation, createUser, startCluster, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

/** The row the upload route writes for an image (the bytes are not needed to send it). */
async function uploadedImage(prisma: PrismaClient, ownerId: string): Promise<string> {
  const id = randomUUID();
  await prisma.attachment.create({
    data: { id, ownerId, kind: "image", sha256: "d".repeat(64), size: 2048, mime: "image/jpeg", name: "cat.jpg", width: 64, height: 32, thumbnailKey: "e".repeat(64), placeholder: "AAAA" },
  });
  return id;
}

describe("sending an attachment", () => {
  it("is pushed to the other node and synced with its attachment; a second send of it is CONFLICT", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(a, alice);
    const { client: cb } = await connectAs(b, bob);
    const att = await uploadedImage(db.prisma, alice);

    const id = clientMsgId();
    ca.send({ type: "send", conversationId: conv, clientMsgId: id, kind: "image", attachmentId: att, caption: "our cat" });
    const sent = await ca.next("sent");
    expect(sent).toMatchObject({ clientMsgId: id, seq: 1, duplicate: false });

    const pushed = (await cb.next("message")).message;
    expect(messageSchema.safeParse(pushed).success).toBe(true);
    expect(pushed).toMatchObject({
      id: sent.messageId,
      kind: "image",
      body: "our cat",
      attachment: { id: att, kind: "image", mime: "image/jpeg", name: "cat.jpg", size: 2048, width: 64, height: 32, placeholder: "AAAA" },
    });
    cb.send({ type: "sync", conversationId: conv, afterSeq: 0 });
    expect((await cb.next("sync.batch")).messages).toEqual([pushed]);

    // The same attachment in a new message: refused, nothing stored.
    ca.send({ type: "send", conversationId: conv, clientMsgId: clientMsgId(), kind: "image", attachmentId: att });
    expect(await ca.next("error")).toMatchObject({ code: "CONFLICT" });
    expect(await db.prisma.message.count({ where: { conversationId: conv } })).toBe(1);
  });

  it("one upload sent at once from two nodes into two conversations: exactly one message has it, the other gets CONFLICT", async () => {
    const { a, b } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const carol = await createUser(db.prisma);
    const ab = await createConversation(db.prisma, [alice, bob]);
    const ac = await createConversation(db.prisma, [alice, carol]);
    const { client: onA } = await connectAs(a, alice);
    const { client: onB } = await connectAs(b, alice);
    for (let round = 0; round < 5; round++) {
      const att = await uploadedImage(db.prisma, alice);
      const [idA, idB] = [clientMsgId(), clientMsgId()];
      onA.send({ type: "send", conversationId: ab, clientMsgId: idA, kind: "image", attachmentId: att });
      onB.send({ type: "send", conversationId: ac, clientMsgId: idB, kind: "image", attachmentId: att });
      const outcome = (c: typeof onA, id: string) =>
        Promise.race([
          c.next("sent", (f) => f.clientMsgId === id).then((f) => ({ sent: f.messageId })),
          c.next("error", (f) => f.ref === id).then((f) => ({ error: f.code })),
        ]);
      const results = await Promise.all([outcome(onA, idA), outcome(onB, idB)]);
      expect(results.filter((r) => "sent" in r), JSON.stringify(results)).toHaveLength(1);
      expect(results.filter((r) => "error" in r)).toEqual([{ error: "CONFLICT" }]);
      const winner = results.find((r) => "sent" in r) as { sent: string };
      const carrying = await db.prisma.message.findMany({ where: { attachment: { path: ["id"], equals: att } } });
      expect(carrying.map((m) => m.id)).toEqual([winner.sent]);
      expect((await db.prisma.attachment.findUniqueOrThrow({ where: { id: att } })).messageId).toBe(winner.sent);
    }
    // five messages in all over the two conversations, seqs without gaps (the loser bumped nothing)
    const convs = await db.prisma.conversation.findMany({ where: { id: { in: [ab, ac] } } });
    const counts = await Promise.all([ab, ac].map((c) => db.prisma.message.count({ where: { conversationId: c } })));
    expect(counts[0]! + counts[1]!).toBe(5);
    for (const [i, c] of [ab, ac].entries()) expect(Number(convs.find((x) => x.id === c)!.lastSeq)).toBe(counts[i]);
  });

  it("someone else's upload, or one of the other kind: FORBIDDEN / BAD_REQUEST naming the send, nothing stored", async () => {
    const { a } = await startCluster(db);
    const alice = await createUser(db.prisma);
    const bob = await createUser(db.prisma);
    const conv = await createConversation(db.prisma, [alice, bob]);
    const { client: ca } = await connectAs(a, alice);
    const bobs = await uploadedImage(db.prisma, bob);
    const own = await uploadedImage(db.prisma, alice);

    const theft = clientMsgId();
    ca.send({ type: "send", conversationId: conv, clientMsgId: theft, kind: "image", attachmentId: bobs });
    expect(await ca.next("error")).toMatchObject({ code: "FORBIDDEN", ref: theft });
    const wrongKind = clientMsgId();
    ca.send({ type: "send", conversationId: conv, clientMsgId: wrongKind, kind: "file", attachmentId: own });
    expect(await ca.next("error")).toMatchObject({ code: "BAD_REQUEST", ref: wrongKind });
    expect(await db.prisma.message.count({ where: { conversationId: conv } })).toBe(0);
    expect(await db.prisma.attachment.count({ where: { id: { in: [bobs, own] }, messageId: { not: null } } })).toBe(0);
  });
});
