/** The web app's own view logic (what it shows from the gateway's and the client's data). */
import { describe, expect, it } from "vitest";
import { TRPCClientError } from "@trpc/client";
import type { ChatMessage } from "@dim/client";
import type { ContactRequest, ConversationSummary, Message, PublicUser } from "@dim/shared";
import { chatRows, dayLabel, highestSeq, lowestSeq } from "../src/lib/chat-messages";
import { conversationView, ownState, sortByActivity } from "../src/lib/conversation-view";
import { searchQueryOf, searchRows, SEARCH_LIMIT } from "../src/lib/contact-search";
import { friendlyMessage, shownError } from "../src/lib/errors";
import { en, zh } from "./helpers/i18n";
import { snippetParts } from "../src/lib/snippet-parts";

const ME = "00000000-0000-4000-8000-000000000001";
const PEER = "00000000-0000-4000-8000-000000000002";
const CONV = "00000000-0000-4000-8000-0000000000c1";

function message(seq: number, senderId: string, body = `m${seq}`): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    conversationId: CONV,
    seq,
    senderId,
    clientMsgId: `client-${seq}-${senderId.slice(-1)}`,
    kind: "text",
    body,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, seq)).toISOString(),
  };
}

function summary(over: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: CONV,
    kind: "direct",
    title: "",
    peer: { id: PEER, username: "bob", displayName: "Bob", statusText: "", avatarUrl: null },
    lastMessage: message(5, PEER),
    lastSeq: 5,
    readSeq: 2,
    deliveredSeq: 5,
    unreadCount: 3,
    peersDeliveredSeq: 4,
    peersReadSeq: 1,
    memberCount: 2,
    myRole: null,
    membership: "active",
    avatarAttachmentId: null,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 12, 5)).toISOString(),
    ...over,
  };
}

const cursors = { peersDeliveredSeq: 4, peersReadSeq: 2 };
const view = (m: Message): ChatMessage => ({
  ...m,
  own: m.senderId === ME,
  state: m.senderId === ME ? ownState(cursors, m.seq) : null,
  error: null,
  receipts: null,
  system: m.system ?? null,
  attachment: m.attachment ? { ...m.attachment, localFile: null } : null,
  upload: null,
  replyTo: m.replyTo ?? null,
  editedAt: m.editedAt ?? null,
  deleted: false,
  reactions: [],
  myReaction: null,
});

describe("conversationView", () => {
  it("shows the gateway's summary when the client holds nothing", () => {
    const v = conversationView(summary(), undefined, ME);
    expect(v).toMatchObject({ title: "Bob", unreadCount: 3, preview: { body: "m5", own: false, state: null } });
  });

  it("prefers the client's newer last message (including an unsent one) and its exact unread count", () => {
    const pending: ChatMessage = { ...view(message(6, ME, "typing…")), id: null, seq: null, state: "sending", createdAt: new Date(Date.UTC(2026, 0, 1, 13)).toISOString() };
    const v = conversationView(summary(), { heldSeq: 5, baseSeq: 0, readSeq: 5, unreadCount: 0, last: pending }, ME);
    expect(v.preview).toMatchObject({ body: "typing…", own: true, state: "sending" });
    expect(v.unreadCount).toBe(0);
    expect(v.activityAt).toBe(pending.createdAt);
  });

  it("keeps the gateway's count while the client does not hold everything after its read cursor", () => {
    const v = conversationView(summary(), { heldSeq: 5, baseSeq: 3, readSeq: 2, unreadCount: 2, last: view(message(5, PEER)) }, ME);
    expect(v.unreadCount).toBe(3);
  });

  it("previews a last image message as 'Photo'", () => {
    const photo: Message = {
      ...message(5, PEER, ""),
      kind: "image",
      attachment: { id: "00000000-0000-4000-8000-0000000000a1", kind: "image", mime: "image/jpeg", name: "a.jpg", size: 10, width: 4, height: 3 },
    };
    expect(conversationView(summary({ lastMessage: photo }), undefined, ME).preview?.body).toBe("Photo");
  });

  it("sorts by last activity, newest first", () => {
    const old = conversationView(summary({ id: "a", lastMessage: message(1, PEER) }), undefined, ME);
    const recent = conversationView(summary({ id: "b", lastMessage: message(9, PEER), updatedAt: message(9, PEER).createdAt }), undefined, ME);
    expect(sortByActivity([old, recent]).map((c) => c.id)).toEqual(["b", "a"]);
  });
});

