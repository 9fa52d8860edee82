/**
 * A 1,000-member group over three real nodes and the real gateway: 600 members online (sockets
 * spread over the nodes, 1,200 file descriptors in this process), 399 offline. Every text is
 * pushed exactly once to every online member's socket (re-push is off here: it would push
 * un-ACKed messages twice by design), the readers' cursors reach the sender as coalesced
 * `receipts` frames to the authors, and offline members get everything from their join by sync.
 */
import { describe, expect, it } from "vitest";
import { connectAs, clientMsgId } from "./helpers/cluster";
import { useGroupSystem } from "./helpers/group-system";
import type { TestClient } from "./helpers/test-client";

const ONLINE = 600;
const MEMBERS = 1000;
const TEXTS_PER_SENDER = 5;

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("a 1,000-member group", () => {
  const sys = useGroupSystem({ config: { repush: false } });

  it("delivers every message once to every online member; receipts coalesced; offline members sync", { timeout: 180_000 }, async () => {
    const owner = await sys.register();
    const others = await sys.contactsOf(owner.id, MEMBERS - 1);
    const online = others.slice(0, ONLINE);
    const offline = others.slice(ONLINE);

    const ownerSocket = (await connectAs(sys.nodes[0]!, owner.id)).client;
    const sockets = new Map<string, TestClient>();
    for (let i = 0; i < online.length; i += 100) {
      const batch = online.slice(i, i + 100);
      const opened = await Promise.all(batch.map((id, j) => connectAs(sys.nodes[(i + j) % sys.nodes.length]!, id)));
      batch.forEach((id, j) => sockets.set(id, opened[j]!.client));
    }

    // 1,000 members: the creation (199 + owner) and four adds of 200
    const { conversation } = await owner.client.groups.create.mutate({ title: "a thousand", memberIds: others.slice(0, 199) });
    const g = conversation.id;
    for (let i = 199; i < others.length; i += 200) {
      await owner.client.groups.addMembers.mutate({ conversationId: g, userIds: others.slice(i, i + 200) });
    }
    expect(await sys.prisma.conversationMember.count({ where: { conversationId: g, leftSeq: null } })).toBe(MEMBERS);

    // three senders, one per node
    const senders = [online[0]!, online[1]!, online[2]!];
    const sentBy = new Map<string, number[]>();
    await Promise.all(
      senders.map(async (userId) => {
        const socket = sockets.get(userId)!;
        const ids = Array.from({ length: TEXTS_PER_SENDER }, () => clientMsgId());
        for (const id of ids) socket.send({ type: "send", conversationId: g, clientMsgId: id, kind: "text", body: `from ${userId}` });
        const seqs: number[] = [];
        for (const id of ids) seqs.push((await socket.next("sent", (f) => f.clientMsgId === id, 30_000)).seq);
        sentBy.set(userId, seqs);
      }),
    );
    const allTexts = [...sentBy.values()].flat().sort((a, b) => a - b);
    const last = allTexts.at(-1)!;
    const textsPushed = (c: TestClient) =>
      c
        .all("message")
        .filter((f) => f.message.conversationId === g && f.message.kind === "text")
        .map((f) => f.message.seq)
        .sort((a, b) => a - b);

    const expectedFor = (userId: string) => allTexts.filter((s) => !(sentBy.get(userId) ?? []).includes(s));
    await until(() => [...sockets].every(([id, c]) => textsPushed(c).length >= expectedFor(id).length) && textsPushed(ownerSocket).length >= allTexts.length);
    for (const [id, c] of sockets) expect(textsPushed(c), id).toEqual(expectedFor(id));
    expect(textsPushed(ownerSocket)).toEqual(allTexts);

    // every online member reads the last text: its author hears of all 600 through coalesced
    // `receipts` frames (its own cursor among them, for its other devices); the owner, who wrote
    // no text, hears of none
    const author = senders.find((id) => sentBy.get(id)!.includes(last))!;
    const authorSocket = sockets.get(author)!;
    for (const c of sockets.values()) c.send({ type: "read", conversationId: g, seq: last });
    const readers = new Set<string>();
    let frames = 0;
    while (readers.size < ONLINE) {
      const frame = await authorSocket.next("receipts", (f) => f.conversationId === g, 30_000);
      frames++;
      for (const cur of frame.cursors) if (cur.readSeq === last) readers.add(cur.userId);
    }
    expect([...readers].sort()).toEqual([...online].sort());
    expect(frames).toBeLessThan(ONLINE); // coalesced, whatever the timing: 600 moves never make 600 frames here
    expect(authorSocket.all("receipt")).toHaveLength(0);
    await ownerSocket.roundTrip();
    expect(ownerSocket.all("receipts").filter((f) => f.conversationId === g)).toEqual([]);
    expect(ownerSocket.all("receipt")).toHaveLength(0);

    // offline members: welcome lists the group; sync from their join holds every text
    for (const userId of [offline[0]!, offline[200]!, offline.at(-1)!]) {
      const { client, welcome } = await connectAs(sys.nodes[2]!, userId);
      expect(welcome.conversations.find((c) => c.conversationId === g)?.lastSeq).toBe(last);
      client.send({ type: "sync", conversationId: g, afterSeq: 0, limit: 100 });
      const batch = await client.next("sync.batch", (f) => f.conversationId === g);
      expect(batch.messages.filter((m) => m.kind === "text").map((m) => m.seq)).toEqual(allTexts);
      expect(batch.messages[0]!.kind).toBe("system");
    }
  });
});
