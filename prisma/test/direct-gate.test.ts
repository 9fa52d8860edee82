/**
 * The store's direct-conversation gate (append-sql.ts directGate) on a real PostgreSQL, through
 * every append path: the single-row statement, the group-commit batch, the attachment append and
 * the events. A user the peer blocked gets exactly the non-member answer; the blocker, a removed
 * contact and the peer of a deleted user get READ_ONLY; re-sends of earlier messages still get
 * their stored answer; a group is not gated; `membership` says whether the pair is open.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import { PrismaMessageStore } from "../src/prisma-message-store";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { appErrorOf, fixtures } from "./helpers/fixtures";

let db: TestDatabase;
let prisma: PrismaClient;
let pool: ReturnType<typeof createPgPool>;
let store: PrismaMessageStore;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = createPgPool(db.url, { poolSize: 4, applicationName: "dim-test-gate" });
  store = new PrismaMessageStore(prisma, { pool });
});
afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const { user, conversation } = fixtures(() => prisma);
const text = (senderId: string, conversationId: string, clientMsgId: string = randomUUID()) =>
  store.append({ senderId, conversationId, clientMsgId, kind: "text", body: "hello" });

describe("direct conversation gate", () => {
  it("single appends, batches, attachments and events: a block answers as to a stranger; blocker, removal and deletion READ_ONLY", async () => {
    const [ann, ben, cat] = [await user(), await user(), await user()];
    const conv = await conversation([ann, ben]);
    const group = await conversation([ann, ben, cat]);
    const early = await text(ben, conv, "early");
    expect((await store.membership(conv))?.open).toBe(true);

    await prisma.userBlock.create({ data: { blockerId: ann, blockedId: ben } });
    expect((await store.membership(conv))?.open).toBe(false);
    const stranger = await appErrorOf(text(cat, conv));
    expect(stranger.code).toBe(ErrorCode.Forbidden);
    const single = await appErrorOf(text(ben, conv));
    expect([single.code, single.message]).toEqual([stranger.code, stranger.message]);

    // one batch (issued together): the gated rows fail alone, the others are stored
    const batch = await Promise.allSettled([text(ben, conv), text(ann, conv), text(ann, group), text(ben, group), text(cat, conv), text(ben, conv, "early")]);
    const [benDirect, annDirect, annGroup, benGroup, catDirect, resent] = batch;
    expect(benDirect).toMatchObject({ status: "rejected", reason: { code: ErrorCode.Forbidden, message: stranger.message } });
    expect(annDirect).toMatchObject({ status: "rejected", reason: { code: ErrorCode.ReadOnly } });
    expect(annGroup).toMatchObject({ status: "fulfilled" });
    expect(benGroup).toMatchObject({ status: "fulfilled" });
    expect(catDirect).toMatchObject({ status: "rejected", reason: { code: ErrorCode.Forbidden, message: stranger.message } });
    expect(resent).toMatchObject({ status: "fulfilled", value: { duplicate: true, message: { seq: early.message.seq } } });

    // an attachment and an event of the blocked user: the same answer
    const attachmentId = randomUUID();
    await prisma.attachment.create({ data: { id: attachmentId, ownerId: ben, kind: "file", sha256: "a".repeat(64), size: 1, mime: "text/plain", name: "a.txt" } });
    const attached = await appErrorOf(store.append({ senderId: ben, conversationId: conv, clientMsgId: randomUUID(), kind: "file", body: "", attachmentId }));
    expect([attached.code, attached.message]).toEqual([stranger.code, stranger.message]);
    const reaction = await appErrorOf(store.append({ senderId: ben, conversationId: conv, clientMsgId: randomUUID(), kind: "reaction", body: "👍", targetSeq: early.message.seq }));
    expect([reaction.code, reaction.message]).toEqual([stranger.code, stranger.message]);
    expect((await appErrorOf(store.append({ senderId: ann, conversationId: conv, clientMsgId: randomUUID(), kind: "reaction", body: "👍", targetSeq: early.message.seq }))).code).toBe(ErrorCode.ReadOnly);

    // unblocked: open again; removed (no contact rows): READ_ONLY both ways, the block never shows through it
    await prisma.userBlock.deleteMany({});
    await text(ben, conv);
    await prisma.contact.deleteMany({ where: { conversationId: conv } });
    await prisma.userBlock.create({ data: { blockerId: ann, blockedId: ben } });
    for (const sender of [ann, ben]) expect((await appErrorOf(text(sender, conv))).code).toBe(ErrorCode.ReadOnly);
    expect((await store.membership(conv))?.open).toBe(false);
    expect((await store.membership(group))?.open).toBe(true);
  });

  it("the peer of a deleted user: READ_ONLY, saying so", async () => {
    const [ann, ben] = [await user(), await user()];
    const conv = await conversation([ann, ben]);
    await prisma.user.update({ where: { id: ben }, data: { deletedAt: new Date() } });
    const err = await appErrorOf(text(ann, conv));
    expect(err.code).toBe(ErrorCode.ReadOnly);
    expect(err.message).toContain("deleted");
  });
});
