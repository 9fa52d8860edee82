/** Runs of one sender in the message log (lib/chat-messages.ts chatRows): name once, time on the last, state on my newest; gaps. */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@dim/client";
import { chatRows, RUN_GAP_MS } from "../src/lib/chat-messages";

const ME = "me";
const T0 = Date.UTC(2026, 0, 1, 10);
let n = 0;
function msg(seq: number | null, sender: string, at: number, over: Partial<ChatMessage> = {}): ChatMessage {
  return {
    clientMsgId: `m${++n}`,
    conversationId: "c",
    id: seq === null ? null : `id${seq}`,
    seq,
    senderId: sender,
    own: sender === ME,
    kind: "text",
    body: `m${seq}`,
    createdAt: new Date(T0 + at).toISOString(),
    state: sender === ME ? (seq === null ? "sending" : "read") : null,
    system: null,
    ...over,
  } as ChatMessage;
}

const shape = (rows: ReturnType<typeof chatRows>) =>
  rows.map((r) =>
    r.kind === "message" ? `${r.message.seq ?? "q"}${r.first ? "^" : ""}${r.last ? "$" : ""}${r.newestOwn ? "*" : ""}` : r.kind === "gap" ? `gap${r.missing}` : r.kind,
  );

describe("chatRows: runs", () => {
  it("groups one sender's messages within the gap; a sender change, a long pause, the marker or a system row break a run", () => {
    const rows = chatRows(
      [
        msg(1, "bo", 0),
        msg(2, "bo", 60_000),
        msg(3, "bo", 60_000 + RUN_GAP_MS + 1), // a pause: a new run
        msg(4, ME, 60_000 + RUN_GAP_MS + 2),
        msg(5, ME, 60_000 + RUN_GAP_MS + 3),
        msg(6, "bo", 60_000 + RUN_GAP_MS + 4, { kind: "system", system: { type: "member.left" } }),
        msg(7, ME, 60_000 + RUN_GAP_MS + 5),
        msg(null, ME, 60_000 + RUN_GAP_MS + 6), // queued: shows "Sending…" itself
      ],
      null,
    );
    expect(shape(rows)).toEqual(["day", "1^", "2$", "3^$", "4^", "5$", "system", "7^*", "q$"]);
  });

  it("does not cross a day separator or the new-messages marker, and puts a jump's gap between blocks", () => {
    const late = Date.UTC(2026, 0, 1, 23, 59) - T0;
    const rows = chatRows([msg(1, "bo", late), msg(2, "bo", late + 120_000), msg(3, "bo", late + 180_000), msg(40, "bo", late + 200_000)], 2, [
      { afterSeq: 3, beforeSeq: 40 },
    ]);
    expect(shape(rows)).toEqual(["day", "1^$", "day", "2^$", "unread", "3^$", "gap36", "40^$"]);
  });
});
