import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ConversationSummary, GroupMembersOutput } from "@dim/shared";
import { MemoryClientStore, type ChatMessage, type ConversationMeta, type MembershipChange, type MessageStateChange } from "../src";
import { CONV, FakeGateway, ME, connected, cursor, harness, message, settle, welcome } from "./fake-transport";

const B = randomUUID();
const C = randomUUID();
const D = randomUUID();

function summary(over: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: CONV,
    kind: "group",
    title: "Trip",
    peer: null,
    lastMessage: null,
    lastSeq: 0,
    readSeq: 0,
    deliveredSeq: 0,
    unreadCount: 0,
    unreadMentions: 0,
    peersDeliveredSeq: 0,
    peersReadSeq: 0,
    memberCount: 4,
    myRole: "owner",
    membership: "active",
    avatarAttachmentId: null,
    mutedUntil: null,
    updatedAt: new Date(0).toISOString(),
    ...over,
  };
}

/** A gateway whose list and member pages the test sets; counts calls. */
class GroupGateway extends FakeGateway {
  list: ConversationSummary[] = [summary()];
  listCalls = 0;
  pages: GroupMembersOutput[] = [];
  memberCalls: { cursor?: string }[] = [];
  async listConversations(): Promise<ConversationSummary[]> {
    this.listCalls++;
    await new Promise((r) => setTimeout(r, 5));
    return structuredClone(this.list);
  }
  async groupMembers(input: { conversationId: string; cursor?: string }): Promise<GroupMembersOutput> {
    this.memberCalls.push({ cursor: input.cursor });
    // Past the pages set: the last one again (the member list as it is now).
    return structuredClone(this.pages[Math.min(this.memberCalls.length, this.pages.length) - 1]!);
  }
}

function member(userId: string, deliveredSeq: number, readSeq: number) {
  return {
    user: { id: userId, username: `u${userId.slice(0, 6)}`, displayName: "U", statusText: "", avatarUrl: null },
    role: "member" as const,
    joinedAt: new Date(0).toISOString(),
    joinedSeq: 1,
    deliveredSeq,
    readSeq,
  };
}

const own = (seq: number) => message(seq, { senderId: ME, clientMsgId: `own-msg-${seq}-xyz` });
const view = (messages: readonly ChatMessage[], seq: number) => messages.find((m) => m.seq === seq)!;

