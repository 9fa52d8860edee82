/**
 * Mentions in the client library (over the fake transport): the frames `send`, `reply` and `edit`
 * write; the view's `mentions` / `mentionsMe` folded from the latest edit; the unread mention
 * count (the list's "@") that reading, an edit dropping me and a delete clear; bad input refused
 * before anything is queued. The server side is core-node/test/mentions.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mentionsUser, type Message } from "@dim/shared";
import { CONV, ME, PEER, connected, cursor, harness, message, settle, welcome } from "./fake-transport";

const OTHER = "7d8e6f40-1b2c-4d3e-8f90-a1b2c3d4e5f6";

const text = (seq: number, over: Partial<Message> = {}): Message => message(seq, { senderId: PEER, clientMsgId: `m-${seq}-abcdefgh`, ...over });
const edit = (seq: number, targetSeq: number, body: string, over: Partial<Message> = {}): Message =>
  message(seq, { kind: "edit", targetSeq, body, senderId: PEER, clientMsgId: `e-${seq}-abcdefgh`, ...over });

describe("mentionsUser", () => {
  it("is a text from someone else naming me or everyone, not deleted, hidden or an event", () => {
    expect(mentionsUser(text(1, { mentions: [ME] }), ME)).toBe(true);
    expect(mentionsUser(text(1, { mentionsAll: true }), ME)).toBe(true);
    expect(mentionsUser(text(1, { mentions: [OTHER] }), ME)).toBe(false);
    expect(mentionsUser(text(1, { mentions: [ME], senderId: ME }), ME)).toBe(false);
    expect(mentionsUser(text(1, { mentions: [ME], deletedAt: "2026-12-04T10:00:00.000Z" }), ME)).toBe(false);
    expect(mentionsUser(text(1, { mentions: [ME], hidden: true }), ME)).toBe(false);
    expect(mentionsUser(edit(2, 1, "@me", { mentions: [ME] }), ME)).toBe(false);
  });
});

describe("DimClient: mentions", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("writes mentions on send, reply and edit; refuses bad ones before queueing", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const view = h.client.send(CONV, "@bob look", { mentions: [PEER] });
    expect(view).toMatchObject({ mentions: [PEER], mentionsAll: false, mentionsMe: false });
    h.client.reply(CONV, 1, "@all yes", { mentionsAll: true });
    h.client.edit(CONV, 1, "@bob and @cy", { mentions: [PEER, OTHER] });
    h.client.edit(CONV, 1, "nobody now");
    h.client.send(CONV, "none", { mentions: [] }); // an empty list is no mention (the field is left out)
    const sends = socket.framesOf("send").map(({ clientMsgId: _i, conversationId: _c, type: _t, ...rest }) => rest);
    expect(sends).toEqual([
      { kind: "text", body: "@bob look", mentions: [PEER] },
      { kind: "text", body: "@all yes", replyTo: 1, mentionsAll: true },
      { kind: "edit", targetSeq: 1, body: "@bob and @cy", mentions: [PEER, OTHER] },
      { kind: "edit", targetSeq: 1, body: "nobody now" },
      { kind: "text", body: "none" },
    ]);
    const queued = h.client.outbox.length;
    expect(() => h.client.send(CONV, "twice", { mentions: [PEER, PEER] })).toThrow();
    expect(() => h.client.send(CONV, "bad id", { mentions: ["not-a-uuid"] })).toThrow();
    expect(h.client.outbox).toHaveLength(queued);
  });

  it("folds the latest edit's mentions and counts unread mentions until read", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: text(1, { body: "@me hi", mentions: [ME] }) });
    socket.push({ type: "message", message: text(2, { body: "@all dinner", mentionsAll: true }) });
    socket.push({ type: "message", message: text(3, { body: "@cy hi", mentions: [OTHER] }) });
    await settle();
    const byseq = () => new Map(h.client.conversationMessages(CONV).map((m) => [m.seq, m]));
    expect(byseq().get(1)).toMatchObject({ mentions: [ME], mentionsMe: true });
    expect(byseq().get(2)).toMatchObject({ mentionsAll: true, mentionsMe: true });
    expect(byseq().get(3)).toMatchObject({ mentionsMe: false });
    expect(h.client.conversationMeta(CONV)).toMatchObject({ unreadCount: 3, unreadMentions: 2 });

    // an edit drops me from 1 and names me in 3 (twice: idempotent)
    socket.push({ type: "message", message: edit(4, 1, "hi", {}) });
    socket.push({ type: "message", message: edit(5, 3, "@me and @cy", { mentions: [ME, OTHER] }) });
    socket.push({ type: "message", message: edit(5, 3, "@me and @cy", { mentions: [ME, OTHER] }) });
    await settle();
    expect(byseq().get(1)).toMatchObject({ body: "hi", mentions: [], mentionsMe: false });
    expect(byseq().get(3)).toMatchObject({ mentions: [ME, OTHER], mentionsMe: true });
    expect(h.client.conversationMeta(CONV)!.unreadMentions).toBe(2);

    // a delete takes one away; reading clears the rest
    socket.push({ type: "message", message: message(6, { kind: "delete", targetSeq: 2, body: "", senderId: PEER, clientMsgId: "d-6-abcdefgh" }) });
    await settle();
    expect(byseq().get(2)).toMatchObject({ deleted: true, mentionsMe: false });
    expect(h.client.conversationMeta(CONV)!.unreadMentions).toBe(1);
    h.client.markRead(CONV, 6);
    await settle();
    expect(h.client.conversationMeta(CONV)).toMatchObject({ unreadCount: 0, unreadMentions: 0 });
  });
});
