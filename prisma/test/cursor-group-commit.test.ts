/**
 * Group commit of cursor moves on a real PostgreSQL: concurrent `ack`/`read` moves coalesce into
 * one statement per batch, with the semantics of one move at a time.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createPgPool, createPrisma, type PrismaClient } from "../src/create-prisma";
import { PrismaMessageStore } from "../src/prisma-message-store";
import { createTestDatabase, type TestDatabase } from "../src/testing";
import { countingPool, type CountingPool } from "./helpers/counting-pool";
import { fixtures, untilWaitingForLocks } from "./helpers/fixtures";

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

const { user, conversation } = fixtures(() => prisma);
const statements = () => counted.count("advance_cursor");

/** A conversation of `size` members holding `messages` messages. */
async function withMessages(size: number, messages: number) {
  const members = await Promise.all(Array.from({ length: size }, () => user()));
  const id = await conversation(members);
  await Promise.all(
    Array.from({ length: messages }, (_, i) =>
      store.append({ senderId: members[0]!, conversationId: id, clientMsgId: `seed-${randomUUID()}`, kind: "text", body: `m${i}` }),
    ),
  );
  return { id, members };
}

async function cursorOf(conversationId: string, userId: string) {
  const m = await prisma.conversationMember.findUniqueOrThrow({ where: { conversationId_userId: { conversationId, userId } } });
  return { delivered: Number(m.deliveredSeq), read: Number(m.readSeq) };
}

