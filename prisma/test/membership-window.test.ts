/**
 * Membership windows in the store, on a real PostgreSQL: appends need an ACTIVE membership (also
 * when the membership changes while the append waits for the conversation's lock), and every
 * read for a user is clamped to the seqs it was there for, [joined_seq, left_seq].
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
let pool: pg.Pool;
let counted: CountingPool;
let store: PrismaMessageStore;
const stores: Record<"prisma" | "pg pool", () => PrismaMessageStore> = {
  prisma: () => new PrismaMessageStore(prisma),
  "pg pool": () => new PrismaMessageStore(prisma, { pool }),
};

beforeAll(async () => {
  db = await createTestDatabase();
  prisma = createPrisma(db.url);
  pool = createPgPool(db.url);
  counted = countingPool(db.url);
});
afterAll(async () => {
  await counted?.pool.end();
  await pool?.end();
  await prisma?.$disconnect();
  await db?.drop();
});

const { user, lastSeq } = fixtures(() => prisma);
let counter = 0;
const text = (senderId: string, conversationId: string, body = "hello") =>
  ({ senderId, conversationId, clientMsgId: `win-${process.pid}-${++counter}`, kind: "text", body }) as const;
const seqs = (ms: { seq: number }[]) => ms.map((m) => m.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A group of the given users (all joined at seq 1, the first one owner), with its `group.created` message at seq 1. */
async function group(members: string[]): Promise<string> {
  const id = randomUUID();
  await prisma.conversation.create({
    data: {
      id,
      kind: "group",
      title: "g",
      lastSeq: 1,
      membershipSeq: 1,
      createdBy: members[0]!,
      members: { create: members.map((userId, i) => ({ userId, role: i === 0 ? "owner" : "member" })) },
      messages: {
        create: {
          id: randomUUID(),
          seq: 1,
          senderId: members[0]!,
          clientMsgId: `sys-${randomUUID().replace(/-/g, "")}`,
          kind: "system",
          body: "",
          system: { type: "group.created", title: "g", memberIds: members.slice(1) },
        },
      },
    },
  });
  return id;
}

/**
 * What the gateway's groups.* transaction does, by hand: lock the conversation, append the system
 * message at the next seq, change the member row, move membership_seq. `hold` keeps the
 * transaction open (its locks held) until the returned commit() is called.
 */
async function membershipChange(
  conversationId: string,
  actor: string,
  change: { remove: string } | { add: string },
): Promise<{ seq: number; commit: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("BEGIN");
  const { rows } = await client.query<{ seq: string }>(
    `UPDATE conversations SET last_seq = last_seq + 1, membership_seq = last_seq + 1, updated_at = now()
     WHERE id = $1 RETURNING last_seq AS seq`,
    [conversationId],
  );
  const seq = Number(rows[0]!.seq);
  const event = "remove" in change ? { type: "member.removed", userId: change.remove } : { type: "members.added", userIds: [change.add] };
  await client.query(
    `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, system)
     VALUES ($1, $2, $3, $4, $5, 'system', '', $6)`,
    [randomUUID(), conversationId, seq, actor, `sys-${randomUUID().replace(/-/g, "")}`, JSON.stringify(event)],
  );
  if ("remove" in change) {
    await client.query(
      `UPDATE conversation_members SET left_seq = $3, left_at = now(), left_reason = 'removed', removed_by = $4
       WHERE conversation_id = $1 AND user_id = $2`,
      [conversationId, change.remove, seq, actor],
    );
  } else {
    await client.query(
      `INSERT INTO conversation_members (conversation_id, user_id, joined_seq, delivered_seq, read_seq) VALUES ($1, $2, $3, $4, $4)
       ON CONFLICT (conversation_id, user_id) DO UPDATE SET joined_seq = $3, left_seq = NULL, left_at = NULL, left_reason = NULL,
         removed_by = NULL, role = 'member'`,
      [conversationId, change.add, seq, seq - 1],
    );
  }
  return {
    seq,
    commit: async () => {
      await client.query("COMMIT");
      await client.end();
    },
  };
}

async function removed(conversationId: string, actor: string, userId: string): Promise<number> {
  const change = await membershipChange(conversationId, actor, { remove: userId });
  await change.commit();
  return change.seq;
}

