import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MemoryClientStore } from "../src";
import { CONV, connected, cursor, harness, settle, welcome } from "./fake-transport";

describe("persistence: the outbox and history outlive a restart, per account", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("the outbox survives a restart through the store and is re-sent with the same ids", async () => {
    const store = new MemoryClientStore();
    const h1 = harness({ store });
    await connected(h1, welcome([cursor(CONV, 0)]));
    const kept = h1.client.send(CONV, "survives restart");
    await h1.client.stop();

    const h2 = harness({ store });
    await h2.client.ready();
    expect(h2.client.outbox.map((i) => i.clientMsgId)).toEqual([kept.clientMsgId]);
    const socket = await connected(h2, welcome([cursor(CONV, 0)]));
    expect(socket.framesOf("send").map((f) => f.clientMsgId)).toEqual([kept.clientMsgId]);
    socket.push({ type: "sent", clientMsgId: kept.clientMsgId, messageId: randomUUID(), conversationId: CONV, seq: 1, createdAt: new Date().toISOString(), duplicate: true });
    await settle();
    await h2.client.stop();
    expect((await store.load()).outbox).toEqual([]);
    expect((await store.load()).messages.map((m) => m.clientMsgId)).toEqual([kept.clientMsgId]);
  });

  it("another account on the same device starts from nothing", async () => {
    const store = new MemoryClientStore();
    const h1 = harness({ store });
    await connected(h1, welcome([cursor(CONV, 0)]));
    h1.client.send(CONV, "private");
    await h1.client.stop();

    const h2 = harness({ store });
    const socket = await connected(h2, welcome([], { userId: randomUUID() }));
    expect(socket.framesOf("send")).toEqual([]);
    expect(h2.client.outbox).toEqual([]);
    expect(h2.client.conversationMessages(CONV)).toEqual([]);
  });
});