describe("chat rows", () => {
  it("puts a separator before each new day and the new-messages marker before the first unread from others", () => {
    const at = (seq: number, senderId: string, iso: string) => ({ ...view(message(seq, senderId)), createdAt: iso });
    const messages = [
      at(1, PEER, "2026-01-01T10:00:00"),
      at(2, ME, "2026-01-01T11:00:00"),
      at(3, ME, "2026-01-02T09:00:00"),
      at(4, PEER, "2026-01-02T09:30:00"),
      at(5, PEER, "2026-01-02T09:31:00"),
    ];
    const now = new Date("2026-01-02T12:00:00");
    // Read up to 2; my own 3 is not "new".
    const rows = chatRows(messages, 2, now);
    expect(rows.map((r) => (r.kind === "message" ? r.message.seq : r.kind === "day" ? r.label : "NEW"))).toEqual([
      "Yesterday", 1, 2, "Today", 3, "NEW", 4, 5,
    ]);
    expect(chatRows(messages, null, now).some((r) => r.kind === "unread")).toBe(false);
    expect(chatRows(messages, 5, now).some((r) => r.kind === "unread")).toBe(false);
    expect(lowestSeq(messages)).toBe(1);
    expect(highestSeq(messages)).toBe(5);
    expect(lowestSeq([])).toBeNull();
  });

  it("labels days: today, yesterday, weekday this week, then a date", () => {
    const now = new Date("2026-03-12T12:00:00");
    expect(dayLabel("2026-03-12T01:00:00", now)).toBe("Today");
    expect(dayLabel("2026-03-11T23:00:00", now)).toBe("Yesterday");
    expect(dayLabel("2026-03-09T10:00:00", now)).toBe(new Date("2026-03-09T10:00:00").toLocaleDateString(undefined, { weekday: "long" }));
    expect(dayLabel("2025-03-01T10:00:00", now)).toContain("2025");
  });
});

describe("errors", () => {
  it("reads the gateway's typed code, retry time and field issues", () => {
    const limited = TRPCClientError.from({
      error: { code: -32029, message: "too many login attempts; try again in 30 s", data: { code: "TOO_MANY_REQUESTS", httpStatus: 429, appCode: "RATE_LIMITED", details: { retryAfterMs: 30_000 } } },
    });
    expect(shownError(limited, 1_000)).toMatchObject({ code: "RATE_LIMITED", retryAt: 31_000 });
    expect(friendlyMessage(shownError(limited), en("errors"))).toBe("Too many attempts.");
    expect(friendlyMessage(shownError(limited), zh("errors"))).toBe("尝试次数过多。");

    const bad = TRPCClientError.from({
      error: { code: -32600, message: "invalid input", data: { code: "BAD_REQUEST", httpStatus: 400, appCode: "BAD_REQUEST", details: { issues: [{ path: "username", message: "too short" }] } } },
    });
    expect(shownError(bad).fields).toEqual({ username: "too short" });

    const wrong = TRPCClientError.from({ error: { code: -32001, message: "wrong username or password", data: { code: "UNAUTHORIZED", httpStatus: 401, appCode: "INVALID_CREDENTIALS" } } });
    expect(friendlyMessage(shownError(wrong), en("errors"))).toBe("Wrong username or password.");
  });
});

describe("contact search", () => {
  const user = (n: number): PublicUser => ({ id: `00000000-0000-4000-8000-00000000010${n}`, username: `user${n}`, displayName: `User ${n}`, statusText: "", avatarUrl: null });
  const request = (id: string, from: PublicUser, to: PublicUser, status: ContactRequest["status"] = "pending"): ContactRequest => ({
    id,
    from,
    to,
    status,
    createdAt: "2026-01-01T00:00:00.000Z",
  });
  const me = user(0);

  it("asks only for a valid query: trimmed, not empty, not longer than a username", () => {
    expect(searchQueryOf("  jud ")).toEqual({ query: "jud", limit: SEARCH_LIMIT });
    expect(searchQueryOf("   ")).toBeNull();
    expect(searchQueryOf("x".repeat(33))).toBeNull();
  });

  it("marks each person as contact, requested, asking us, or to add", () => {
    const [a, b, c, d, e] = [user(1), user(2), user(3), user(4), user(5)];
    const rows = searchRows([a, b, c, d, e], {
      contacts: [{ user: a, conversationId: CONV, since: "2026-01-01T00:00:00.000Z" }],
      outgoing: [request("00000000-0000-4000-8000-0000000000a1", me, b), request("00000000-0000-4000-8000-0000000000a2", me, e, "declined")],
      incoming: [request("00000000-0000-4000-8000-0000000000a3", c, me)],
    });
    expect(rows.map((r) => r.relation)).toEqual([
      { kind: "contact", conversationId: CONV },
      { kind: "requested" },
      { kind: "incoming", requestId: "00000000-0000-4000-8000-0000000000a3" },
      { kind: "none" },
      // A declined request can be sent again.
      { kind: "none" },
    ]);
  });
});

describe("search snippet parts", () => {
  it("cuts at the ranges, adds ellipses where the message goes on, ignores ranges out of bounds", () => {
    expect(snippetParts({ text: "我们明天见", highlights: [{ start: 2, end: 4 }], cutBefore: true, cutAfter: false })).toEqual([
      { text: "…我们", marked: false },
      { text: "明天", marked: true },
      { text: "见", marked: false },
    ]);
    expect(snippetParts({ text: "ab", highlights: [{ start: 1, end: 9 }], cutBefore: false, cutAfter: true })).toEqual([{ text: "ab…", marked: false }]);
  });
});