describe("group receipts: per member, k of n", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  async function groupOfFour() {
    const gateway = new GroupGateway();
    const h = harness({ refreshCursorsOnConnect: true }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    await vi.advanceTimersByTimeAsync(10); // the conversations.list after welcome
    socket.push({ type: "message", message: own(1) });
    socket.push({ type: "message", message: own(2) });
    await settle();
    return { h, socket, gateway };
  }

  it("a group's deliveries are ACKed together after groupAckDelayMs (one `ack` per window); a re-push of what is held at once", async () => {
    const { socket } = await groupOfFour();
    socket.clearSent();
    // Others' messages 3, 4, 5 arrive 100 ms apart: nothing ACKed until the window (500 ms) ends.
    for (const seq of [3, 4, 5]) {
      socket.push({ type: "message", message: message(seq) });
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(socket.framesOf("ack")).toEqual([]);
    await vi.advanceTimersByTimeAsync(200);
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([5]);
    // The node re-pushes 5 (it missed that ACK): said again at once, not after another window.
    socket.push({ type: "message", message: message(5) });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([5, 5]);
  });

  it("groupAckDelayMs: 0 ACKs a group at once; out of 0..2000 ms it is refused at construction", async () => {
    const gateway = new GroupGateway();
    const h = harness({ refreshCursorsOnConnect: true, groupAckDelayMs: 0 }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    await vi.advanceTimersByTimeAsync(10);
    socket.push({ type: "message", message: message(1) });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1]);
    for (const bad of [-1, 2001, Number.NaN]) {
      expect(() => harness({ groupAckDelayMs: bad })).toThrow(expect.objectContaining({ code: "INVALID_CONFIG", message: expect.stringContaining("groupAckDelayMs") }));
    }
  });

  it("moves k of n as each member's receipts arrive; read only when all three have read", async () => {
    const { h, socket } = await groupOfFour();
    expect(h.client.conversationMeta(CONV)).toMatchObject({ kind: "group", memberCount: 4, membership: "active" });
    const changes: MessageStateChange[] = [];
    h.client.on("messageState", (c) => changes.push(c));
    const at = (seq: number) => view(h.client.conversationMessages(CONV), seq);
    expect(at(1)).toMatchObject({ state: "sent", receipts: { delivered: 0, read: 0, of: 3 }, system: null });

    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    await settle();
    // The old max logic would call this "read": one member of three read it.
    expect(at(1)).toMatchObject({ state: "sent", receipts: { delivered: 1, read: 1, of: 3 } });
    expect(at(2)).toMatchObject({ state: "sent", receipts: { delivered: 1, read: 1, of: 3 } });

    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: C, deliveredSeq: 2, readSeq: 1, joinedSeq: 1 }, { userId: D, deliveredSeq: 2, readSeq: 0, joinedSeq: 1 }] });
    await settle();
    expect(at(1)).toMatchObject({ state: "delivered", receipts: { delivered: 3, read: 2, of: 3 } });
    expect(at(2)).toMatchObject({ state: "delivered", receipts: { delivered: 3, read: 1, of: 3 } });

    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: D, deliveredSeq: 0, readSeq: 1, joinedSeq: 1 }] });
    await settle();
    expect(at(1)).toMatchObject({ state: "read", receipts: { delivered: 3, read: 3, of: 3 } });
    expect(at(2)).toMatchObject({ state: "delivered", receipts: { read: 1 } });
    expect(changes.map((c) => [c.seq, c.previous, c.state])).toEqual([
      [1, "sent", "delivered"],
      [2, "sent", "delivered"],
      [1, "delivered", "read"],
    ]);
  });

  it("a member who joined after a message counts in neither k nor n for it", async () => {
    const { h, socket } = await groupOfFour();
    const at = (seq: number) => view(h.client.conversationMessages(CONV), seq);
    // D joined at seq 2: its cursor is above message 1, which was never its to read
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: D, deliveredSeq: 2, readSeq: 2, joinedSeq: 2 }] });
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }, { userId: C, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    await settle();
    expect(at(1)).toMatchObject({ state: "read", receipts: { delivered: 2, read: 2, of: 2 } });
    expect(at(2)).toMatchObject({ state: "read", receipts: { delivered: 3, read: 3, of: 3 } });
  });

  it("a watermark never moves back (a lower or zero cursor is ignored)", async () => {
    const { h, socket } = await groupOfFour();
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 1, readSeq: 0, joinedSeq: 1 }] });
    await settle();
    expect(h.client.conversationMeta(CONV)?.members[B]).toEqual({ deliveredSeq: 2, readSeq: 2, joinedSeq: 1 });
    expect(view(h.client.conversationMessages(CONV), 2).receipts).toEqual({ delivered: 1, read: 1, of: 3 });
  });

  it("a member whose cursors are unknown counts at the summary's floor", async () => {
    const gateway = new GroupGateway();
    gateway.list = [summary({ peersDeliveredSeq: 2, peersReadSeq: 1 })];
    const h = harness({ refreshCursorsOnConnect: true }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    await vi.advanceTimersByTimeAsync(10);
    socket.push({ type: "message", message: own(1) });
    socket.push({ type: "message", message: own(2) });
    await settle();
    const at = (seq: number) => view(h.client.conversationMessages(CONV), seq);
    // Nobody's own cursor known: all three sit at the floor (delivered 2, read 1).
    expect(at(1)).toMatchObject({ state: "read", receipts: { delivered: 3, read: 3, of: 3 } });
    expect(at(2)).toMatchObject({ state: "delivered", receipts: { delivered: 3, read: 0, of: 3 } });
    // B is known now and read 2; C and D still count at the floor.
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    await settle();
    expect(at(2)).toMatchObject({ state: "delivered", receipts: { delivered: 3, read: 1, of: 3 } });
  });

  it("my own cursor in a receipts frame moves my read cursor, not a member's", async () => {
    const { h, socket } = await groupOfFour();
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: ME, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    await settle();
    expect(h.client.conversationMeta(CONV)).toMatchObject({ readSeq: 2, members: {} });
    expect(view(h.client.conversationMessages(CONV), 1).receipts).toEqual({ delivered: 0, read: 0, of: 3 });
  });

  it("a group with nobody else keeps its messages 'sent' (0 of 0)", async () => {
    const gateway = new GroupGateway();
    gateway.list = [summary({ memberCount: 1, peersDeliveredSeq: 5, peersReadSeq: 5 })];
    const h = harness({ refreshCursorsOnConnect: true }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    await vi.advanceTimersByTimeAsync(10);
    socket.push({ type: "message", message: own(1) });
    await settle();
    expect(view(h.client.conversationMessages(CONV), 1)).toMatchObject({ state: "sent", receipts: { delivered: 0, read: 0, of: 0 } });
  });

  it("loadMemberCursors pages through every member, drops those gone, sets memberCount", async () => {
    const { h, gateway, socket } = await groupOfFour();
    socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: D, deliveredSeq: 2, readSeq: 2, joinedSeq: 1 }] });
    await settle();
    gateway.pages = [
      { members: [member(ME, 2, 2), member(B, 2, 1)], nextCursor: "page-2", total: 3 },
      { members: [member(C, 1, 1)], nextCursor: null, total: 3 },
    ];
    await h.client.loadMemberCursors(CONV);
    expect(gateway.memberCalls).toEqual([{ cursor: undefined }, { cursor: "page-2" }]);
    const meta = h.client.conversationMeta(CONV)!;
    expect(meta.memberCount).toBe(3);
    expect(meta.members).toEqual({ [B]: { deliveredSeq: 2, readSeq: 1, joinedSeq: 1 }, [C]: { deliveredSeq: 1, readSeq: 1, joinedSeq: 1 } });
    expect(view(h.client.conversationMessages(CONV), 1)).toMatchObject({ state: "read", receipts: { delivered: 2, read: 2, of: 2 } });
    expect(view(h.client.conversationMessages(CONV), 2)).toMatchObject({ state: "sent", receipts: { delivered: 1, read: 0, of: 2 } });
  });

  it("a system message carries its typed event; 1:1 messages have no receipts", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: message(1, { kind: "system", body: "", system: { type: "member.left" } }) });
    socket.push({ type: "message", message: own(2) });
    await settle();
    const [sys, mine] = h.client.conversationMessages(CONV);
    expect(sys).toMatchObject({ kind: "system", system: { type: "member.left" }, receipts: null });
    expect(mine).toMatchObject({ own: true, state: "sent", receipts: null, system: null });
  });
});

