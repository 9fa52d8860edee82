/**
 * Group chat over three real nodes and the real gateway (embedded infra): fan-out by node,
 * membership changes in the middle of traffic, windows (a removed member gets nothing after its
 * removal on any node, an added member sees history from its join), coalesced receipts, and
 * `conversation` frames on every device of the users a change concerns.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode, type Message } from "@dim/shared";
import { clientMsgId, connectAs, createConversation, createUser, startCluster, useTestDatabase } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

/** Sends `n` texts from `client`, pipelined; resolves with their seqs once all were `sent`. */
async function sendTexts(client: TestClient, conversationId: string, n: number, tag: string): Promise<number[]> {
  const ids = Array.from({ length: n }, () => clientMsgId());
  for (const [i, id] of ids.entries()) client.send({ type: "send", conversationId, clientMsgId: id, kind: "text", body: `${tag} ${i}` });
  const seqs: number[] = [];
  for (const id of ids) seqs.push((await client.next("sent", (f) => f.clientMsgId === id)).seq);
  return seqs;
}

/** The seqs of the messages pushed to `client` in `conversationId`, in arrival order. */
function pushedSeqs(client: TestClient, conversationId: string): number[] {
  return client
    .all("message")
    .filter((f) => f.message.conversationId === conversationId)
    .map((f) => f.message.seq);
}

async function waitForSeq(client: TestClient, conversationId: string, seq: number): Promise<Message> {
  return (await client.next("message", (f) => f.message.conversationId === conversationId && f.message.seq === seq)).message;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);

