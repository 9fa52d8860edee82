/**
 * Client-side folding of events (event-fold.ts, through DimClient over the fake transport): an
 * edit, delete or reaction before or after its target, twice, or in any order gives the same
 * view; the actions send the right frames; "delete for me" hides on this device and follows the
 * server's `hidden` frames and sync lists.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Message } from "@dim/shared";
import { foldMessages, MemoryClientStore } from "../src";
import { CONV, ME, PEER, connected, cursor, harness, message, settle, welcome } from "./fake-transport";

const OTHER = "7d8e6f40-1b2c-4d3e-8f90-a1b2c3d4e5f6";

const ev = (seq: number, kind: "edit" | "delete" | "reaction", targetSeq: number, body: string, senderId = PEER): Message =>
  message(seq, { kind, targetSeq, body, senderId, clientMsgId: `ev-${seq}-abcdefgh` });

/** Every order of a list (small lists only). */
function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((p) => [x, ...p]));
}

describe("foldMessages", () => {
  const target = message(1, { body: "helo" });
  const rows = [
    target,
    ev(2, "edit", 1, "hello"),
    ev(3, "reaction", 1, "👍", OTHER),
    ev(4, "edit", 1, "hello!"),
    ev(5, "reaction", 1, "❤️", ME),
    ev(6, "reaction", 1, "👍", ME),
    ev(7, "reaction", 1, "", OTHER),
  ];

  it("gives the same state whatever the arrival order, and with duplicates", () => {
    const expected = foldMessages(rows);
    expect(expected).toHaveLength(1); // events are not messages of their own
    expect(expected[0]).toMatchObject({ body: "hello!", deleted: false, reactions: [{ emoji: "👍", count: 1, userIds: [ME] }] });
    expect(expected[0]!.editedAt).toBe(rows[3]!.createdAt);
    for (const order of permutations(rows.slice(1, 6)).slice(0, 120)) {
      expect(foldMessages([rows[6]!, ...order, target, rows[6]!, ...order])).toEqual(expected);
    }
  });

  it("an event before its target waits for it; a delete is final; a cleared edit sets nothing", () => {
    expect(foldMessages([ev(2, "edit", 1, "hello")])).toEqual([]);
    const tomb = foldMessages([ev(3, "delete", 1, ""), ev(2, "edit", 1, "hello"), target, ev(4, "reaction", 1, "👍")]);
    expect(tomb).toEqual([{ message: target, body: "", editedAt: null, deleted: true, reactions: [], mentions: [], mentionsAll: false }]);
    // the server clears superseded edits: an empty edit keeps the (server-folded) text
    const folded = message(1, { body: "v3", editedAt: "2026-12-04T10:00:00.000Z" });
    expect(foldMessages([folded, ev(2, "edit", 1, ""), ev(3, "edit", 1, "")])[0]).toMatchObject({ body: "v3", editedAt: folded.editedAt });
  });

  it("reactions start from the server's aggregate and follow later events per user", () => {
    const base = message(1, { reactions: [{ emoji: "😂", count: 2, userIds: [OTHER, ME] }] });
    const [f] = foldMessages([base, ev(9, "reaction", 1, "", ME), ev(10, "reaction", 1, "🎉", PEER)]);
    expect(f!.reactions).toEqual([
      { emoji: "😂", count: 1, userIds: [OTHER] },
      { emoji: "🎉", count: 1, userIds: [PEER] },
    ]);
  });

  it("leaves out what I hid", () => {
    expect(foldMessages([target, message(2)], new Set([1])).map((f) => f.message.seq)).toEqual([2]);
  });
});