describe.each(Object.keys(stores) as Array<keyof typeof stores>)("over %s", (variant) => {
  beforeAll(() => {
    store = stores[variant]();
  });

  it("refuses a removed member's append with FORBIDDEN and stores nothing; the others go on", async () => {
    const [owner, ben, cy] = [await user(), await user(), await user()];
    const g = await group([owner, ben, cy]);
    const first = await store.append(text(ben, g, "before removal"));
    expect(first.message.seq).toBe(2);
    expect(first.membershipSeq).toBe(1);
    expect(first.conversationKind).toBe("group");
    expect(first.memberIds.sort()).toEqual([owner, ben, cy].sort());

    const leftSeq = await removed(g, owner, ben);
    expect((await appErrorOf(store.append(text(ben, g, "after removal")))).code).toBe(ErrorCode.Forbidden);
    expect(await lastSeq(g)).toBe(leftSeq);

    const next = await store.append(text(cy, g));
    expect(next.message.seq).toBe(leftSeq + 1);
    expect(next.membershipSeq).toBe(leftSeq);
    expect(next.memberIds.sort()).toEqual([owner, cy].sort());
  });

  it("still answers a removed member's re-send of a message it stored before, as a duplicate", async () => {
    const [owner, ben] = [await user(), await user()];
    const g = await group([owner, ben]);
    const input = text(ben, g, "sent before");
    const stored = await store.append(input);
    await removed(g, owner, ben);
    const again = await store.append(input);
    expect(again).toMatchObject({ duplicate: true, message: stored.message });
    expect((await appErrorOf(store.append({ ...input, body: "other" }))).code).toBe(ErrorCode.IdempotencyConflict);
  });

  it("clamps sync, history, cursors and welcome cursors of a removed member to its window", async () => {
    const [owner, ben] = [await user(), await user()];
    const g = await group([owner, ben]);
    for (let i = 0; i < 3; i++) await store.append(text(owner, g));
    const leftSeq = await removed(g, owner, ben); // 5
    for (let i = 0; i < 3; i++) await store.append(text(owner, g)); // 6..8

    expect(seqs(await store.after(g, 0, 100, ben))).toEqual(range(1, leftSeq));
    expect((await store.after(g, 0, 100, ben)).at(-1)?.system).toEqual({ type: "member.removed", userId: ben });
    expect(await store.after(g, leftSeq, 100, ben)).toEqual([]);
    expect(seqs(await store.before(g, undefined, 100, ben))).toEqual(range(1, leftSeq));
    expect(seqs(await store.before(g, undefined, 2, ben))).toEqual([leftSeq - 1, leftSeq]);
    expect(seqs(await store.after(g, 0, 100, owner))).toEqual(range(1, 8));

    expect(await store.advanceCursor(g, ben, "read", 8)).toBe(leftSeq);
    expect(await store.cursorsOf(ben)).toEqual([{ conversationId: g, lastSeq: leftSeq, deliveredSeq: leftSeq, readSeq: leftSeq }]);
    expect(await store.members(g)).toEqual([owner]);
    expect(await store.membership(g)).toEqual({
      kind: "group",
      membershipSeq: leftSeq,
      open: true,
      members: [
        { userId: owner, joinedSeq: 1, leftSeq: null },
        { userId: ben, joinedSeq: 1, leftSeq },
      ].sort((a, b) => (a.userId < b.userId ? -1 : 1)),
    });
  });

  it("shows a member added later nothing before its join", async () => {
    const [owner, late] = [await user(), await user()];
    const g = await group([owner]);
    for (let i = 0; i < 4; i++) await store.append(text(owner, g)); // 2..5
    const add = await membershipChange(g, owner, { add: late });
    await add.commit(); // 6
    await store.append(text(late, g)); // 7
    expect(seqs(await store.after(g, 0, 100, late))).toEqual([6, 7]);
    expect(seqs(await store.before(g, 7, 100, late))).toEqual([6]);
    expect(seqs(await store.before(g, 6, 100, late))).toEqual([]);
    expect((await store.cursorsOf(late))[0]).toMatchObject({ lastSeq: 7, deliveredSeq: 5, readSeq: 5 });
    expect((await store.membership(g))?.members.find((m) => m.userId === late)).toEqual({ userId: late, joinedSeq: 6, leftSeq: null });
  });

  it("answers FORBIDDEN to reads by a user who never was a member", async () => {
    const [owner, stranger] = [await user(), await user()];
    const g = await group([owner]);
    expect((await appErrorOf(store.after(g, 0, 10, stranger))).code).toBe(ErrorCode.Forbidden);
    expect((await appErrorOf(store.before(g, undefined, 10, stranger))).code).toBe(ErrorCode.Forbidden);
    expect((await appErrorOf(store.after(randomUUID(), 0, 10, owner))).code).toBe(ErrorCode.Forbidden);
    expect(await store.membership(randomUUID())).toBeNull();
    expect(await store.membership("not-a-uuid")).toBeNull();
  });

  it("an append that waited for the removal of its sender is FORBIDDEN; a member's waiting append follows the removal", async () => {
    const [owner, ben, cy] = [await user(), await user(), await user()];
    const g = await group([owner, ben, cy]);
    const removal = await membershipChange(g, owner, { remove: ben });
    // Both statements start (and take their snapshots) before the removal commits, then wait for its lock.
    const benSend = store.append(text(ben, g, "racing the removal")).then(
      (r) => r,
      (e: unknown) => e as AppError,
    );
    await untilWaitingForLocks(prisma, 1);
    await removal.commit();
    const outcome = await benSend;
    expect((outcome as AppError).code).toBe(ErrorCode.Forbidden);
    expect(await lastSeq(g)).toBe(removal.seq);

    const removal2 = await membershipChange(g, owner, { remove: cy });
    const ownerSend = store.append(text(owner, g, "after the second removal"));
    await untilWaitingForLocks(prisma, 1);
    await removal2.commit();
    const sent = await ownerSend;
    expect(sent.message.seq).toBe(removal2.seq + 1);
    expect(sent.membershipSeq).toBe(removal2.seq);
    expect(sent.memberIds).toEqual([owner]);
  });
});