/** Waits (real clock, bounded) until `check` holds. */
async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe("a group over three nodes", () => {
  const sys = useGroupSystem();

  it("create, traffic, add and remove in the middle of traffic, receipts, conversation frames", async () => {
    const [n0, n1, n2] = [sys.nodes[0]!, sys.nodes[1]!, sys.nodes[2]!];
    const owner = await sys.register();
    const [ann, ben, cy, dee] = (await sys.contactsOf(owner.id, 4)) as [string, string, string, string];

    const ownerPhone = (await connectAs(n0, owner.id)).client;
    const ownerLaptop = (await connectAs(n2, owner.id)).client;
    const annOn1 = (await connectAs(n1, ann)).client;
    const annOn2 = (await connectAs(n2, ann)).client;
    const benOn0 = (await connectAs(n0, ben)).client;
    const benOn2 = (await connectAs(n2, ben)).client;
    const cyOn0 = (await connectAs(n0, cy)).client;
    const everyone = [ownerPhone, ownerLaptop, annOn1, annOn2, benOn0, benOn2, cyOn0];

    // create: `added` and the group.created message (seq 1) on every device of every member
    const { conversation } = await owner.client.groups.create.mutate({ title: "three nodes", memberIds: [ann, ben, cy] });
    const g = conversation.id;
    for (const c of everyone) {
      expect(await c.next("conversation", (f) => f.conversationId === g)).toEqual({ type: "conversation", event: "added", conversationId: g });
      expect(await waitForSeq(c, g, 1)).toMatchObject({ kind: "system", system: { type: "group.created" } });
    }

    // traffic from two nodes, with ben removed in the middle of it
    const before = sendTexts(annOn1, g, 10, "ann");
    const during = sendTexts(cyOn0, g, 10, "cy");
    const { seq: removedAt } = await owner.client.groups.removeMember.mutate({ conversationId: g, userId: ben });
    const after = await sendTexts(annOn1, g, 10, "ann after");
    await Promise.all([before, during]);
    const last = Math.max(...after);
    expect(last).toBe(32); // 1 created + 30 texts + 1 removal

    // everyone still in the group gets every seq once (own sends are not pushed to the sending
    // socket; two senders' nodes do not order their seqs against each other)
    for (const c of [ownerPhone, ownerLaptop, annOn2]) {
      await until(() => pushedSeqs(c, g).length >= last);
      expect(sorted(pushedSeqs(c, g))).toEqual(range(1, last));
    }
    const cySent = new Set(await during);
    await until(() => pushedSeqs(cyOn0, g).length >= last - cySent.size);
    expect(sorted(pushedSeqs(cyOn0, g))).toEqual(range(1, last).filter((s) => !cySent.has(s)));

    // ben: exactly the seqs up to its removal (its removal message last), nothing after, on both nodes
    for (const c of [benOn0, benOn2]) {
      const removal = await waitForSeq(c, g, removedAt);
      expect(removal.system).toEqual({ type: "member.removed", userId: ben });
      expect(await c.next("conversation", (f) => f.conversationId === g && f.event !== "added")).toMatchObject({ event: "removed" });
      // ownerPhone (node 0) and ownerLaptop (node 2) got every seq: both nodes handled them all
      await c.roundTrip();
      expect(sorted(pushedSeqs(c, g))).toEqual(range(1, removedAt));
    }
    for (const c of [ownerPhone, ownerLaptop, annOn1, annOn2, cyOn0]) {
      expect(await c.next("conversation", (f) => f.conversationId === g && f.event !== "added")).toMatchObject({ event: "changed" });
    }
    // and its send is refused
    const refused = clientMsgId();
    benOn2.send({ type: "send", conversationId: g, clientMsgId: refused, kind: "text", body: "still here?" });
    expect(await benOn2.next("error", (f) => f.ref === refused)).toMatchObject({ code: ErrorCode.Forbidden });

    // dee is added: `added`, its add message, then history from its join only (sync)
    const early = { type: "send", conversationId: g, clientMsgId: clientMsgId(), kind: "text", body: "before dee" } as const;
    annOn1.send(early);
    const earlySeq = (await annOn1.next("sent", (f) => f.clientMsgId === early.clientMsgId)).seq;
    const deeOn1 = (await connectAs(n1, dee)).client;
    const deeOn0 = (await connectAs(n0, dee)).client;
    const { seq: addedAt } = await owner.client.groups.addMembers.mutate({ conversationId: g, userIds: [dee] });
    expect(await deeOn1.next("conversation", (f) => f.conversationId === g)).toMatchObject({ event: "added" });
    expect(await waitForSeq(deeOn1, g, addedAt)).toMatchObject({ system: { type: "members.added", userIds: [dee] } });
    deeOn1.send({ type: "sync", conversationId: g, afterSeq: 0 });
    const batch = await deeOn1.next("sync.batch", (f) => f.conversationId === g);
    expect(batch.messages.map((m) => m.seq)).toEqual([addedAt]);
    // a re-send of a message from before dee's join is pushed again to the others, never to dee
    // (here on ann's node, and elsewhere)
    annOn1.send(early);
    expect(await annOn1.next("sent", (f) => f.clientMsgId === early.clientMsgId)).toMatchObject({ seq: earlySeq, duplicate: true });
    await until(() => pushedSeqs(ownerPhone, g).filter((s) => s === earlySeq).length === 2);
    const [next] = await sendTexts(cyOn0, g, 1, "welcome dee");
    await waitForSeq(deeOn1, g, next!);
    await waitForSeq(deeOn0, g, next!);
    for (const c of [deeOn1, deeOn0]) expect(pushedSeqs(c, g)).toEqual([addedAt, next]);
    await benOn0.roundTrip();
    expect(pushedSeqs(benOn0, g).at(-1)).toBe(removedAt);

    // receipts: cy reads, dee acknowledges the owner's message; the author's devices get
    // coalesced `receipts` frames, with each member's joinedSeq
    const [mine] = await sendTexts(ownerPhone, g, 1, "from the owner");
    await waitForSeq(cyOn0, g, mine!);
    await waitForSeq(deeOn1, g, mine!);
    cyOn0.send({ type: "read", conversationId: g, seq: mine! });
    deeOn1.send({ type: "ack", conversationId: g, seq: mine! });
    for (const c of [ownerPhone, ownerLaptop]) {
      const seen = new Map<string, { deliveredSeq: number; readSeq: number; joinedSeq: number }>();
      while (!(seen.get(cy)?.readSeq === mine && seen.get(dee)?.deliveredSeq === mine)) {
        const frame = await c.next("receipts", (f) => f.conversationId === g);
        for (const cur of frame.cursors) seen.set(cur.userId, cur);
      }
      expect(seen.get(dee)?.joinedSeq).toBe(addedAt);
      expect(seen.get(cy)?.joinedSeq).toBe(1);
      expect(c.all("receipt")).toHaveLength(0); // groups never use the 1:1 frame
    }
    // the removed member is not told of receipts
    await benOn0.roundTrip();
    expect(benOn0.all("receipts").filter((f) => f.conversationId === g)).toEqual([]);
  });

  it("a member who leaves gets its own leaving message, then nothing; its devices get `removed`", async () => {
    const [n0, n1, n2] = [sys.nodes[0]!, sys.nodes[1]!, sys.nodes[2]!];
    const owner = await sys.register();
    const eve = await sys.register();
    const [fay] = (await sys.contactsOf(owner.id, 1)) as [string];
    const fayOn1 = (await connectAs(n1, fay)).client;
    const fayOn2 = (await connectAs(n2, fay)).client;
    // eve becomes the owner's contact through the procedures
    const req = await owner.client.contacts.request.mutate({ username: eve.username });
    const ownerOn0 = (await connectAs(n0, owner.id)).client;
    const eveOn1 = (await connectAs(n1, eve.id)).client;
    const eveOn2 = (await connectAs(n2, eve.id)).client;
    await eve.client.contacts.accept.mutate({ requestId: req.id });
    // contacts.accept: `conversation added` on every device of both users
    const direct = (await ownerOn0.next("conversation")).conversationId;
    for (const c of [eveOn1, eveOn2]) expect(await c.next("conversation", (f) => f.conversationId === direct)).toMatchObject({ event: "added" });

    const { conversation } = await owner.client.groups.create.mutate({ title: "leavers", memberIds: [eve.id, fay] });
    const g = conversation.id;
    await waitForSeq(eveOn2, g, 1);
    const { seq: leftAt } = await eve.client.groups.leave.mutate({ conversationId: g });
    const [after] = await sendTexts(ownerOn0, g, 1, "after eve");
    for (const c of [eveOn1, eveOn2]) {
      expect((await waitForSeq(c, g, leftAt)).system).toEqual({ type: "member.left" });
      expect(await c.next("conversation", (f) => f.conversationId === g && f.event === "removed")).toBeTruthy();
    }
    expect(await ownerOn0.next("conversation", (f) => f.conversationId === g && f.event === "changed")).toBeTruthy();
    await waitForSeq(ownerOn0, g, leftAt);
    // fay's sockets got it: nodes 1 and 2 have handled it
    await waitForSeq(fayOn1, g, after!);
    await waitForSeq(fayOn2, g, after!);
    expect(pushedSeqs(eveOn2, g)).not.toContain(after);
    expect(pushedSeqs(eveOn1, g)).not.toContain(after);
  });
});

