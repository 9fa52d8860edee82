/**
 * Addressed group receipts (issue 10) through DimClient, a real gateway and two real core nodes
 * (real-stack.ts): a member hears of another member's cursor only when it passed a message of
 * its own; each author counts k of n across nodes; a member who joined after a message counts in
 * neither k nor n for it; member reads (loadMemberCursors) are coalesced per conversation.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import WebSocket from "ws";
import type { MemberCursor } from "@dim/shared";
import { until } from "../src/testing";
import { DimClient, gatewayPort, MemoryClientStore, type WebSocketConstructor } from "../src";
import { befriend, clientFor, eventually, nodeOf, register, useRealStack, type Person } from "./real-stack";

useRealStack();

const own = (client: DimClient, conversationId: string, clientMsgId: string) =>
  client.conversationMessages(conversationId).find((m) => m.clientMsgId === clientMsgId);

/** Every cursor the client's `receipts` events carry for the conversation, in arrival order. */
function cursorsHeard(client: DimClient, conversationId: string): MemberCursor[] {
  const heard: MemberCursor[] = [];
  client.on("receipts", (f) => {
    if (f.conversationId === conversationId) heard.push(...f.cursors);
  });
  return heard;
}

/** `writer` sends `body`; every reader gets it and reads it; resolves once the writer sees "read". */
async function writeAndRead(writer: DimClient, readers: DimClient[], conversationId: string, body: string) {
  const got = readers.map((r) => until(r, "message", (m) => m.conversationId === conversationId && m.body === body, `${body} to arrive`));
  const sent = writer.send(conversationId, body);
  const messages = await Promise.all(got);
  readers.forEach((r, i) => r.markRead(conversationId, messages[i]!.seq!));
  await eventually(writer, () => own(writer, conversationId, sent.clientMsgId)?.state === "read", `${body} read by all`);
  return { clientMsgId: sent.clientMsgId, seq: messages[0]!.seq! };
}

describe("addressed group receipts with a real gateway and two real core nodes", () => {
  it("only authors hear of others' cursors; k of n across nodes; a late joiner is not counted", async () => {
    const [alice, bob, cyd, dee] = await Promise.all(["rana", "rben", "rcyd", "rdee"].map((n) => register(n)));
    for (const p of [bob, cyd, dee] as Person[]) await befriend(alice!, p);
    const { conversation } = await alice!.api.groups.create.mutate({ title: "Routed", memberIds: [bob!.id, cyd!.id] });
    const g = conversation.id;
    const [a, b, c] = [clientFor(alice!), clientFor(bob!), clientFor(cyd!)];
    for (const client of [a, b, c]) await client.connect();
    expect(new Set([nodeOf(a), nodeOf(b), nodeOf(c)]).size).toBe(2);
    const heard = { alice: cursorsHeard(a, g), bob: cursorsHeard(b, g), cyd: cursorsHeard(c, g) };
    for (const client of [a, b, c]) await eventually(client, () => client.conversationMeta(g)?.kind === "group", "a group");

    // Each writes once, the other two read: every author counts 2 of 2, across the nodes.
    const m1 = await writeAndRead(a, [b, c], g, "from alice");
    expect(own(a, g, m1.clientMsgId)?.receipts).toEqual({ delivered: 2, read: 2, of: 2 });
    const m2 = await writeAndRead(b, [a, c], g, "from bob");
    expect(own(b, g, m2.clientMsgId)?.receipts).toEqual({ delivered: 2, read: 2, of: 2 });
    const m3 = await writeAndRead(c, [a, b], g, "from cyd");
    expect(own(c, g, m3.clientMsgId)?.receipts).toEqual({ delivered: 2, read: 2, of: 2 });

    // Records of one conversation arrive in order: the cursors each heard by now include all
    // sent before. A member heard of another's cursor only once it had passed its own first
    // message: bob never heard of cyd's moves over alice's message, cyd none before m3.
    const firstOwn = { alice: m1.seq, bob: m2.seq, cyd: m3.seq };
    const ids = { alice: alice!.id, bob: bob!.id, cyd: cyd!.id };
    for (const who of ["alice", "bob", "cyd"] as const) {
      const foreign = heard[who].filter((cur) => cur.userId !== ids[who]);
      expect(foreign.length).toBeGreaterThan(0);
      for (const cur of foreign) expect(Math.max(cur.deliveredSeq, cur.readSeq), `${who} heard of ${cur.userId}`).toBeGreaterThanOrEqual(firstOwn[who]);
      expect(foreign.every((cur) => cur.joinedSeq === 1)).toBe(true);
    }

    // Dee joins after m1 and reads all she has: she counts in neither k nor n for m1, also
    // once alice has read every member's cursors (loadMemberCursors: dee's cursor is above m1).
    const { seq: addedAt } = await alice!.api.groups.addMembers.mutate({ conversationId: g, userIds: [dee!.id] });
    await dee!.api.conversations.markRead.mutate({ conversationId: g, seq: addedAt });
    await a.loadMemberCursors(g);
    expect(a.conversationMeta(g)?.members[dee!.id]).toEqual({ deliveredSeq: addedAt, readSeq: addedAt, joinedSeq: addedAt });
    expect(own(a, g, m1.clientMsgId)).toMatchObject({ state: "read", receipts: { delivered: 2, read: 2, of: 2 } });

    // A message after her join counts her: 3 of 3 once she read it too.
    const d = clientFor(dee!);
    await d.connect();
    const m4 = await writeAndRead(a, [b, c, d], g, "after dee");
    expect(own(a, g, m4.clientMsgId)?.receipts).toEqual({ delivered: 3, read: 3, of: 3 });
    expect(own(a, g, m1.clientMsgId)?.receipts).toEqual({ delivered: 2, read: 2, of: 2 });
  });

  it("loadMemberCursors: one groups.members read in flight per conversation, calls during it share one more", async () => {
    const [alice, bob] = await Promise.all(["lana", "lben"].map((n) => register(n)));
    await befriend(alice!, bob!);
    const { conversation } = await alice!.api.groups.create.mutate({ title: "Loads", memberIds: [bob!.id] });
    let reads = 0;
    // A client of its own (not clientFor): its gateway port counts the groups.members reads.
    const port = gatewayPort(alice!.api);
    const a = new DimClient({
      gateway: {
        ...port,
        groupMembers: (input) => {
          reads++;
          return port.groupMembers!(input);
        },
      },
      WebSocket: WebSocket as unknown as WebSocketConstructor,
      store: new MemoryClientStore(),
      backoff: { baseMs: 50, capMs: 500 },
    });
    onTestFinished(() => a.stop());
    await a.connect();
    await Promise.all([a.loadMemberCursors(conversation.id), a.loadMemberCursors(conversation.id), a.loadMemberCursors(conversation.id)]);
    expect(reads).toBe(2); // the first, and one after it for the two calls made while it ran
    await a.loadMemberCursors(conversation.id);
    expect(reads).toBe(3); // nothing in flight: a read of its own
    expect(Object.keys(a.conversationMeta(conversation.id)!.members)).toEqual([bob!.id]);
  });
});
