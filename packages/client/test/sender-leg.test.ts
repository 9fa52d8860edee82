import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { MessageStateChange } from "../src";
import { CONV, connected, harness, settle, welcome } from "./fake-transport";

describe("sender leg: the 4 s ACK clock", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("a `sent` in time makes the message sent, with no re-send and no failure", async () => {
    const h = harness();
    const socket = await connected(h);
    const states: MessageStateChange[] = [];
    h.client.on("messageState", (s) => states.push(s));

    const m = h.client.send(CONV, "hi there");
    expect(m.state).toBe("sending");
    await vi.advanceTimersByTimeAsync(3000);
    socket.push({
      type: "sent",
      clientMsgId: m.clientMsgId,
      messageId: crypto.randomUUID(),
      conversationId: CONV,
      seq: 1,
      createdAt: new Date().toISOString(),
      duplicate: false,
    });
    await vi.advanceTimersByTimeAsync(20_000);

    expect(socket.framesOf("send")).toHaveLength(1);
    expect(states.map((s) => s.state)).toEqual(["sending", "sent"]);
    expect(h.client.outbox).toEqual([]);
    expect(h.client.conversationMessages(CONV)).toMatchObject([{ clientMsgId: m.clientMsgId, seq: 1, state: "sent", own: true }]);
  });

  it("no `sent`: exactly one re-send after 4 s with the same clientMsgId, failed 4 s later, then a manual retry", async () => {
    const h = harness();
    const socket = await connected(h);
    const states: MessageStateChange[] = [];
    h.client.on("messageState", (s) => states.push(s));

    const m = h.client.send(CONV, "are you there?");
    await vi.advanceTimersByTimeAsync(3999);
    expect(socket.framesOf("send")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    const sends = socket.framesOf("send");
    expect(sends).toHaveLength(2);
    expect(sends[1]).toEqual(sends[0]);
    expect(sends[1]!.clientMsgId).toBe(m.clientMsgId);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");

    await vi.advanceTimersByTimeAsync(3999);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");
    await vi.advanceTimersByTimeAsync(1);
    const failed = h.client.conversationMessages(CONV)[0]!;
    expect(failed.state).toBe("failed");
    expect(failed.error?.code).toBe("ACK_TIMEOUT");
    expect(states.map((s) => s.state)).toEqual(["sending", "failed"]);

    // Nothing more happens on its own.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(socket.framesOf("send")).toHaveLength(2);

    // Manual retry: same clientMsgId, a fresh clock.
    h.client.retry(m.clientMsgId);
    expect(socket.framesOf("send")).toHaveLength(3);
    expect(socket.framesOf("send")[2]!.clientMsgId).toBe(m.clientMsgId);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");
    socket.push({
      type: "sent",
      clientMsgId: m.clientMsgId,
      messageId: crypto.randomUUID(),
      conversationId: CONV,
      seq: 1,
      createdAt: new Date().toISOString(),
      duplicate: true,
    });
    await settle();
    expect(states.map((s) => s.state)).toEqual(["sending", "failed", "sending", "sent"]);
    expect(h.client.conversationMessages(CONV)).toHaveLength(1);
  });

  it("answers to both the send and its re-send show the message once", async () => {
    const h = harness();
    const socket = await connected(h);
    const m = h.client.send(CONV, "twice?");
    await vi.advanceTimersByTimeAsync(4000);
    expect(socket.framesOf("send")).toHaveLength(2);
    const messageId = crypto.randomUUID();
    const sent = { type: "sent", clientMsgId: m.clientMsgId, messageId, conversationId: CONV, seq: 1, createdAt: new Date().toISOString() } as const;
    socket.push({ ...sent, duplicate: false });
    socket.push({ ...sent, duplicate: true });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.client.conversationMessages(CONV)).toMatchObject([{ id: messageId, state: "sent" }]);
  });

  it("a link that died silently (no close, no pong): the unanswered send probes it, the link drops, the message stays sending and goes out once on return", async () => {
    // Issue 15: with no `offline` event, the message used to turn Failed after 8 s, long before
    // the write-idle heartbeat (15 s + 5 s) noticed the dead link.
    const h = harness({ backoff: { baseMs: 1_000, capMs: 1_000 } });
    const socket = await connected(h, welcome([], { heartbeatMs: 15_000, idleTimeoutMs: 45_000 }));
    socket.autoPong = false; // the link is dead: nothing comes back, nothing closes
    const states: MessageStateChange[] = [];
    h.client.on("messageState", (s) => states.push(s));

    const m = h.client.send(CONV, "into the void");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(socket.framesOf("send")).toHaveLength(2); // the one re-send…
    expect(socket.framesOf("ping")).toHaveLength(1); // …and a probe of the link at once
    await vi.advanceTimersByTimeAsync(4_000); // the old failure point: nothing proved the link alive
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");
    await vi.advanceTimersByTimeAsync(1_000); // the probe's pong deadline (5 s)
    expect(h.client.connectionState.status).toBe("reconnecting");
    expect(socket.closedByClient).not.toBeNull();
    await vi.advanceTimersByTimeAsync(30_000);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");
    expect(states.map((s) => s.state)).toEqual(["sending"]);

    const next = await h.handshake();
    expect(next).not.toBe(socket);
    expect(next.framesOf("send").map((f) => f.clientMsgId)).toEqual([m.clientMsgId]);
    next.push({ type: "sent", clientMsgId: m.clientMsgId, messageId: crypto.randomUUID(), conversationId: CONV, seq: 1, createdAt: new Date().toISOString(), duplicate: false });
    await settle();
    expect(states.map((s) => s.state)).toEqual(["sending", "sent"]);
  });

  it("a live link (the probe is answered) that never confirms the send: failed after the re-send's wait, as before", async () => {
    const h = harness();
    const socket = await connected(h);
    const m = h.client.send(CONV, "server swallows this");
    await vi.advanceTimersByTimeAsync(4_000);
    expect(socket.framesOf("ping")).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(4_000);
    expect(h.client.conversationMessages(CONV)[0]).toMatchObject({ clientMsgId: m.clientMsgId, state: "failed", error: { code: "ACK_TIMEOUT" } });
    expect(h.client.connectionState.status).toBe("connected");
  });

  it("a late `sent` after failed still makes the message sent", async () => {
    const h = harness();
    const socket = await connected(h);
    const m = h.client.send(CONV, "slow server");
    await vi.advanceTimersByTimeAsync(8000);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("failed");
    socket.push({ type: "sent", clientMsgId: m.clientMsgId, messageId: crypto.randomUUID(), conversationId: CONV, seq: 1, createdAt: new Date().toISOString(), duplicate: false });
    await settle();
    expect(h.client.conversationMessages(CONV)).toMatchObject([{ state: "sent", seq: 1 }]);
    expect(h.client.outbox).toEqual([]);
  });

  it("the timeout is configurable", async () => {
    const h = harness({ ackTimeoutMs: 1000 });
    const socket = await connected(h);
    h.client.send(CONV, "quick");
    await vi.advanceTimersByTimeAsync(1000);
    expect(socket.framesOf("send")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("failed");
  });

  it("an error frame answering a send fails that message with the server's code", async () => {
    const h = harness();
    const socket = await connected(h);
    const m = h.client.send(CONV, "not mine to send");
    socket.push({ type: "error", code: "IDEMPOTENCY_CONFLICT", message: "clientMsgId reused with other content", ref: m.clientMsgId });
    await vi.advanceTimersByTimeAsync(10_000);
    const view = h.client.conversationMessages(CONV)[0]!;
    expect(view.state).toBe("failed");
    expect(view.error).toEqual({ code: "IDEMPOTENCY_CONFLICT", message: "clientMsgId reused with other content" });
    expect(socket.framesOf("send")).toHaveLength(1);
    expect(h.errors.map((e) => (e as { code?: string }).code)).toContain("IDEMPOTENCY_CONFLICT");
  });

  it("refuses bad input before queueing anything", async () => {
    const h = harness();
    await connected(h);
    expect(() => h.client.send(CONV, "   ")).toThrowError(expect.objectContaining({ code: "BAD_REQUEST" }));
    expect(() => h.client.send("not-a-uuid", "hi")).toThrowError(expect.objectContaining({ code: "BAD_REQUEST" }));
    expect(() => h.client.send(CONV, "x".repeat(4001))).toThrowError(expect.objectContaining({ code: "BAD_REQUEST" }));
    expect(h.client.outbox).toEqual([]);
    expect(() => h.client.retry("unknown-id-123")).toThrowError(expect.objectContaining({ code: "NOT_FOUND" }));
  });

  it("a transient error (rate limited) keeps the clock: one re-send, then failed with that reason", async () => {
    const h = harness();
    const socket = await connected(h);
    const m = h.client.send(CONV, "too fast");
    socket.push({ type: "error", code: "RATE_LIMITED", message: "slow down", ref: m.clientMsgId });
    await settle();
    expect(h.client.conversationMessages(CONV)[0]!.state).toBe("sending");
    await vi.advanceTimersByTimeAsync(4000);
    expect(socket.framesOf("send")).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(4000);
    expect(h.client.conversationMessages(CONV)[0]).toMatchObject({ state: "failed", error: { code: "RATE_LIMITED", message: "slow down" } });
  });

  it("messages queued while offline stay sending and go out in order, with the same ids, after welcome", async () => {
    const h = harness();
    const a = h.client.send(CONV, "first");
    const b = h.client.send(CONV, "second");
    const c = h.client.send(CONV, "third");
    expect(h.client.outbox.map((i) => i.state)).toEqual(["sending", "sending", "sending"]);
    await vi.advanceTimersByTimeAsync(20_000); // no socket: no clock runs, nothing fails
    expect(h.client.outbox.map((i) => i.state)).toEqual(["sending", "sending", "sending"]);
    const socket = await connected(h);
    expect(socket.framesOf("send").map((f) => [f.clientMsgId, f.kind === "text" ? f.body : (f as { caption?: string }).caption])).toEqual([
      [a.clientMsgId, "first"],
      [b.clientMsgId, "second"],
      [c.clientMsgId, "third"],
    ]);
  });
});