describe("group commit with membership", () => {
  it("a batch mixing members and removed members stores the members' rows gap-free and refuses the others alone", async () => {
    const batching = new PrismaMessageStore(prisma, { pool: counted.pool });
    const [owner, ben, cy, dee] = [await user(), await user(), await user(), await user()];
    const g1 = await group([owner, ben, cy]);
    const g2 = await group([dee, ben]);
    await removed(g1, owner, ben);
    // Occupy the batcher so that the next calls form one batch.
    const warm = batching.append(text(owner, g1, "warm-up"));
    const before = counted.count("append_batch");
    const calls = [
      batching.append(text(cy, g1, "cy 1")),
      batching.append(text(ben, g1, "ben, removed")),
      batching.append(text(ben, g2, "ben in g2")),
      batching.append(text(owner, g1, "owner 1")),
      batching.append(text(dee, g2, "dee 1")),
      batching.append(text(cy, g1, "cy 2")),
    ];
    const settled = await Promise.allSettled([warm, ...calls]);
    expect(counted.count("append_batch") - before).toBe(1);
    const outcome = (s: PromiseSettledResult<AppendResult>) =>
      s.status === "fulfilled" ? [s.value.message.conversationId === g1 ? "g1" : "g2", s.value.message.seq] : (s.reason as AppError).code;
    expect(settled.map(outcome)).toEqual([
      ["g1", 3],
      ["g1", 4],
      ErrorCode.Forbidden,
      ["g2", 2],
      ["g1", 5],
      ["g2", 3],
      ["g1", 6],
    ]);
    expect(await lastSeq(g1)).toBe(6);
    expect(await prisma.message.count({ where: { conversationId: g1, senderId: ben, kind: "text" } })).toBe(0);
    const g1Result = settled[1] as PromiseFulfilledResult<AppendResult>;
    expect(g1Result.value.memberIds.sort()).toEqual([owner, cy].sort());
    expect(g1Result.value.membershipSeq).toBe(2);
  });

  it("a batch whose snapshot predates a removal re-runs that conversation's rows: the removed sender is refused, the others follow the removal", async () => {
    const batching = new PrismaMessageStore(prisma, { pool: counted.pool });
    const [owner, ben, cy, other] = [await user(), await user(), await user(), await user()];
    const g = await group([owner, ben, cy]);
    const elsewhere = await group([other]);
    const removal = await membershipChange(g, owner, { remove: ben });
    const results = Promise.allSettled([
      batching.append(text(cy, g, "cy")),
      batching.append(text(ben, g, "ben")),
      batching.append(text(other, elsewhere, "unrelated")),
    ]);
    await untilWaitingForLocks(prisma, 1);
    await removal.commit();
    const [cySend, benSend, otherSend] = await results;
    expect(benSend.status === "rejected" && (benSend.reason as AppError).code).toBe(ErrorCode.Forbidden);
    expect(cySend.status === "fulfilled" && cySend.value.message.seq).toBe(removal.seq + 1);
    expect(cySend.status === "fulfilled" && cySend.value.memberIds.sort()).toEqual([owner, cy].sort());
    expect(otherSend.status === "fulfilled" && otherSend.value.message.seq).toBe(2);
    expect(await lastSeq(g)).toBe(removal.seq + 1);
  });
});
