/**
 * Events in the seq stream on a real database (append-event.ts): edit, delete for everyone,
 * reaction and reply are new seqs folded into their target; every refused attempt is a typed
 * AppError that stores nothing (no seq, no change of the target); re-sends are idempotent.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, messageSchema } from "@dim/shared";
import pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import { PrismaMessageStore } from "../src/prisma-message-store";
import type { AppendInput } from "../src/message-store.types";
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
const cid = () => randomUUID();

async function text(senderId: string, conversationId: string, body: string, replyTo?: number) {
  return (await store.append({ senderId, conversationId, clientMsgId: cid(), kind: "text", body, ...(replyTo ? { replyTo } : {}) })).message;
}
function ev(senderId: string, conversationId: string, kind: "edit" | "delete" | "reaction", targetSeq: number, body = "", clientMsgId = cid()) {
  return store.append({ senderId, conversationId, clientMsgId, kind, targetSeq, body } as AppendInput);
}
async function page(conversationId: string, viewerId: string) {
  const messages = await store.after(conversationId, 0, 100, viewerId);
  for (const m of messages) expect(messageSchema.safeParse(m).success, JSON.stringify(m)).toBe(true);
  return new Map(messages.map((m) => [m.seq, m]));
}
/** Asserts that `attempt` is refused with `code` and stores nothing in the conversation. */
async function refused(conversationId: string, viewerId: string, code: string, attempt: () => Promise<unknown>) {
  const seqBefore = await lastSeq(conversationId);
  const before = await store.after(conversationId, 0, 100, viewerId);
  expect((await appErrorOf(attempt())).code).toBe(code);
  expect(await lastSeq(conversationId)).toBe(seqBefore);
  expect(await store.after(conversationId, 0, 100, viewerId)).toEqual(before);
}

describe("edit", () => {
  it("replaces the text, marks it edited, keeps no previous text, and is idempotent", async () => {
    const [a, b] = [await user(), await user()];
    const c = await conversation([a, b]);
    const m = await text(a, c, "helo");
    const id1 = cid();
    const e1 = await ev(a, c, "edit", m.seq, "hello", id1);
    expect(e1.message).toMatchObject({ kind: "edit", targetSeq: m.seq, body: "hello", seq: m.seq + 1 });
    expect(e1.duplicate).toBe(false);
    expect(e1.memberIds.sort()).toEqual([a, b].sort());
    // a re-send: the same event, no new seq
    const again = await ev(a, c, "edit", m.seq, "hello", id1);
    expect(again.duplicate).toBe(true);
    expect(again.message.seq).toBe(e1.message.seq);
    expect((await appErrorOf(ev(a, c, "edit", m.seq, "other", id1))).code).toBe(ErrorCode.IdempotencyConflict);
    const e2 = await ev(a, c, "edit", m.seq, "hello!");
    const seen = await page(c, b);
    expect(seen.get(m.seq)).toMatchObject({ body: "hello!", editedAt: expect.any(String) });
    expect(seen.get(e1.message.seq)!.body).toBe(""); // the superseded text is gone
    expect(seen.get(e2.message.seq)!.body).toBe("hello!");
    const rows = await prisma.message.findMany({ where: { conversationId: c } });
    expect(rows.some((r) => r.body === "helo" || r.body === "hello")).toBe(false);
    // a re-send of the superseded edit is still a duplicate, not a conflict
    expect((await ev(a, c, "edit", m.seq, "hello", id1)).duplicate).toBe(true);
  });

  it("refuses others' messages, non-text, events, unknown seqs, strangers and closed windows", async () => {
    const [a, b, stranger] = [await user(), await user(), await user()];
    const c = await conversation([a, b]);
    const m = await text(a, c, "mine");
    const r = await ev(b, c, "reaction", m.seq, "👍");
    await refused(c, a, ErrorCode.Forbidden, () => ev(b, c, "edit", m.seq, "not yours"));
    await refused(c, a, ErrorCode.Forbidden, () => ev(stranger, c, "edit", m.seq, "x"));
    await refused(c, a, ErrorCode.NotFound, () => ev(a, c, "edit", 999, "x"));
    await refused(c, a, ErrorCode.BadRequest, () => ev(b, c, "edit", r.message.seq, "x"));
    await refused(c, a, ErrorCode.BadRequest, () => ev(a, c, "edit", m.seq, "   "));
    await prisma.message.update({ where: { id: m.id }, data: { createdAt: new Date(Date.now() - 49 * 3600_000) } });
    await refused(c, a, ErrorCode.WindowClosed, () => ev(a, c, "edit", m.seq, "late"));
    await refused(c, a, ErrorCode.WindowClosed, () => ev(a, c, "delete", m.seq));
  });

  it("a re-send of a message edited or deleted since is a duplicate, not a conflict", async () => {
    const [a, b] = [await user(), await user()];
    const c = await conversation([a, b]);
    const id = cid();
    const original = (await store.append({ senderId: a, conversationId: c, clientMsgId: id, kind: "text", body: "v1" })).message;
    const untouched = (await store.append({ senderId: a, conversationId: c, clientMsgId: cid(), kind: "text", body: "other" })).message;
    await ev(a, c, "edit", original.seq, "v2");
    const again = await store.append({ senderId: a, conversationId: c, clientMsgId: id, kind: "text", body: "v1" });
    expect(again).toMatchObject({ duplicate: true, message: { seq: original.seq, body: "v2", editedAt: expect.any(String) } });
    expect(again.memberIds.sort()).toEqual([a, b].sort());
    // an unchanged message keeps its strict check
    const err = await appErrorOf(store.append({ senderId: a, conversationId: c, clientMsgId: untouched.clientMsgId, kind: "text", body: "changed" }));
    expect(err.code).toBe(ErrorCode.IdempotencyConflict);
    await ev(a, c, "delete", original.seq);
    expect((await store.append({ senderId: a, conversationId: c, clientMsgId: id, kind: "text", body: "v1" })).duplicate).toBe(true);
  });

  it("follows the configured windows", async () => {
    const short = new PrismaMessageStore(prisma, { pool, eventWindows: { editWindowMs: 1, deleteWindowMs: 3600_000 } });
    const [a, b] = [await user(), await user()];
    const c = await conversation([a, b]);
    const m = await text(a, c, "quick");
    await new Promise((r) => setTimeout(r, 20));
    const err = await appErrorOf(short.append({ senderId: a, conversationId: c, clientMsgId: cid(), kind: "edit", targetSeq: m.seq, body: "x" }));
    expect(err.code).toBe(ErrorCode.WindowClosed);
    await short.append({ senderId: a, conversationId: c, clientMsgId: cid(), kind: "delete", targetSeq: m.seq, body: "" });
  });
});

