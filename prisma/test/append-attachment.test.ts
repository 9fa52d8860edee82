/**
 * The append of an image / file message (append-attachment.ts) on a real database: it binds the
 * sender's own unsent upload of that kind, exactly once, and refuses anything else storing nothing.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, messageSchema } from "@dim/shared";
import pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import { PrismaMessageStore } from "../src/prisma-message-store";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { appErrorOf, fixtures } from "./helpers/fixtures";

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let store: PrismaMessageStore;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = createPgPool(db.url);
  store = new PrismaMessageStore(prisma, { pool });
});
afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const { user, conversation, lastSeq } = fixtures(() => prisma);

async function uploaded(ownerId: string, kind: "image" | "file"): Promise<string> {
  const id = randomUUID();
  await prisma.attachment.create({
    data: {
      id,
      ownerId,
      kind,
      sha256: "a".repeat(64),
      size: 1234,
      mime: kind === "image" ? "image/webp" : "application/pdf",
      name: kind === "image" ? "cat.webp" : "doc.pdf",
      ...(kind === "image" ? { width: 40, height: 30, thumbnailKey: "b".repeat(64), placeholder: "AAAA" } : {}),
    },
  });
  return id;
}

const bound = async (id: string) => (await prisma.attachment.findUniqueOrThrow({ where: { id } })).messageId;

describe("append of an image / file message", () => {
  it("binds the attachment and returns the message with it, in the protocol's shape; a re-send is the same message", async () => {
    const [a, b] = [await user(), await user()];
    const conv = await conversation([a, b]);
    const att = await uploaded(a, "image");
    const r = await store.append({ senderId: a, conversationId: conv, clientMsgId: "img-0001", kind: "image", body: "look", attachmentId: att });
    expect(r.duplicate).toBe(false);
    expect(r.message).toMatchObject({ seq: 1, kind: "image", body: "look", attachment: { id: att, kind: "image", mime: "image/webp", name: "cat.webp", size: 1234, width: 40, height: 30, placeholder: "AAAA" } });
    expect(messageSchema.safeParse(r.message).success).toBe(true);
    expect(await bound(att)).toBe(r.message.id);

    const again = await store.append({ senderId: a, conversationId: conv, clientMsgId: "img-0001", kind: "image", body: "look", attachmentId: att });
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(r.message.id);
    // The same clientMsgId for other content: a caption, a text, another attachment.
    const other = await uploaded(a, "image");
    for (const attempt of [
      () => store.append({ senderId: a, conversationId: conv, clientMsgId: "img-0001", kind: "image", body: "changed", attachmentId: att }),
      () => store.append({ senderId: a, conversationId: conv, clientMsgId: "img-0001", kind: "text", body: "look" }),
      () => store.append({ senderId: a, conversationId: conv, clientMsgId: "img-0001", kind: "image", body: "look", attachmentId: other }),
    ]) {
      expect((await appErrorOf(attempt())).code).toBe(ErrorCode.IdempotencyConflict);
    }
    expect(await bound(other)).toBeNull();
    expect(await lastSeq(conv)).toBe(1);

    const file = await uploaded(a, "file");
    const f = await store.append({ senderId: a, conversationId: conv, clientMsgId: "file-0001", kind: "file", body: "", attachmentId: file });
    expect(f.message).toMatchObject({ seq: 2, kind: "file", body: "", attachment: { id: file, kind: "file", name: "doc.pdf" } });
    expect(f.message.attachment).not.toHaveProperty("width");
    expect(messageSchema.safeParse(f.message).success).toBe(true);
  });

  it("refuses another's attachment, one sent already, the wrong kind, a missing one; stores nothing", async () => {
    const [a, b] = [await user(), await user()];
    const conv = await conversation([a, b]);
    const bs = await uploaded(b, "file");
    expect((await appErrorOf(store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0001", kind: "file", body: "", attachmentId: bs }))).code).toBe(ErrorCode.Forbidden);
    expect((await appErrorOf(store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0002", kind: "file", body: "", attachmentId: randomUUID() }))).code).toBe(ErrorCode.Forbidden);
    const img = await uploaded(a, "image");
    expect((await appErrorOf(store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0003", kind: "file", body: "", attachmentId: img }))).code).toBe(ErrorCode.BadRequest);
    expect((await appErrorOf(store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0004", kind: "image", body: "" }))).code).toBe(ErrorCode.BadRequest);
    expect((await appErrorOf(store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0005", kind: "text", body: "hi", attachmentId: img }))).code).toBe(ErrorCode.BadRequest);
    expect(await lastSeq(conv)).toBe(0);
    expect(await bound(bs)).toBeNull();
    expect(await bound(img)).toBeNull();

    await store.append({ senderId: a, conversationId: conv, clientMsgId: "x-0006", kind: "image", body: "", attachmentId: img });
    const other = await conversation([a, await user()]);
    const err = await appErrorOf(store.append({ senderId: a, conversationId: other, clientMsgId: "x-0007", kind: "image", body: "", attachmentId: img }));
    expect(err.code).toBe(ErrorCode.Conflict);
    expect(await lastSeq(other)).toBe(0);
  });

  it("a non-member may not send an attachment into the conversation", async () => {
    const [a, b, outsider] = [await user(), await user(), await user()];
    const conv = await conversation([a, b]);
    const att = await uploaded(outsider, "file");
    expect((await appErrorOf(store.append({ senderId: outsider, conversationId: conv, clientMsgId: "o-0001", kind: "file", body: "", attachmentId: att }))).code).toBe(ErrorCode.Forbidden);
    expect(await bound(att)).toBeNull();
    expect(await lastSeq(conv)).toBe(0);
  });
});
