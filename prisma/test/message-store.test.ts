import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, messageSchema, type AppError } from "@dim/shared";
import pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import type { AppendInput } from "../src/message-store.types";
import { PrismaMessageStore } from "../src/prisma-message-store";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { appErrorOf, fixtures } from "./helpers/fixtures";

let db: TestDatabase;
let prisma: PrismaClient;
let pool: pg.Pool;
let store: PrismaMessageStore;
/** The same store over Prisma's raw queries, and over a pg pool (named prepared statements; core nodes use it). */
const stores: Record<"prisma" | "pg pool", () => PrismaMessageStore> = {
  prisma: () => new PrismaMessageStore(prisma),
  "pg pool": () => new PrismaMessageStore(prisma, { pool }),
};

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = createPgPool(db.url);
});
afterAll(async () => {
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const { user, conversation, lastSeq } = fixtures(() => prisma);

async function setup() {
  const [a, b, outsider] = [await user(), await user(), await user()];
  return { a, b, outsider, conv: await conversation([a, b]) };
}

/** An unsent image upload of `ownerId` (the row the upload route writes). */
async function imageUpload(ownerId: string): Promise<string> {
  const id = randomUUID();
  await prisma.attachment.create({ data: { id, ownerId, kind: "image", sha256: "c".repeat(64), size: 10, mime: "image/png", name: "a.png", width: 1, height: 1 } });
  return id;
}

const send = (senderId: string, conversationId: string, clientMsgId: string, body = "hello", kind: AppendInput["kind"] = "text") =>
  store.append({ senderId, conversationId, clientMsgId, kind, body });

it("the store's pool plans a statement once per connection (generic plans for the array-taking batches)", async () => {
  expect((await pool.query("SHOW plan_cache_mode")).rows[0]).toEqual({ plan_cache_mode: "force_generic_plan" });
});

describe.each(Object.keys(stores) as Array<keyof typeof stores>)("over %s", (variant) => {
  beforeAll(() => {
    store = stores[variant]();
  });

  describe("PrismaMessageStore.append", () => {
    it("stores a message with seq 1 and returns it with the members, in the protocol's shape", async () => {
      const { a, b, conv } = await setup();
      const r = await send(a, conv, "first-msg-0001", "hi there");
      expect(r.duplicate).toBe(false);
      expect(r.memberIds.sort()).toEqual([a, b].sort());
      expect(r.conversationKind).toBe("direct");
      expect(r.message).toMatchObject({ conversationId: conv, senderId: a, seq: 1, clientMsgId: "first-msg-0001", kind: "text", body: "hi there" });
      expect(messageSchema.safeParse(r.message).success).toBe(true);
      expect(await lastSeq(conv)).toBe(1);
    });

    it("assigns gap-free seqs 1..N under 20 concurrent appends", async () => {
      const { a, b, conv } = await setup();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => send(i % 2 ? a : b, conv, `concurrent-${String(i).padStart(4, "0")}`, `m${i}`)),
      );
      expect(results.map((r) => r.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(results.every((r) => !r.duplicate)).toBe(true);
      expect(await lastSeq(conv)).toBe(20);
      expect((await store.after(conv, 0, 100, a)).map((m) => m.seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it("stores a re-sent clientMsgId once and returns the original id and seq", async () => {
      const { a, conv } = await setup();
      const first = await send(a, conv, "resend-000001", "once");
      await send(a, conv, "resend-000002", "other");
      const again = await send(a, conv, "resend-000001", "once");
      expect(again.duplicate).toBe(true);
      expect(again.message).toEqual(first.message);
      expect(await prisma.message.count({ where: { conversationId: conv } })).toBe(2);
      expect(await lastSeq(conv)).toBe(2);
    });

    it("stores once when the same clientMsgId arrives concurrently", async () => {
      const { a, conv } = await setup();
      const results = await Promise.all(Array.from({ length: 8 }, () => send(a, conv, "racing-000001", "same")));
      expect(new Set(results.map((r) => r.message.id)).size).toBe(1);
      expect(results.filter((r) => !r.duplicate)).toHaveLength(1);
      expect(await prisma.message.count({ where: { conversationId: conv } })).toBe(1);
      expect(await lastSeq(conv)).toBe(1);
    });

    it("lets one of two concurrent uses of a clientMsgId in different conversations win, without a seq gap", async () => {
      const { a, b, conv } = await setup();
      const conv2 = await conversation([a, b, await user()]);
      const settled = await Promise.allSettled([send(a, conv, "two-convs-0001", "x"), send(a, conv2, "two-convs-0001", "x")]);
      const won = settled.filter((s) => s.status === "fulfilled");
      const lost = settled.filter((s): s is PromiseRejectedResult => s.status === "rejected");
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect((lost[0]!.reason as AppError).code).toBe(ErrorCode.IdempotencyConflict);
      expect((await lastSeq(conv)) + (await lastSeq(conv2))).toBe(1);
      expect(await prisma.message.count({ where: { senderId: a, clientMsgId: "two-convs-0001" } })).toBe(1);
    });

    it("rejects the same clientMsgId with a different body, kind or conversation, changing nothing", async () => {
      const { a, b, conv } = await setup();
      const conv2 = await conversation([a, b, await user()]);
      await send(a, conv, "conflict-0001", "original");
      for (const attempt of [
        () => send(a, conv, "conflict-0001", "changed"),
        // A valid image send (an image needs its upload): the kind differs from the stored text.
        async () => store.append({ senderId: a, conversationId: conv, clientMsgId: "conflict-0001", kind: "image", body: "original", attachmentId: await imageUpload(a) }),
        () => send(a, conv2, "conflict-0001", "original"),
      ]) {
        expect((await appErrorOf(attempt())).code).toBe(ErrorCode.IdempotencyConflict);
      }
      expect(await prisma.message.findMany({ where: { senderId: a }, select: { body: true, seq: true } })).toEqual([
        { body: "original", seq: 1n },
      ]);
      expect([await lastSeq(conv), await lastSeq(conv2)]).toEqual([1, 0]);
    });

    it("refuses a non-member and an unknown conversation with FORBIDDEN, storing nothing", async () => {
      const { a, outsider, conv } = await setup();
      await send(a, conv, "member-msg-01");
      expect((await appErrorOf(send(outsider, conv, "outsider-0001"))).code).toBe(ErrorCode.Forbidden);
      expect((await appErrorOf(send(a, randomUUID(), "nowhere-00001"))).code).toBe(ErrorCode.Forbidden);
      expect(await prisma.message.count({ where: { senderId: outsider } })).toBe(0);
      expect(await lastSeq(conv)).toBe(1);
    });

    it("answers malformed input with BAD_REQUEST", async () => {
      const { a, conv } = await setup();
      expect((await appErrorOf(send(a, "not-a-uuid", "bad-input-001"))).code).toBe(ErrorCode.BadRequest);
      expect((await appErrorOf(send(a, conv, "x".repeat(65)))).code).toBe(ErrorCode.BadRequest);
      expect((await appErrorOf(send(a, conv, "bad-kind-0001", "b", "video" as AppendInput["kind"]))).code).toBe(ErrorCode.BadRequest);
      expect((await appErrorOf(send(a, conv, "nul-body-0001", "a\u0000b"))).code).toBe(ErrorCode.BadRequest);
      expect(await lastSeq(conv)).toBe(0);
    });
  });

  describe("PrismaMessageStore reads", () => {
    it("pages forward with after() and backward with before(), always ascending", async () => {
      const { a, conv } = await setup();
      for (let i = 1; i <= 25; i++) await send(a, conv, `paging-${String(i).padStart(5, "0")}`, `m${i}`);
      const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
      expect(seqs(await store.after(conv, 0, 10, a))).toEqual(range(1, 10));
      expect(seqs(await store.after(conv, 10, 10, a))).toEqual(range(11, 20));
      expect(seqs(await store.after(conv, 20, 10, a))).toEqual(range(21, 25));
      expect(await store.after(conv, 25, 10, a)).toEqual([]);
      expect(seqs(await store.before(conv, undefined, 10, a))).toEqual(range(16, 25));
      expect(seqs(await store.before(conv, 16, 10, a))).toEqual(range(6, 15));
      expect(seqs(await store.before(conv, 6, 10, a))).toEqual(range(1, 5));
      expect(await store.before(conv, 1, 10, a)).toEqual([]);
      expect((await store.after(conv, 4, 1, a))[0]?.body).toBe("m5");
      expect((await appErrorOf(store.after(conv, 0, 0, a))).code).toBe(ErrorCode.BadRequest);
      expect((await appErrorOf(store.before(conv, -1, 10, a))).code).toBe(ErrorCode.BadRequest);
    });

    it("lists members, or null for an unknown conversation", async () => {
      const { a, b, conv } = await setup();
      expect((await store.members(conv))?.sort()).toEqual([a, b].sort());
      expect(await store.members(randomUUID())).toBeNull();
      expect(await store.members("not-a-uuid")).toBeNull();
      expect(await store.members(await conversation([]))).toEqual([]);
    });
  });

  describe("PrismaMessageStore cursors", () => {
    it("moves forward only, caps at lastSeq, and read also moves delivered", async () => {
      const { a, b, conv } = await setup();
      for (let i = 1; i <= 5; i++) await send(a, conv, `cursor-${String(i).padStart(6, "0")}`);
      expect(await store.advanceCursor(conv, b, "delivered", 3)).toBe(3);
      expect(await store.advanceCursor(conv, b, "delivered", 2)).toBe(3);
      expect(await store.advanceCursor(conv, b, "delivered", 999)).toBe(5);
      expect(await store.advanceCursor(conv, b, "read", 2)).toBe(2);
      expect(await store.advanceCursor(conv, b, "read", 1)).toBe(2);
      expect(await store.cursorsOf(b)).toEqual([{ conversationId: conv, lastSeq: 5, deliveredSeq: 5, readSeq: 2 }]);

      await send(a, conv, "cursor-000006");
      await send(a, conv, "cursor-000007");
      expect(await store.advanceCursor(conv, b, "read", 100)).toBe(7);
      expect(await store.cursorsOf(b)).toEqual([{ conversationId: conv, lastSeq: 7, deliveredSeq: 7, readSeq: 7 }]);
    });

    it("ends at the highest of concurrent advances", async () => {
      const { a, b, conv } = await setup();
      for (let i = 1; i <= 10; i++) await send(a, conv, `cc-cursor-${String(i).padStart(4, "0")}`);
      await Promise.all([7, 3, 10, 1, 9, 5].map((s) => store.advanceCursor(conv, b, "delivered", s)));
      expect((await store.cursorsOf(b))[0]?.deliveredSeq).toBe(10);
    });

    it("returns null for a non-member and changes nothing; rejects a negative seq", async () => {
      const { a, outsider, conv } = await setup();
      await send(a, conv, "cursor-nm-0001");
      expect(await store.advanceCursor(conv, outsider, "read", 1)).toBeNull();
      expect(await store.advanceCursor(randomUUID(), a, "read", 1)).toBeNull();
      expect((await appErrorOf(store.advanceCursor(conv, a, "read", -1))).code).toBe(ErrorCode.BadRequest);
      expect(await store.cursorsOf(outsider)).toEqual([]);
    });

    it("lists every conversation of a user, most recently active first", async () => {
      const { a, b, conv } = await setup();
      const conv2 = await conversation([a, b, await user()]);
      await send(a, conv, "recent-000001");
      await send(a, conv2, "recent-000002");
      await send(a, conv2, "recent-000003");
      const cursors = await store.cursorsOf(a);
      expect(cursors.map((c) => [c.conversationId, c.lastSeq])).toEqual([
        [conv2, 2],
        [conv, 1],
      ]);
    });

    it("reads for many users at once (a burst of connects, one statement) give each user exactly its own cursors", async () => {
      const { a, b, outsider, conv } = await setup();
      const conv2 = await conversation([a, outsider]);
      await send(a, conv, "many-0000001");
      await send(outsider, conv2, "many-0000002");
      const stranger = await user();
      const alone = [await store.cursorsOf(a), await store.cursorsOf(b), await store.cursorsOf(outsider)];
      expect(alone[0]!.map((c) => c.conversationId)).toEqual([conv2, conv]);
      const together = await Promise.all([a, b, outsider, stranger, a.toUpperCase()].map((id) => store.cursorsOf(id)));
      expect(together).toEqual([...alone, [], alone[0]]);
    });
  });
});