describe("group receipts from the gateway", () => {
  const sys = useGroupSystem();

  it("conversations.markRead in a group reaches the authors of what was read and the reader's devices, nobody else", async () => {
    const owner = await sys.register();
    const [ann, ben] = (await sys.contactsOf(owner.id, 2)) as [string, string];
    const annOn1 = (await connectAs(sys.nodes[1]!, ann)).client;
    const benOn2 = (await connectAs(sys.nodes[2]!, ben)).client;
    const ownerOn2 = (await connectAs(sys.nodes[2]!, owner.id)).client;
    const { conversation } = await owner.client.groups.create.mutate({ title: "marked", memberIds: [ann, ben] });
    const g = conversation.id;
    await waitForSeq(annOn1, g, 1);
    const [seq] = await sendTexts(annOn1, g, 1, "read me");
    await waitForSeq(benOn2, g, seq!);
    expect(await owner.client.conversations.markRead.mutate({ conversationId: g, seq: seq! })).toEqual({ readSeq: seq });
    const cursor = { userId: owner.id, deliveredSeq: seq, readSeq: seq, joinedSeq: 1 };
    for (const c of [annOn1, ownerOn2]) expect((await c.next("receipts", (f) => f.conversationId === g)).cursors).toEqual([cursor]);
    // node 2 has handled the record (ownerOn2 got it): ben, on the same node, wrote nothing read
    await benOn2.roundTrip();
    expect(benOn2.all("receipts")).toEqual([]);
  });
});
