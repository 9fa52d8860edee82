/**
 * Group commit of appends on a real PostgreSQL: many concurrent appends become few statements,
 * and each caller still gets exactly what an append on its own would have given it.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ErrorCode, type AppError } from "@dim/shared";
import pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import type { AppendResult } from "../src/message-store.types";
import { PrismaMessageStore } from "../src/prisma-message-store";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { countingPool, type CountingPool } from "./helpers/counting-pool";
import { appErrorOf, fixtures, untilWaitingForLocks } from "./helpers/fixtures";

let db: TestDatabase;
let prisma: PrismaClient;
let counted: CountingPool;
let store: PrismaMessageStore;

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  counted = countingPool(db.url);
  store = new PrismaMessageStore(prisma, { pool: counted.pool });
});
afterAll(async () => {
  await counted?.pool.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const { user, conversation, lastSeq } = fixtures(() => prisma);
const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
const text = (senderId: string, conversationId: string, clientMsgId: string, body = "hello") =>
  ({ senderId, conversationId, clientMsgId, kind: "text", body }) as const;

interface Call {
  conv: string;
  sender: string;
  clientMsgId: string;
  result: Promise<AppendResult>;
}

/** `waves` × `perWave` appends across the given conversations and their members; a wave is issued at once, the next on a later turn. */
async function appendInWaves(target: PrismaMessageStore, convs: Array<{ id: string; members: string[] }>, waves: number, perWave: number, tag: string) {
  const calls: Call[] = [];
  for (let w = 0; w < waves; w++) {
    for (let i = 0; i < perWave; i++) {
      const n = calls.length;
      const c = convs[n % convs.length]!;
      const sender = c.members[Math.floor(n / convs.length) % c.members.length]!;
      const clientMsgId = `${tag}-${String(n).padStart(6, "0")}`;
      calls.push({ conv: c.id, sender, clientMsgId, result: target.append(text(sender, c.id, clientMsgId, `body ${clientMsgId}`)) });
    }
    await nextTurn();
  }
  await Promise.all(calls.map((c) => c.result));
  return calls;
}

/** For every conversation: its stored seqs are exactly 1..n, and the calls got them in call order. */
async function expectGapFreeInCallOrder(calls: Call[], convIds: string[]) {
  for (const conv of convIds) {
    const mine = calls.filter((c) => c.conv === conv);
    const seqs = await Promise.all(mine.map(async (c) => (await c.result).message.seq));
    const oneToN = Array.from({ length: mine.length }, (_, i) => i + 1);
    expect(seqs).toEqual(oneToN);
    expect(await lastSeq(conv)).toBe(mine.length);
    const stored = await prisma.message.findMany({ where: { conversationId: conv }, orderBy: { seq: "asc" } });
    expect(stored.map((m) => Number(m.seq))).toEqual(oneToN);
    expect(stored.map((m) => m.clientMsgId)).toEqual(mine.map((c) => c.clientMsgId));
  }
}

async function groupOf(size: number) {
  const members = await Promise.all(Array.from({ length: size }, () => user()));
  return { id: await conversation(members), members };
}

