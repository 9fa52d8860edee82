/**
 * The node's membership cache over the real store (PostgreSQL), and what a node does with group
 * envelopes when the bus loses or reorders `members.changed`: a `deliver.group` with a newer
 * membershipSeq than cached is delivered by the new windows, never the cached ones.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it, onTestFinished } from "vitest";
import { createMemoryInfra, MemoryHub } from "@dim/infra";
import { encodeNodeEnvelope, type Message } from "@dim/shared";
import type { MessageStore } from "@dim/db";
import { CoreNode } from "../src/core-node";
import { GroupMembers, windowHolds } from "../src/group-members";
import { connectAs, createConversation, createUser, testConfig, useTestDatabase } from "./helpers/cluster";

const db = useTestDatabase();

/** The real store, counting its membership reads. */
function countingStore(store: MessageStore) {
  const counted = { reads: 0, membership: (id: string) => (counted.reads++, store.membership(id)) };
  return counted;
}

/** Ends `userId`'s window at a new seq of the conversation, as the gateway's removal does (no bus). */
async function removeInDb(conversationId: string, userId: string): Promise<number> {
  const [row] = await db.prisma.$queryRaw<Array<{ last_seq: bigint }>>`
    UPDATE conversations SET last_seq = last_seq + 1, membership_seq = last_seq + 1 WHERE id = ${conversationId}::uuid RETURNING last_seq`;
  const seq = Number(row!.last_seq);
  await db.prisma.$executeRaw`
    UPDATE conversation_members SET left_seq = ${seq}, left_at = now(), left_reason = 'removed'
    WHERE conversation_id = ${conversationId}::uuid AND user_id = ${userId}::uuid`;
  return seq;
}

function textAt(conversationId: string, senderId: string, seq: number): Message {
  return { id: randomUUID(), conversationId, seq, senderId, clientMsgId: `client-${seq}`, kind: "text", body: "x", createdAt: new Date().toISOString() };
}

describe("GroupMembers", () => {
  it("reads once, shares concurrent reads, and re-reads only for a newer membershipSeq", async () => {
    const [a, b, c] = [await createUser(db.prisma), await createUser(db.prisma), await createUser(db.prisma)];
    const g = await createConversation(db.prisma, [a, b, c]);
    const store = countingStore(db.store);
    const cache = new GroupMembers(store, 10);
    const [first, second] = await Promise.all([cache.get(g), cache.get(g)]);
    expect(store.reads).toBe(1);
    expect(first).toBe(second);
    expect(first).toMatchObject({ kind: "group", membershipSeq: 0 });
    expect(first!.active.sort()).toEqual([a, b, c].sort());

    const removedAt = await removeInDb(g, c);
    expect((await cache.get(g))!.members.get(c)!.leftSeq).toBeNull(); // nobody said it changed: cached
    const fresh = await cache.get(g, removedAt);
    expect(store.reads).toBe(2);
    expect(fresh!.members.get(c)).toEqual({ joinedSeq: 1, leftSeq: removedAt });
    expect(fresh!.active.sort()).toEqual([a, b].sort());
    expect(await cache.get(randomUUID())).toBeNull();
  });

  it("invalidate drops older entries only, and a read in flight does not outlive it", async () => {
    const [a, b, c] = [await createUser(db.prisma), await createUser(db.prisma), await createUser(db.prisma)];
    const g = await createConversation(db.prisma, [a, b, c]);
    const store = countingStore(db.store);
    const cache = new GroupMembers(store, 10);
    await cache.get(g);
    cache.invalidate(g, 0); // not newer than held
    await cache.get(g);
    expect(store.reads).toBe(1);

    // a read of the old state that answers only after the change was announced
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const slow = { membership: async (id: string) => { const m = await db.store.membership(id); await gate; return m; } };
    const late = new GroupMembers(slow, 10);
    const inFlight = late.get(g);
    await new Promise((r) => setTimeout(r, 50)); // let the old read run (the gate holds its answer)
    const removedAt = await removeInDb(g, c);
    late.invalidate(g, removedAt);
    release();
    expect((await inFlight)!.membershipSeq).toBe(0); // its caller gets what it read…
    expect((await late.get(g))!.membershipSeq).toBe(removedAt); // …but the cache does not keep it
  });

  it("keeps at most maxEntries conversations, dropping the least recently used", async () => {
    const a = await createUser(db.prisma);
    const b = await createUser(db.prisma);
    const convs = [];
    for (let i = 0; i < 3; i++) convs.push(await createConversation(db.prisma, [a, b, await createUser(db.prisma)]));
    const store = countingStore(db.store);
    const cache = new GroupMembers(store, 2);
    await cache.get(convs[0]!);
    await cache.get(convs[1]!);
    await cache.get(convs[0]!); // most recent now
    await cache.get(convs[2]!); // evicts convs[1]
    expect(cache.size).toBe(2);
    expect(store.reads).toBe(3);
    await cache.get(convs[0]!);
    expect(store.reads).toBe(3);
    await cache.get(convs[1]!);
    expect(store.reads).toBe(4);
  });

  it("a window [joinedSeq, leftSeq] holds its ends", () => {
    expect(windowHolds({ joinedSeq: 3, leftSeq: 5 }, 3)).toBe(true);
    expect(windowHolds({ joinedSeq: 3, leftSeq: 5 }, 5)).toBe(true);
    expect(windowHolds({ joinedSeq: 3, leftSeq: 5 }, 6)).toBe(false);
    expect(windowHolds({ joinedSeq: 3, leftSeq: 5 }, 2)).toBe(false);
    expect(windowHolds({ joinedSeq: 3, leftSeq: null }, 1e9)).toBe(true);
  });
});

