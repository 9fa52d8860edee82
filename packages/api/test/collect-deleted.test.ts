/**
 * Delete for everyone removes an attachment's bytes: the core node's delete (the store) deletes the
 * attachment row and queues its blob keys; the gateway's sweep (collectDeletedBlobs) deletes each
 * blob no other attachment uses, on a real database and a real disk blob store.
 */
import { randomUUID, createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPrisma, PrismaMessageStore, type PrismaClient } from "@dim/db";
import { createTestDatabase, type TestDatabase } from "@dim/db/testing";
import { DiskBlobStore } from "@dim/infra";
import { collectDeletedBlobs } from "../src/attachments/collect-deleted";

let db: TestDatabase;
let prisma: PrismaClient;
let store: PrismaMessageStore;
let dir: string;
let blobs: DiskBlobStore;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  store = new PrismaMessageStore(prisma);
  dir = await mkdtemp(join(tmpdir(), "dim-blobs-"));
  blobs = new DiskBlobStore(dir);
});
afterAll(async () => {
  await prisma?.$disconnect();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function user(): Promise<string> {
  const id = randomUUID();
  await prisma.user.create({ data: { id, username: `u_${id.slice(0, 12)}`, passwordHash: "x", displayName: "U" } });
  return id;
}

async function uploadedFile(ownerId: string, bytes: string): Promise<{ id: string; key: string }> {
  const key = createHash("sha256").update(bytes).digest("hex");
  await blobs.putBytes(key, Buffer.from(bytes));
  const id = randomUUID();
  await prisma.attachment.create({ data: { id, ownerId, kind: "file", sha256: key, size: bytes.length, mime: "application/pdf", name: "a.pdf" } });
  return { id, key };
}

describe("blobs of messages deleted for everyone", () => {
  it("are deleted by the sweep unless another attachment uses the same bytes", async () => {
    const [a, b] = [await user(), await user()];
    const c = randomUUID();
    await prisma.conversation.create({ data: { id: c, kind: "direct", members: { create: [{ userId: a }, { userId: b }] } } });
    await prisma.contact.createMany({ data: [{ ownerId: a, peerId: b, conversationId: c }, { ownerId: b, peerId: a, conversationId: c }] });
    const alone = await uploadedFile(a, "only here");
    const shared = await uploadedFile(a, "twice");
    const twin = await uploadedFile(b, "twice"); // b's upload of the same bytes, kept
    const send = (attachmentId: string) =>
      store.append({ senderId: a, conversationId: c, clientMsgId: randomUUID(), kind: "file", body: "", attachmentId });
    const m1 = (await send(alone.id)).message;
    const m2 = (await send(shared.id)).message;
    for (const m of [m1, m2]) await store.append({ senderId: a, conversationId: c, clientMsgId: randomUUID(), kind: "delete", targetSeq: m.seq, body: "" });

    expect(await blobs.stat(alone.key)).not.toBeNull(); // not before the sweep
    expect(await collectDeletedBlobs(prisma, blobs)).toBe(2);
    expect(await blobs.stat(alone.key)).toBeNull();
    expect(await blobs.stat(shared.key)).not.toBeNull(); // twin uses it
    expect(await prisma.attachment.count({ where: { id: { in: [alone.id, shared.id] } } })).toBe(0);
    expect(await prisma.attachment.count({ where: { id: twin.id } })).toBe(1);
    expect(await prisma.blobGarbage.count()).toBe(0);
    expect(await collectDeletedBlobs(prisma, blobs)).toBe(0); // idempotent
  });
});