describe("append group commit", () => {
  it("writes 600 concurrent appends over 5 conversations in a few statements: gap-free, in call order", async () => {
    const convs = await Promise.all(Array.from({ length: 5 }, () => groupOf(3)));
    const before = counted.count("append_batch");
    const calls = await appendInWaves(store, convs, 6, 100, "waves");
    const statements = counted.count("append_batch") - before;
    expect(statements).toBeGreaterThan(1);
    expect(statements).toBeLessThanOrEqual(12);
    await expectGapFreeInCallOrder(
      calls,
      convs.map((c) => c.id),
    );
    const results = await Promise.all(calls.map((c) => c.result));
    expect(results.every((r) => !r.duplicate)).toBe(true);
    expect(new Set(results.map((r) => r.message.id)).size).toBe(600);
    for (const [i, r] of results.entries()) {
      expect(r.memberIds.sort()).toEqual(convs[i % convs.length]!.members.sort());
      expect(r.message).toMatchObject({ senderId: calls[i]!.sender, clientMsgId: calls[i]!.clientMsgId, body: `body ${calls[i]!.clientMsgId}` });
    }
  });

  it("splits a burst larger than the batch cap over several statements", async () => {
    const { id, members } = await groupOf(2);
    const before = counted.count("append_batch");
    const calls = await appendInWaves(store, [{ id, members }], 1, 600, "burst");
    expect(counted.count("append_batch") - before).toBe(3); // 256 + 256 + 88
    await expectGapFreeInCallOrder(calls, [id]);
  });

  it("stores a clientMsgId re-sent inside one batch once; both callers get the stored message", async () => {
    const { id, members } = await groupOf(2);
    const [a] = members as [string];
    const before = counted.count("append_batch");
    const [first, again, other] = await Promise.all([
      store.append(text(a, id, "in-batch-0001", "same")),
      store.append(text(a, id, "in-batch-0001", "same")),
      store.append(text(a, id, "in-batch-0002", "next")),
    ]);
    expect(counted.count("append_batch") - before).toBe(1);
    expect(first.duplicate).toBe(false);
    expect(again.duplicate).toBe(true);
    expect(again.message).toEqual(first.message);
    expect([first.message.seq, other.message.seq]).toEqual([1, 2]);

    // Across batches: the next batch finds the committed rows.
    const [x, y] = await Promise.all([store.append(text(a, id, "in-batch-0001", "same")), store.append(text(a, id, "in-batch-0002", "next"))]);
    expect([x.duplicate, y.duplicate]).toEqual([true, true]);
    expect([x.message, y.message]).toEqual([first.message, other.message]);
    expect(await prisma.message.count({ where: { conversationId: id } })).toBe(2);
    expect(await lastSeq(id)).toBe(2);
  });

  it("answers a reused clientMsgId with other content in the same batch with IDEMPOTENCY_CONFLICT", async () => {
    const { id, members } = await groupOf(2);
    const [a] = members as [string];
    const other = await conversation(members);
    const settled = await Promise.allSettled([
      store.append(text(a, id, "reused-00001", "original")),
      store.append(text(a, id, "reused-00001", "changed")),
      store.append(text(a, other, "reused-00001", "original")),
      store.append(text(a, id, "reused-00001", "original")),
    ]);
    expect(settled.map((s) => s.status)).toEqual(["fulfilled", "rejected", "rejected", "fulfilled"]);
    for (const s of settled) if (s.status === "rejected") expect((s.reason as AppError).code).toBe(ErrorCode.IdempotencyConflict);
    const [won, , , same] = settled as Array<PromiseFulfilledResult<AppendResult>>;
    expect(same!.value).toEqual({ ...won!.value, duplicate: true });
    expect(await prisma.message.findMany({ where: { senderId: a }, select: { body: true, seq: true } })).toEqual([{ body: "original", seq: 1n }]);
    expect([await lastSeq(id), await lastSeq(other)]).toEqual([1, 0]);
  });

  it("fails a non-member's, an unknown conversation's and a NUL body's append alone, not the batch", async () => {
    const { id, members } = await groupOf(2);
    const [a, b] = members as [string, string];
    const outsider = await user();
    const before = counted.count("append_batch");
    const settled = await Promise.allSettled([
      store.append(text(a, id, "alone-000001")),
      store.append(text(outsider, id, "alone-000002")),
      store.append(text(a, randomUUID(), "alone-000003")),
      store.append(text(b, id, "alone-000004", "nul \u0000 inside")),
      store.append(text(b, id, "alone-000005")),
    ]);
    expect(counted.count("append_batch") - before).toBe(1);
    const codes = settled.map((s) => (s.status === "fulfilled" ? s.value.message.seq : (s.reason as AppError).code));
    expect(codes).toEqual([1, ErrorCode.Forbidden, ErrorCode.Forbidden, ErrorCode.BadRequest, 2]);
    expect(await prisma.message.count({ where: { senderId: outsider } })).toBe(0);
    expect(await lastSeq(id)).toBe(2);
  });

  it("keeps awkward bodies intact through the statement's arrays", async () => {
    const { id, members } = await groupOf(2);
    const bodies = ["NULL", '{"a":"b\\"c"}', "back\\slash, comma", "{braces}", " ", "ünïcödé 💬", "x".repeat(4000)];
    const results = await Promise.all(bodies.map((body, i) => store.append(text(members[0]!, id, `awkward-${i}-000`, body))));
    expect(results.map((r) => r.message.body)).toEqual(bodies);
    expect((await store.after(id, 0, 100, members[0]!)).map((m) => m.body)).toEqual(bodies);
  });

  it("gives every caller the error of a statement that fails as a whole, and stores none of them", async () => {
    const { id, members } = await groupOf(2);
    const [a] = members as [string];
    const impatient = new pg.Pool({ connectionString: db.url, max: 2, options: "-c statement_timeout=300" });
    const blocked = new PrismaMessageStore(prisma, { pool: impatient });
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("LOCK TABLE conversations IN ACCESS EXCLUSIVE MODE");
      const settled = await Promise.allSettled([1, 2, 3].map((n) => blocked.append(text(a, id, `timeout-0000${n}`))));
      await locker.query("ROLLBACK");
      const reasons = settled.map((s) => (s.status === "rejected" ? (s.reason as { code?: string }).code : "stored"));
      expect(reasons).toEqual(["57014", "57014", "57014"]); // query_canceled (statement_timeout)
      expect(await lastSeq(id)).toBe(0);
      expect(await prisma.message.count({ where: { conversationId: id } })).toBe(0);
      expect((await blocked.append(text(a, id, "timeout-00001"))).message.seq).toBe(1);
    } finally {
      await locker.end();
      await impatient.end();
    }
  });

  it("two stores (two pools, as two core nodes) appending to the same conversations: gap-free, each sender in order, no deadlock", async () => {
    const convs = await Promise.all(Array.from({ length: 4 }, () => groupOf(4)));
    const otherPrisma = createPrisma(db.url);
    const poolA = createPgPool(db.url, { poolSize: 5 });
    const poolB = createPgPool(db.url, { poolSize: 5 });
    const deadlocks = async () =>
      Number((await prisma.$queryRawUnsafe<Array<{ n: bigint }>>("SELECT deadlocks AS n FROM pg_stat_database WHERE datname = current_database()"))[0]!.n);
    const deadlocksBefore = await deadlocks();
    try {
      const storeA = new PrismaMessageStore(prisma, { pool: poolA });
      const storeB = new PrismaMessageStore(otherPrisma, { pool: poolB });
      // Members 0 and 1 of every conversation send through A, members 2 and 3 through B; A goes
      // through the conversations in one order, B in the reverse one.
      const half = (from: number) => convs.map((c) => ({ id: c.id, members: c.members.slice(from, from + 2) }));
      const [callsA, callsB] = await Promise.all([
        appendInWaves(storeA, half(0), 40, 30, "node-a"),
        appendInWaves(storeB, half(2).reverse(), 40, 30, "node-b"),
      ]);
      const all = [...callsA, ...callsB];
      for (const c of convs) {
        const stored = await prisma.message.findMany({ where: { conversationId: c.id }, orderBy: { seq: "asc" } });
        const mine = all.filter((x) => x.conv === c.id);
        expect(stored.map((m) => Number(m.seq))).toEqual(Array.from({ length: mine.length }, (_, i) => i + 1));
        expect(await lastSeq(c.id)).toBe(mine.length);
        for (const sender of c.members) {
          const sent = mine.filter((x) => x.sender === sender).map((x) => x.clientMsgId);
          expect(stored.filter((m) => m.senderId === sender).map((m) => m.clientMsgId)).toEqual(sent);
        }
      }
      const results = await Promise.all(all.map((x) => x.result));
      expect(results.every((r) => !r.duplicate)).toBe(true);
    } finally {
      await Promise.all([poolA.end(), poolB.end(), otherPrisma.$disconnect()]);
    }
    // A deadlock victim is retried (its callers would not notice): the server's counter tells.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await deadlocks()).toBe(deadlocksBefore);
  });

  it("locks a batch's conversations in id order, whatever the call order (so two nodes' batches cannot deadlock)", async () => {
    const [a, b] = [await user(), await user()];
    const [low, mid, high] = (await Promise.all([1, 2, 3].map(() => conversation([a, b])))).sort();
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT id FROM conversations WHERE id = $1 FOR UPDATE", [mid]);
      // Called high → mid → low: locked in id order, the batch holds `low` and waits for `mid`.
      const batch = Promise.all([high!, mid!, low!].map((conv, i) => store.append(text(a, conv, `lock-order-${i}0`))));
      await untilWaitingForLocks(prisma, 1);
      const free = await prisma.$queryRawUnsafe<Array<{ id: string }>>(
        "SELECT id::text FROM conversations WHERE id IN ($1::uuid, $2::uuid) FOR UPDATE SKIP LOCKED",
        low,
        high,
      );
      expect(free.map((r) => r.id)).toEqual([high]);
      await locker.query("ROLLBACK");
      expect((await batch).map((r) => r.message.seq)).toEqual([1, 1, 1]);
    } finally {
      await locker.end();
    }
  });

  it("two stores racing on one clientMsgId in two conversations: one stores it, the other gets IDEMPOTENCY_CONFLICT", async () => {
    const { id, members } = await groupOf(2);
    const other = await conversation(members);
    const poolB = createPgPool(db.url, { poolSize: 2 });
    try {
      const storeB = new PrismaMessageStore(prisma, { pool: poolB });
      const [a] = members as [string];
      for (let round = 0; round < 5; round++) {
        const key = `race-${round}-00000`;
        const settled = await Promise.allSettled([store.append(text(a, id, key, "x")), storeB.append(text(a, other, key, "x"))]);
        expect(settled.filter((s) => s.status === "fulfilled")).toHaveLength(1);
        const lost = settled.find((s): s is PromiseRejectedResult => s.status === "rejected")!;
        expect((lost.reason as AppError).code).toBe(ErrorCode.IdempotencyConflict);
      }
      expect((await lastSeq(id)) + (await lastSeq(other))).toBe(5);
      for (const conv of [id, other]) {
        const stored = await prisma.message.findMany({ where: { conversationId: conv }, orderBy: { seq: "asc" } });
        expect(stored.map((m) => Number(m.seq))).toEqual(Array.from({ length: stored.length }, (_, i) => i + 1));
      }
    } finally {
      await poolB.end();
    }
  });

  it("still answers malformed input with BAD_REQUEST before any batch", async () => {
    const { id, members } = await groupOf(2);
    const before = counted.count("append");
    expect((await appErrorOf(store.append(text(members[0]!, "nope", "bad-input-0001")))).code).toBe(ErrorCode.BadRequest);
    expect(counted.count("append")).toBe(before);
    expect(await lastSeq(id)).toBe(0);
  });
});