describe("conversation frames", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("removed: membership is set and queued own messages fail with FORBIDDEN, without re-sends", async () => {
    const gateway = new GroupGateway();
    const h = harness({ refreshCursorsOnConnect: false }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const events: MembershipChange[] = [];
    h.client.on("membership", (e) => events.push(e));
    h.client.send(CONV, "one");
    h.client.send(CONV, "two");
    gateway.list = [summary({ membership: "removed", myRole: null, memberCount: 3 })];
    socket.push({ type: "conversation", event: "removed", conversationId: CONV });
    await settle();
    expect(h.client.outbox.map((i) => [i.state, i.error?.code])).toEqual([
      ["failed", "FORBIDDEN"],
      ["failed", "FORBIDDEN"],
    ]);
    expect(h.client.conversationMeta(CONV)?.membership).toBe("removed");
    await vi.advanceTimersByTimeAsync(10);
    expect(events).toEqual([{ conversationId: CONV, event: "removed", summary: gateway.list[0] }]);
    // No ACK clock left running: nothing is sent again.
    socket.clearSent();
    await vi.advanceTimersByTimeAsync(20_000);
    expect(socket.framesOf("send")).toEqual([]);
  });

  it("concurrent conversation frames share list reads; changed reloads members of a loaded group", async () => {
    const gateway = new GroupGateway();
    const h = harness({ refreshCursorsOnConnect: false }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    gateway.pages = [{ members: [member(ME, 0, 0), member(B, 0, 0), member(C, 0, 0), member(D, 0, 0)], nextCursor: null, total: 4 }];
    const load = h.client.loadMemberCursors(CONV);
    await vi.advanceTimersByTimeAsync(10);
    await load;
    expect(gateway.listCalls).toBe(1);
    const events: MembershipChange[] = [];
    h.client.on("membership", (e) => events.push(e));
    gateway.list = [summary({ memberCount: 3, title: "Trip, smaller" })];
    gateway.pages.push({ members: [member(ME, 0, 0), member(B, 0, 0), member(C, 0, 0)], nextCursor: null, total: 3 });
    for (let i = 0; i < 3; i++) socket.push({ type: "conversation", event: "changed", conversationId: CONV });
    await vi.advanceTimersByTimeAsync(20);
    // One read running, one shared follow-up for the frames that came meanwhile.
    expect(gateway.listCalls).toBe(3);
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.summary?.title === "Trip, smaller")).toBe(true);
    expect(gateway.memberCalls.length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(h.client.conversationMeta(CONV)!.members).sort()).toEqual([B, C].sort());
    expect(h.client.conversationMeta(CONV)?.memberCount).toBe(3);
  });
});

describe("restore", () => {
  it("a snapshot written before groups existed restores as direct, active, no members", async () => {
    const store = new MemoryClientStore();
    const old = { conversationId: CONV, baseSeq: 0, knownLastSeq: 3, readSeq: 2, peersDeliveredSeq: 3, peersReadSeq: 1 };
    await store.saveConversation(old as unknown as ConversationMeta);
    await store.saveMessages([own(1)]);
    const h = harness({ store });
    await h.client.ready();
    expect(h.client.conversationMeta(CONV)).toMatchObject({ ...old, kind: "direct", memberCount: 2, membership: "active", members: {} });
  });

  it("a group's members survive a restart", async () => {
    const store = new MemoryClientStore();
    vi.useFakeTimers();
    try {
      const h = harness({ store, refreshCursorsOnConnect: true }, new GroupGateway());
      const socket = await connected(h, welcome([cursor(CONV, 0)]));
      await vi.advanceTimersByTimeAsync(10);
      socket.push({ type: "receipts", conversationId: CONV, cursors: [{ userId: B, deliveredSeq: 4, readSeq: 3, joinedSeq: 1 }] });
      await settle();
      await h.client.stop();
    } finally {
      vi.useRealTimers();
    }
    const again = harness({ store });
    await again.client.ready();
    expect(again.client.conversationMeta(CONV)).toMatchObject({ kind: "group", memberCount: 4, members: { [B]: { deliveredSeq: 4, readSeq: 3, joinedSeq: 1 } } });
  });
});
