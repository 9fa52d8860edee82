/**
 * Typing in the client core, under fake timers: the throttle of outgoing `typing` frames, stop on
 * send / blur, and who is typing with expiry (TTL, or a message from the typist).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { randomUUID } from "node:crypto";
import { EphemeralLimits } from "@dim/shared";
import { CONV, connected, cursor, harness, message, PEER, settle, welcome } from "./fake-transport";

const OTHER = randomUUID();

describe("typing", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("sends at most one typing per interval while the person types, and none after blur", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    for (let i = 0; i < 10; i++) {
      h.client.typing(CONV);
      await vi.advanceTimersByTimeAsync(100); // a keystroke every 100 ms for 1 s
    }
    expect(socket.framesOf("typing")).toEqual([{ type: "typing", conversationId: CONV }]);
    await vi.advanceTimersByTimeAsync(EphemeralLimits.typingSendIntervalMs - 1000);
    h.client.typing(CONV);
    expect(socket.framesOf("typing")).toHaveLength(2);
    h.client.stopTyping(CONV);
    await vi.advanceTimersByTimeAsync(EphemeralLimits.typingSendIntervalMs * 3);
    expect(socket.framesOf("typing")).toHaveLength(2); // nothing while not typing
  });

  it("after a send, typing again waits only for the server's limit, not the full interval", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    h.client.typing(CONV);
    h.client.send(CONV, "hello");
    await vi.advanceTimersByTimeAsync(EphemeralLimits.typingMinIntervalMs - 1);
    h.client.typing(CONV);
    expect(socket.framesOf("typing")).toHaveLength(1); // the server would answer RATE_LIMITED
    await vi.advanceTimersByTimeAsync(1);
    h.client.typing(CONV);
    expect(socket.framesOf("typing")).toHaveLength(2);
  });

  it("keeps per-conversation throttles apart and sends nothing while disconnected", async () => {
    const h = harness();
    const other = randomUUID();
    h.client.typing(CONV); // not connected: nothing, and no throttle recorded
    const socket = await connected(h, welcome([cursor(CONV, 0), cursor(other, 0)]));
    h.client.typing(CONV);
    h.client.typing(other);
    expect(socket.framesOf("typing").map((f) => f.conversationId)).toEqual([CONV, other]);
  });

  it("shows who is typing until the TTL runs out, restarted by a newer signal", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const events: string[][] = [];
    h.client.on("typing", (e) => events.push(e.userIds));
    socket.push({ type: "typing", conversationId: CONV, userId: PEER, ttlMs: 6000 });
    await settle();
    socket.push({ type: "typing", conversationId: CONV, userId: OTHER, ttlMs: 2000 });
    await settle();
    expect(h.client.typingUsers(CONV)).toEqual([PEER, OTHER]);
    await vi.advanceTimersByTimeAsync(2000);
    expect(h.client.typingUsers(CONV)).toEqual([PEER]);
    socket.push({ type: "typing", conversationId: CONV, userId: PEER, ttlMs: 6000 }); // at 2 s: until 8 s
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.client.typingUsers(CONV)).toEqual([PEER]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.client.typingUsers(CONV)).toEqual([]);
    expect(events).toEqual([[PEER], [PEER, OTHER], [PEER], []]);
  });

  it("a message from the typist clears it at once; our own typing is never shown", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "typing", conversationId: CONV, userId: PEER, ttlMs: 6000 });
    socket.push({ type: "typing", conversationId: CONV, userId: h.client.userId!, ttlMs: 6000 });
    await settle();
    expect(h.client.typingUsers(CONV)).toEqual([PEER]);
    socket.push({ type: "message", message: message(1) });
    await settle();
    expect(h.client.typingUsers(CONV)).toEqual([]);
  });
});