describe("delete for everyone", () => {
  it("leaves a tombstone, clears its edits, reactions and attachment (blob keys queued for the sweep)", async () => {
    const [a, b] = [await user(), await user()];
    const c = await conversation([a, b]);
    const m = await text(a, c, "secret");
    const edit = await ev(a, c, "edit", m.seq, "secret 2");
    await ev(b, c, "reaction", m.seq, "😮");
    await refused(c, a, ErrorCode.Forbidden, () => ev(b, c, "delete", m.seq));
    const del = await ev(a, c, "delete", m.seq);
    expect(del.message).toMatchObject({ kind: "delete", targetSeq: m.seq, body: "" });
    const seen = await page(c, b);
    expect(seen.get(m.seq)).toMatchObject({ body: "", deletedAt: expect.any(String) });
    expect(seen.get(m.seq)!.reactions).toBeUndefined();
    expect(seen.get(m.seq)!.editedAt).toBeUndefined();
    expect(seen.get(edit.message.seq)!.body).toBe("");
    expect(await prisma.message.count({ where: { conversationId: c, body: { contains: "secret" } } })).toBe(0);
    await refused(c, a, ErrorCode.Conflict, () => ev(a, c, "delete", m.seq));
    await refused(c, a, ErrorCode.Conflict, () => ev(a, c, "edit", m.seq, "back"));
    await refused(c, a, ErrorCode.Conflict, () => ev(b, c, "reaction", m.seq, "👍"));

    // an image: its attachment row goes, its blob keys wait for the gateway's sweep
    const att = randomUUID();
    const sha = randomUUID().replace(/-/g, "").padEnd(64, "1");
    await prisma.attachment.create({
      data: { id: att, ownerId: a, kind: "image", sha256: sha, size: 10, mime: "image/webp", name: "p.webp", width: 1, height: 1, thumbnailKey: "c".repeat(64) },
    });
    const img = (await store.append({ senderId: a, conversationId: c, clientMsgId: cid(), kind: "image", body: "cap", attachmentId: att })).message;
    await ev(a, c, "delete", img.seq);
    expect(await prisma.attachment.count({ where: { id: att } })).toBe(0);
    expect((await prisma.blobGarbage.findMany()).map((g) => g.key).sort()).toEqual(expect.arrayContaining([sha, "c".repeat(64)]));
    const tomb = (await page(c, a)).get(img.seq)!;
    expect(tomb).toMatchObject({ kind: "image", body: "", deletedAt: expect.any(String) });
    expect(tomb.attachment).toBeUndefined();
  });
});