describe("cursor group commit", () => {
  it("coalesces concurrent acks of one member into one statement; every caller gets the resulting cursor", async () => {
    const { id, members } = await withMessages(2, 10);
    const b = members[1]!;
    const before = statements();
    const seqs = [7, 3, 10, 1, 9, 5, 2, 8];
    const results = await Promise.all(seqs.map((s) => store.advanceCursor(id, b, "delivered", s)));
    expect(statements() - before).toBe(1);
    expect(results).toEqual(seqs.map(() => 10));
    expect(await cursorOf(id, b)).toEqual({ delivered: 10, read: 0 });
  });

  it("with cursorCollectMs, moves made apart within the window are one statement", async () => {
    const { id, members } = await withMessages(3, 10);
    const collecting = new PrismaMessageStore(prisma, { pool: counted.pool, cursorCollectMs: 50 });
    const before = statements();
    const first = collecting.advanceCursor(id, members[1]!, "delivered", 4);
    await new Promise((resolve) => setTimeout(resolve, 15));
    const second = collecting.advanceCursor(id, members[2]!, "read", 6);
    expect(await Promise.all([first, second])).toEqual([4, 6]);
    expect(statements() - before).toBe(1);
    expect(await cursorOf(id, members[1]!)).toEqual({ delivered: 4, read: 0 });
    expect(await cursorOf(id, members[2]!)).toEqual({ delivered: 6, read: 6 });
  });

  it("never moves back across batches and caps at the conversation's last seq", async () => {
    const { id, members } = await withMessages(2, 6);
    const b = members[1]!;
    expect(await store.advanceCursor(id, b, "delivered", 5)).toBe(5);
    expect(await Promise.all([store.advanceCursor(id, b, "delivered", 2), store.advanceCursor(id, b, "delivered", 4)])).toEqual([5, 5]);
    expect(await Promise.all([store.advanceCursor(id, b, "delivered", 999), store.advanceCursor(id, b, "read", 999)])).toEqual([6, 6]);
    expect(await cursorOf(id, b)).toEqual({ delivered: 6, read: 6 });
  });

  it("writes a mixed batch (several members, delivered and read, a non-member, an unknown conversation) in one statement", async () => {
    const { id, members } = await withMessages(3, 8);
    const [a, b, c] = members as [string, string, string];
    const outsider = await user();
    const before = statements();
    const results = await Promise.all([
      store.advanceCursor(id, b, "delivered", 6),
      store.advanceCursor(id, b, "read", 4),
      store.advanceCursor(id, c, "read", 3),
      store.advanceCursor(id, outsider, "delivered", 5),
      store.advanceCursor(randomUUID(), a, "delivered", 1),
      store.advanceCursor(id, a, "delivered", 2),
      store.advanceCursor(id.toUpperCase(), c, "delivered", 5),
    ]);
    expect(statements() - before).toBe(1);
    // b: delivered 6, read 4; c: read 3 moves delivered to 3, then delivered 5 → 5.
    expect(results).toEqual([6, 4, 3, null, null, 2, 5]);
    expect(await cursorOf(id, b)).toEqual({ delivered: 6, read: 4 });
    expect(await cursorOf(id, c)).toEqual({ delivered: 5, read: 3 });
    expect(await cursorOf(id, a)).toEqual({ delivered: 2, read: 0 });
    expect(await prisma.conversationMember.count({ where: { userId: outsider } })).toBe(0);
  });

  it("says whether each call moved its cursor, one at a time and in a coalesced batch (in call order)", async () => {
    const { id, members } = await withMessages(2, 6);
    const b = members[1]!;
    // One statement per call: a read moves delivered too, so the ack to the same seq moves nothing.
    // `previous`: the kind's value before the call (the range it moved over is (previous, value]).
    expect(await store.moveCursor(id, b, "read", 3)).toEqual({ value: 3, moved: true, previous: 0 });
    expect(await store.moveCursor(id, b, "delivered", 3)).toEqual({ value: 3, moved: false, previous: 3 });
    expect(await store.moveCursor(id, b, "read", 2)).toEqual({ value: 3, moved: false, previous: 3 });
    // Coalesced: read 5 then ack 5 → only the read moved; ack 4 after it moved nothing either;
    // ack 6 moved delivered past what the read left. A seq above last_seq is capped (999 → 6).
    const before = statements();
    const batch = await Promise.all([
      store.moveCursor(id, b, "read", 5),
      store.moveCursor(id, b, "delivered", 5),
      store.moveCursor(id, b, "delivered", 4),
      store.moveCursor(id, b, "delivered", 999),
      store.moveCursor(id, b, "delivered", 6),
    ]);
    expect(statements() - before).toBe(1);
    // previous, replayed in call order: the read moved delivered to 5 before the acks
    expect(batch).toEqual([
      { value: 5, moved: true, previous: 3 },
      { value: 6, moved: false, previous: 5 },
      { value: 6, moved: false, previous: 5 },
      { value: 6, moved: true, previous: 5 },
      { value: 6, moved: false, previous: 6 },
    ]);
    expect(await cursorOf(id, b)).toEqual({ delivered: 6, read: 5 });
  });

  it("does not write a row that would not move", async () => {
    const { id, members } = await withMessages(2, 3);
    const b = members[1]!;
    await store.advanceCursor(id, b, "read", 3);
    const xmin = async () =>
      (await prisma.$queryRawUnsafe<Array<{ x: string }>>("SELECT xmin::text AS x FROM conversation_members WHERE conversation_id = $1::uuid AND user_id = $2::uuid", id, b))[0]!.x;
    const version = await xmin();
    expect(await Promise.all([store.advanceCursor(id, b, "delivered", 2), store.advanceCursor(id, b, "read", 3)])).toEqual([3, 3]);
    expect(await xmin()).toBe(version);
  });

  it("locks the rows it moves in key order, whatever the call order", async () => {
    const { id, members } = await withMessages(3, 4);
    const sorted = [...members].sort() as [string, string, string];
    const locker = new pg.Client({ connectionString: db.url });
    await locker.connect();
    try {
      await locker.query("BEGIN");
      await locker.query("SELECT 1 FROM conversation_members WHERE conversation_id = $1 AND user_id = $2 FOR UPDATE", [id, sorted[1]]);
      const batch = Promise.all([sorted[2], sorted[1], sorted[0]].map((u) => store.advanceCursor(id, u, "delivered", 4)));
      await untilWaitingForLocks(prisma, 1);
      const free = await prisma.$queryRawUnsafe<Array<{ user_id: string }>>(
        "SELECT user_id::text FROM conversation_members WHERE conversation_id = $1::uuid AND user_id IN ($2::uuid, $3::uuid) FOR UPDATE SKIP LOCKED",
        id,
        sorted[0],
        sorted[2],
      );
      expect(free.map((r) => r.user_id)).toEqual([sorted[2]]);
      await locker.query("ROLLBACK");
      expect(await batch).toEqual([4, 4, 4]);
    } finally {
      await locker.end();
    }
  });

  it("two stores acking the same members in opposite orders end at the highest values", async () => {
    const convs = await Promise.all(Array.from({ length: 3 }, () => withMessages(4, 20)));
    const poolB = createPgPool(db.url, { poolSize: 5 });
    try {
      const storeB = new PrismaMessageStore(prisma, { pool: poolB });
      const moves = convs.flatMap((c) => c.members.map((u) => ({ conv: c.id, user: u })));
      const run = async (target: PrismaMessageStore, list: typeof moves) => {
        for (let seq = 1; seq <= 20; seq++) {
          await Promise.all(list.map((m) => target.advanceCursor(m.conv, m.user, seq % 3 === 0 ? "read" : "delivered", seq)));
        }
      };
      await Promise.all([run(store, moves), run(storeB, [...moves].reverse())]);
      for (const m of moves) expect(await cursorOf(m.conv, m.user)).toEqual({ delivered: 20, read: 18 });
    } finally {
      await poolB.end();
    }
  });

  it("sendersIn: per range, the distinct senders of user messages in (after, upTo]", async () => {
    const members = await Promise.all([user(), user(), user()]);
    const id = await conversation(members);
    const [x, y, z] = members as [string, string, string];
    // seqs 1..5 by x, y, x, z, y
    for (const [i, sender] of [x, y, x, z, y].entries()) {
      await store.append({ senderId: sender, conversationId: id, clientMsgId: `s-${randomUUID()}`, kind: "text", body: `m${i}` });
    }
    // seq 6: a system message by z (system messages show no receipts: z is not its author here)
    await prisma.$executeRaw`
      INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, system)
      VALUES (${randomUUID()}::uuid, ${id}::uuid, 6, ${z}::uuid, ${`sys-${randomUUID()}`}, 'system', '', '{"type":"renamed","title":"t"}'::jsonb)`;
    const out = await store.sendersIn(id, [
      { after: 0, upTo: 1 },
      { after: 1, upTo: 3 },
      { after: 0, upTo: 5 },
      { after: 5, upTo: 9 },
      { after: 3, upTo: 3 },
    ]);
    expect(out.map((s) => [...s].sort())).toEqual([[x], [x, y].sort(), [x, y, z].sort(), [], []]);
    expect(await store.sendersIn(id, [])).toEqual([]);
    await expect(store.sendersIn(id, [{ after: -1, upTo: 2 }])).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(store.sendersIn("not-a-uuid", [{ after: 0, upTo: 2 }])).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });
});
