import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { CONV, connected, cursor, harness, message, settle, welcome } from "./fake-transport";

describe("DimClient facade: frame dispatch and views", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("ignores malformed server frames and reports them", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.pushRaw("not json");
    socket.push({ type: "message", message: { ...message(1), extra: true } } as Record<string, unknown>);
    socket.push({ type: "bogus" });
    socket.push({ type: "message", message: message(1, { seq: 0 }) });
    await settle();
    expect(h.errors.filter((e) => (e as { code?: string }).code === "BAD_REQUEST")).toHaveLength(4);
    expect(h.client.conversationMessages(CONV)).toEqual([]);
    expect(socket.framesOf("ack")).toEqual([]);
    expect(h.client.connectionState.status).toBe("connected");
  });

  it("views keep their identity until the conversation changes (usable as UI snapshots)", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const changes: string[] = [];
    h.client.on("conversation", (c) => changes.push(c.conversationId));
    const before = h.client.conversationMessages(CONV);
    expect(h.client.conversationMessages(CONV)).toBe(before);
    socket.push({ type: "message", message: message(1) });
    await settle();
    const after = h.client.conversationMessages(CONV);
    expect(after).not.toBe(before);
    expect(after).toHaveLength(1);
    expect(h.client.conversationMessages(CONV)).toBe(after);
    expect(changes).toContain(CONV);
    const outbox = h.client.outbox;
    expect(h.client.outbox).toBe(outbox);
    h.client.send(CONV, "changes the outbox");
    expect(h.client.outbox).not.toBe(outbox);
    expect(h.client.conversationMessages(CONV)).toHaveLength(2);
  });
});