describe("DimClient: events", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("folds pushed events into the view idempotently (event first, twice) and sends the actions' frames", async () => {
    const h = harness();
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    const announced: number[] = [];
    h.client.on("message", (m) => announced.push(m.seq!));
    const edit = ev(2, "edit", 1, "hello");
    socket.push({ type: "message", message: edit }); // before its target
    socket.push({ type: "message", message: edit });
    await settle();
    expect(h.client.conversationMessages(CONV)).toEqual([]);
    socket.push({ type: "message", message: message(1, { body: "helo" }) });
    socket.push({ type: "message", message: ev(3, "reaction", 1, "👍") });
    socket.push({ type: "message", message: ev(3, "reaction", 1, "👍") });
    await settle();
    const [view] = h.client.conversationMessages(CONV);
    expect(view).toMatchObject({ seq: 1, body: "hello", editedAt: edit.createdAt, deleted: false, myReaction: null });
    expect(view!.reactions).toEqual([{ emoji: "👍", count: 1, userIds: [PEER] }]);
    expect(h.client.conversationMeta(CONV)!.unreadCount).toBe(1); // the events are not unread messages
    expect(announced).toEqual([1]); // events change their target's view; they are not new messages
    expect(socket.framesOf("ack").map((a) => a.seq).at(-1)).toBe(3);

    // actions: reply, react (toggles), edit, delete for everyone
    socket.clearSent();
    h.client.reply(CONV, 1, "hi");
    h.client.react(CONV, 1, "👍");
    socket.push({ type: "message", message: ev(4, "reaction", 1, "👍", ME) }); // my other device's, or my echo
    await settle();
    expect(h.client.conversationMessages(CONV)[0]!.myReaction).toBe("👍");
    h.client.react(CONV, 1, "👍"); // again: removes
    h.client.edit(CONV, 1, "typo");
    h.client.deleteForEveryone(CONV, 1);
    expect(() => h.client.react(CONV, 1, "no")).toThrow(/one emoji/);
    const sends = socket.framesOf("send");
    expect(sends.map(({ clientMsgId: _id, conversationId: _c, type: _t, ...rest }) => rest)).toEqual([
      { kind: "text", body: "hi", replyTo: 1 },
      { kind: "reaction", targetSeq: 1, emoji: "👍" },
      { kind: "reaction", targetSeq: 1, emoji: null },
      { kind: "edit", targetSeq: 1, body: "typo" },
      { kind: "delete", targetSeq: 1 },
    ]);
    // the outbox keeps them like messages; only the text shows before it is stored
    expect(h.client.outbox.map((i) => i.kind)).toEqual(["text", "reaction", "reaction", "edit", "delete"]);
    expect(h.client.conversationMessages(CONV).filter((m) => m.seq === null).map((m) => m.body)).toEqual(["hi"]);

    // the delete arrives: a tombstone
    socket.push({ type: "message", message: ev(5, "delete", 1, "", PEER) });
    await settle();
    expect(h.client.conversationMessages(CONV)[0]).toMatchObject({ seq: 1, body: "", deleted: true, reactions: [], replyTo: null });
  });

  it("delete for me: hidden at once, the frame sent (queued while offline), other devices' hides applied", async () => {
    const h = harness();
    h.client.deleteForMe(CONV, [1]); // before any socket: applied now, sent at welcome
    const socket = await connected(h, welcome([cursor(CONV, 0)]));
    expect(socket.framesOf("hide")).toEqual([{ type: "hide", conversationId: CONV, seqs: [1] }]);
    socket.push({ type: "message", message: message(1) });
    socket.push({ type: "message", message: message(2) });
    socket.push({ type: "message", message: message(3) });
    await settle();
    expect(h.client.conversationMessages(CONV).map((m) => m.seq)).toEqual([2, 3]);
    const hidden: number[][] = [];
    h.client.on("hidden", (f) => hidden.push(f.seqs));
    socket.push({ type: "hidden", conversationId: CONV, seqs: [2] }); // from my other device
    socket.push({ type: "hidden", conversationId: CONV, seqs: [2] }); // twice: nothing new
    socket.push({ type: "sync.batch", conversationId: CONV, messages: [], hasMore: false, lastSeq: 3, hidden: [1, 2, 3] });
    await settle();
    expect(h.client.conversationMessages(CONV)).toEqual([]);
    expect(hidden).toEqual([[2], [1, 2, 3]]);
    expect(h.client.conversationMeta(CONV)!.hiddenSeqs).toEqual([1, 2, 3]);
  });

  it("a welcome that counts more hides than held asks for a sync, even with nothing new", async () => {
    const store = new MemoryClientStore();
    const first = harness({ store });
    const socket = await connected(first, welcome([cursor(CONV, 0)]));
    socket.push({ type: "message", message: message(1) });
    await settle();
    await first.client.stop();
    // the same device later (restart): nothing new, but another device hid seq 1 meanwhile
    const h = harness({ store });
    const unchanged = await connected(h, welcome([cursor(CONV, 1)]));
    expect(unchanged.framesOf("sync")).toEqual([]);
    await h.client.stop();
    const h2 = harness({ store });
    const again = await connected(h2, welcome([cursor(CONV, 1, { hiddenCount: 1 })]));
    expect(again.framesOf("sync")).toEqual([{ type: "sync", conversationId: CONV, afterSeq: 1, limit: 200 }]);
    again.push({ type: "sync.batch", conversationId: CONV, messages: [], hasMore: false, lastSeq: 1, hidden: [1] });
    await settle();
    expect(h2.client.conversationMessages(CONV)).toEqual([]);
  });
});