describe("group envelopes on a node", () => {
  it("a deliver.group newer than the cache is delivered by the new windows even when members.changed was lost", async () => {
    const hub = new MemoryHub();
    const infra = createMemoryInfra(hub);
    const nodeId = `grp-${randomUUID().slice(0, 6)}`;
    const node = new CoreNode({ config: testConfig({ nodeId }), store: db.store, contactPresence: db.contactPresence, ...infra });
    onTestFinished(async () => {
      await node.stop();
      await infra.close();
    });
    const started = await node.start();
    const [a, b, c] = [await createUser(db.prisma), await createUser(db.prisma), await createUser(db.prisma)];
    const g = await createConversation(db.prisma, [a, b, c]);
    await db.prisma.conversation.update({ where: { id: g }, data: { lastSeq: 1 } });
    const { client: bob } = await connectAs(started, b);
    const { client: cy } = await connectAs(started, c);
    const bus = createMemoryInfra(hub).bus;
    const publish = async (envelope: Parameters<typeof encodeNodeEnvelope>[0]) => {
      const { key, payload } = encodeNodeEnvelope(envelope);
      await bus.publish(nodeId, key, payload);
    };

    await publish({ type: "deliver.group", conversationId: g, membershipSeq: 0, message: textAt(g, a, 1) });
    expect((await cy.next("message")).message.seq).toBe(1); // the node now caches membershipSeq 0

    const removedAt = await removeInDb(g, c); // no members.changed
    await publish({ type: "deliver.group", conversationId: g, membershipSeq: removedAt, message: textAt(g, a, removedAt) });
    await publish({ type: "deliver.group", conversationId: g, membershipSeq: removedAt, message: textAt(g, a, removedAt + 1) });
    expect((await bob.next("message", (f) => f.message.seq === removedAt + 1)).message.seq).toBe(removedAt + 1);
    expect((await cy.next("message")).message.seq).toBe(removedAt); // its own removal, then nothing
    await cy.roundTrip();
    expect(cy.all("message").map((f) => f.message.seq)).toEqual([1, removedAt]);

    // conversation frames go to every local socket of the named users, and only theirs
    await publish({ type: "conversation", userIds: [c], frame: { type: "conversation", event: "removed", conversationId: g } });
    expect(await cy.next("conversation")).toEqual({ type: "conversation", event: "removed", conversationId: g });
    await bob.roundTrip();
    expect(bob.all("conversation")).toEqual([]);
  });
});
