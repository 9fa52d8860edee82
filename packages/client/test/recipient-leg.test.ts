import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { ChatMessage, MessageStateChange } from "../src";
import { CONV, FakeGateway, ME, PEER, connected, cursor, harness, message, settle, welcome } from "./fake-transport";

describe("recipient leg: de-duplication, contiguous ACK, gaps, receipts", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a message pushed twice (server re-push) is shown once and ACKed again", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const seen: ChatMessage[] = [];
    h.client.on("message", (m) => seen.push(m));

    const m1 = message(1);
    socket.push({ type: "message", message: m1 });
    socket.push({ type: "message", message: m1 });
    // Same seq under another id is the same slot: still once.
    socket.push({ type: "message", message: { ...m1, id: randomUUID() } });
    await settle();

    expect(seen).toHaveLength(1);
    expect(h.client.conversationMessages(CONV)).toHaveLength(1);
    expect(h.client.conversationMessages(CONV)[0]).toMatchObject({ id: m1.id, own: false, state: null });
    // One burst, one ACK.
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1]);
    // A later re-push means the server missed our ACK: it is said again.
    socket.push({ type: "message", message: m1 });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1, 1]);
  });

  it("a burst of pushes is answered with one ACK per conversation, not one per message", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    for (let seq = 1; seq <= 50; seq++) socket.push({ type: "message", message: message(seq) });
    await settle();
    expect(h.client.conversationMessages(CONV)).toHaveLength(50);
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([50]);
  });

  it("ACKs only the highest contiguous seq, and a gap triggers a sync from the last held seq", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 1)]));
    // welcome said lastSeq 1 and we hold nothing: sync from 0.
    expect(socket.framesOf("sync")).toEqual([{ type: "sync", conversationId: CONV, afterSeq: 0, limit: 200 }]);
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(1)], hasMore: false, lastSeq: 1 });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1]);
    socket.clearSent();

    socket.push({ type: "message", message: message(3) });
    await settle();
    expect(socket.framesOf("ack")).toEqual([]); // 3 is not contiguous
    expect(socket.framesOf("sync")).toEqual([{ type: "sync", conversationId: CONV, afterSeq: 1, limit: 200 }]);

    // Another message while the sync is in flight does not ask twice.
    socket.push({ type: "message", message: message(4) });
    await settle();
    expect(socket.framesOf("sync")).toHaveLength(1);

    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(2), message(3), message(4)], hasMore: false, lastSeq: 4 });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([4]);
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([1, 2, 3, 4]);
    expect(h.client.conversationMeta(CONV)?.heldSeq).toBe(4);
  });

  it("the missing message arriving by push closes the gap and the ACK jumps", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: message(1) });
    socket.push({ type: "message", message: message(3) });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1]);
    socket.push({ type: "message", message: message(2) });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([1, 3]);
  });

  it("welcome cursors drive a sync that loops while hasMore", async () => {
    const h = harness({ syncPageSize: 2 });
    const synced: number[] = [];
    h.client.on("synced", (s) => synced.push(s.lastSeq));
    const socket = await connected(h, welcome([cursor(CONV, 5, { deliveredSeq: 0 })]));
    expect(socket.framesOf("sync").at(-1)).toMatchObject({ afterSeq: 0, limit: 2 });
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(1), message(2)], hasMore: true, lastSeq: 5 });
    await settle();
    expect(socket.framesOf("sync").at(-1)).toMatchObject({ afterSeq: 2 });
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(3), message(4)], hasMore: true, lastSeq: 5 });
    await settle();
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(5)], hasMore: false, lastSeq: 5 });
    await settle();
    expect(socket.framesOf("sync").map((s) => s.afterSeq)).toEqual([0, 2, 4]);
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(synced).toEqual([5]);
    expect(socket.framesOf("ack").at(-1)?.seq).toBe(5);
  });

  it("a conversation already caught up is not synced", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    expect(socket.framesOf("sync")).toEqual([]);
  });

  it("a sync that makes no progress stops (no request loop) and reports it", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 3)]));
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [], hasMore: false, lastSeq: 3 });
    await settle();
    expect(socket.framesOf("sync")).toHaveLength(1);
    expect(h.errors.some((e) => /stalled/.test(e.message))).toBe(true);
  });

  it("receipts are watermarks: every own message up to seq becomes delivered, then read; never backwards", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const a = h.client.send(CONV, "one");
    const b = h.client.send(CONV, "two");
    const sent = (clientMsgId: string, seq: number) =>
      socket.push({ type: "sent", clientMsgId, messageId: randomUUID(), conversationId: CONV, seq, createdAt: new Date().toISOString(), duplicate: false });
    sent(a.clientMsgId, 1);
    sent(b.clientMsgId, 2);
    await settle();
    const changes: MessageStateChange[] = [];
    h.client.on("messageState", (c) => changes.push(c));
    const states = () => h.client.conversationMessages(CONV).map((m) => m.state);
    expect(states()).toEqual(["sent", "sent"]);

    socket.push({ type: "receipt", conversationId: CONV, userId: PEER, kind: "delivered", seq: 1 });
    await settle();
    expect(states()).toEqual(["delivered", "sent"]);
    socket.push({ type: "receipt", conversationId: CONV, userId: PEER, kind: "delivered", seq: 2 });
    socket.push({ type: "receipt", conversationId: CONV, userId: PEER, kind: "read", seq: 2 });
    await settle();
    expect(states()).toEqual(["read", "read"]);
    socket.push({ type: "receipt", conversationId: CONV, userId: PEER, kind: "delivered", seq: 1 });
    await settle();
    expect(states()).toEqual(["read", "read"]);
    expect(changes.map((c) => `${c.seq}:${c.previous}->${c.state}`)).toEqual(["1:sent->delivered", "2:sent->delivered", "1:delivered->read", "2:delivered->read"]);
    // Other people's messages are never given a state.
    socket.push({ type: "message", message: message(3) });
    await settle();
    expect(h.client.conversationMessages(CONV)[2]).toMatchObject({ own: false, state: null });
  });

  it("my own read receipt (another device) moves my read cursor, not my messages' states", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: message(1) });
    socket.push({ type: "receipt", conversationId: CONV, userId: ME, kind: "read", seq: 1 });
    await settle();
    expect(h.client.conversationMeta(CONV)).toMatchObject({ readSeq: 1, unreadCount: 0 });
  });

  it("markRead sends `read` now, or after the next welcome when offline", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: message(1) });
    await settle();
    h.client.markRead(CONV, 1);
    expect(socket.framesOf("read")).toEqual([{ type: "read", conversationId: CONV, seq: 1 }]);
    h.client.markRead(CONV, 1); // not again
    expect(socket.framesOf("read")).toHaveLength(1);
    expect(() => h.client.markRead(CONV, 0)).toThrowError(expect.objectContaining({ code: "BAD_REQUEST" }));
  });

  it("a conversation never held syncs only its newest maxInitialSync messages; older ones page in via the gateway", async () => {
    const gateway = new FakeGateway();
    const history = vi.fn(async (input: { conversationId: string; beforeSeq?: number; limit?: number }) => {
      const from = Math.max(1, (input.beforeSeq ?? 1) - (input.limit ?? 50));
      const messages = [];
      for (let s = from; s < (input.beforeSeq ?? 1); s++) messages.push(message(s));
      return { messages, hasMore: from > 1, lastSeq: 10 };
    });
    Object.assign(gateway, { history });
    const h = harness({ maxInitialSync: 3 }, gateway);
    const socket = await connected(h, welcome([cursor(CONV, 10)]));
    expect(socket.framesOf("sync")).toEqual([{ type: "sync", conversationId: CONV, afterSeq: 7, limit: 200 }]);
    // Nothing is held yet: no ACK for the base seq.
    expect(socket.framesOf("ack")).toEqual([]);
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [message(8), message(9), message(10)], hasMore: false, lastSeq: 10 });
    await settle();
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([10]);

    await expect(h.client.loadOlder(CONV, 4)).resolves.toEqual({ added: 4, hasMore: true });
    expect(history).toHaveBeenLastCalledWith({ conversationId: CONV, beforeSeq: 8, limit: 4 });
    await expect(h.client.loadOlder(CONV, 4)).resolves.toEqual({ added: 3, hasMore: false });
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(h.client.conversationMeta(CONV)).toMatchObject({ baseSeq: 0, heldSeq: 10 });
  });

  it("loadLatest shows the newest page before the socket is up; loadOlder continues below it, each message once", async () => {
    const gateway = new FakeGateway();
    const history = vi.fn(async (input: { conversationId: string; beforeSeq?: number; limit?: number }) => {
      const top = (input.beforeSeq ?? 11) - 1;
      const from = Math.max(1, top - (input.limit ?? 50) + 1);
      const messages = [];
      for (let s = from; s <= top; s++) messages.push(message(s));
      return { messages, hasMore: from > 1, lastSeq: 10 };
    });
    Object.assign(gateway, { history });
    const h = harness({}, gateway);
    await expect(h.client.loadLatest(CONV, 3)).resolves.toEqual({ added: 3, hasMore: true });
    expect(history).toHaveBeenLastCalledWith({ conversationId: CONV, limit: 3 });
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([8, 9, 10]);
    expect(h.client.conversationMeta(CONV)).toMatchObject({ baseSeq: 7, heldSeq: 10, knownLastSeq: 10 });
    // Again (the view opened twice): nothing new.
    await expect(h.client.loadLatest(CONV, 3)).resolves.toEqual({ added: 0, hasMore: true });
    await expect(h.client.loadOlder(CONV, 4)).resolves.toEqual({ added: 4, hasMore: true });
    expect(history).toHaveBeenLastCalledWith({ conversationId: CONV, beforeSeq: 8, limit: 4 });
    // The socket comes up: everything is held, no sync needed, the ACK is the last seq.
    const socket = await connected(h, welcome([cursor(CONV, 10)]));
    expect(socket.framesOf("sync")).toEqual([]);
    expect(socket.framesOf("ack").map((a) => a.seq)).toEqual([10]);
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([4, 5, 6, 7, 8, 9, 10]);
  });

});