describe("reactions", () => {
  it("one per user per message, replaced, removed; aggregated with who; members only; one emoji", async () => {
    const [a, b, d, stranger] = [await user(), await user(), await user(), await user()];
    const c = await conversation([a, b, d]);
    const m = await text(a, c, "react to me");
    await ev(b, c, "reaction", m.seq, "👍");
    await ev(d, c, "reaction", m.seq, "👍");
    await ev(a, c, "reaction", m.seq, "❤️");
    await ev(a, c, "reaction", m.seq, "🏳️‍🌈"); // replaces a's ❤️
    expect((await page(c, a)).get(m.seq)!.reactions).toEqual([
      { emoji: "👍", count: 2, userIds: [b, d] },
      { emoji: "🏳️‍🌈", count: 1, userIds: [a] },
    ]);
    await ev(b, c, "reaction", m.seq, ""); // removed
    // a tie: the emoji first used (of those left) first
    expect((await page(c, d)).get(m.seq)!.reactions).toEqual([
      { emoji: "👍", count: 1, userIds: [d] },
      { emoji: "🏳️‍🌈", count: 1, userIds: [a] },
    ]);
    await refused(c, a, ErrorCode.Forbidden, () => ev(stranger, c, "reaction", m.seq, "👍"));
    await refused(c, a, ErrorCode.BadRequest, () => ev(b, c, "reaction", m.seq, "👍👍"));
    await refused(c, a, ErrorCode.BadRequest, () => ev(b, c, "reaction", m.seq, "ok"));
    // a member who left reacts no more
    await prisma.conversationMember.update({ where: { conversationId_userId: { conversationId: c, userId: d } }, data: { leftSeq: await lastSeq(c), leftAt: new Date(), leftReason: "left" } });
    await refused(c, a, ErrorCode.Forbidden, () => ev(d, c, "reaction", m.seq, "😢"));
  });
});

describe("reply", () => {
  it("quotes an earlier message of the same conversation, nothing else", async () => {
    const [a, b] = [await user(), await user()];
    const c = await conversation([a, b]);
    const other = await conversation([a, await user()]);
    const m = await text(a, c, "question?");
    const r = await text(b, c, "answer", m.seq);
    expect(r).toMatchObject({ kind: "text", replyTo: m.seq, body: "answer" });
    expect((await page(c, a)).get(r.seq)!.replyTo).toBe(m.seq);
    const reaction = await ev(a, c, "reaction", r.seq, "👍");
    await refused(c, a, ErrorCode.NotFound, () => text(b, c, "to the future", 999));
    await refused(other, a, ErrorCode.NotFound, () => text(a, other, "wrong conversation", r.seq));
    await refused(c, a, ErrorCode.BadRequest, () => text(b, c, "to an event", reaction.message.seq));
    // idempotent like any send
    const id = cid();
    const first = await store.append({ senderId: b, conversationId: c, clientMsgId: id, kind: "text", body: "once", replyTo: m.seq });
    const second = await store.append({ senderId: b, conversationId: c, clientMsgId: id, kind: "text", body: "once", replyTo: m.seq });
    expect(second).toMatchObject({ duplicate: true, message: { seq: first.message.seq } });
  });
});

describe("delete for me", () => {
  it("hides for the user alone, idempotently; strangers refused", async () => {
    const [a, b, stranger] = [await user(), await user(), await user()];
    const c = await conversation([a, b]);
    const m = await text(b, c, "embarrassing");
    const e = await ev(a, c, "reaction", m.seq, "😂");
    expect(await store.hide(c, a, [m.seq, e.message.seq, 999])).toEqual([m.seq]); // events and unknown seqs are not hidden
    expect(await store.hide(c, a, [m.seq])).toEqual([m.seq]);
    expect(await store.hiddenSeqs(c, a)).toEqual([m.seq]);
    expect(await store.hiddenSeqs(c, b)).toEqual([]);
    expect((await page(c, a)).get(m.seq)).toMatchObject({ hidden: true, body: "" });
    expect((await page(c, b)).get(m.seq)).toMatchObject({ body: "embarrassing" });
    expect((await page(c, b)).get(m.seq)!.hidden).toBeUndefined();
    expect((await appErrorOf(store.hide(c, stranger, [m.seq]))).code).toBe(ErrorCode.Forbidden);
  });
});
