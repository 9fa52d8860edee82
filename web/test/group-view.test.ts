/** The web app's group view logic: system messages in words, role rules, group rows and previews. */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@dim/client";
import { ErrorCode, type ConversationSummary, type Message, type SystemEvent } from "@dim/shared";
import { chatRows } from "../src/lib/chat-messages";
import { conversationView } from "../src/lib/conversation-view";
import { membershipEventOf, receiptsOf, systemOf } from "../src/lib/group-client";
import { groupErrorText } from "../src/lib/group-errors";
import { en, zh } from "./helpers/i18n";
import { canManage, memberActions } from "../src/lib/group-permissions";
import { nameList, systemText } from "../src/lib/system-text";
import { matchesFilter } from "../src/lib/people-filter";
import { receiptText } from "../src/lib/receipt-text";

const ME = "00000000-0000-4000-8000-000000000001";
const ANA = "00000000-0000-4000-8000-0000000000a1";
const BEN = "00000000-0000-4000-8000-0000000000b1";
const CY = "00000000-0000-4000-8000-0000000000c1";
const GONE = "00000000-0000-4000-8000-0000000000ff";
const GROUP = "00000000-0000-4000-8000-00000000090a";
const NAMES: Record<string, string> = { [ME]: "Me Myself", [ANA]: "Ana", [BEN]: "Ben", [CY]: "Cy" };
const ctx = { meId: ME, nameOf: (id: string) => NAMES[id] };

describe("systemText", () => {
  const text = (event: SystemEvent, actor: string | null = ANA) => systemText(event, actor, ctx);

  it("says every event in words, with the actor's name", () => {
    expect(text({ type: "group.created", title: "Trip", memberIds: [BEN] })).toBe("Ana created the group “Trip”");
    expect(text({ type: "members.added", userIds: [BEN, CY] })).toBe("Ana added Ben and Cy");
    expect(text({ type: "member.removed", userId: BEN })).toBe("Ana removed Ben");
    expect(text({ type: "member.left" }, BEN)).toBe("Ben left");
    expect(text({ type: "group.renamed", title: "Lisbon, May" })).toBe("Ana renamed the group to “Lisbon, May”");
    expect(text({ type: "role.changed", userId: BEN, role: "admin" })).toBe("Ana made Ben an admin");
    expect(text({ type: "role.changed", userId: BEN, role: "member" })).toBe("Ana made Ben a member");
    expect(text({ type: "owner.transferred", userId: BEN })).toBe("Ana transferred ownership to Ben");
  });

  it("speaks to me when I am the actor or the one it is about", () => {
    expect(text({ type: "member.removed", userId: ME })).toBe("You were removed by Ana");
    expect(text({ type: "member.removed", userId: ME }, null)).toBe("You were removed");
    expect(text({ type: "members.added", userIds: [BEN, ME] })).toBe("Ana added you and Ben");
    expect(text({ type: "member.left" }, ME)).toBe("You left");
    expect(text({ type: "role.changed", userId: ME, role: "admin" })).toBe("Ana made you an admin");
    expect(text({ type: "owner.transferred", userId: BEN }, ME)).toBe("You transferred ownership to Ben");
    expect(text({ type: "group.renamed", title: "X" }, ME)).toBe("You renamed the group to “X”");
  });

  it("says Someone for people it does not know", () => {
    expect(text({ type: "member.removed", userId: GONE }, GONE)).toBe("Someone removed Someone");
    expect(text({ type: "members.added", userIds: [GONE, BEN] })).toBe("Ana added Someone and Ben");
  });

  it("lists names: one, two, three, then 'and n others'", () => {
    expect(nameList(["Ben"])).toBe("Ben");
    expect(nameList(["Ben", "Cy"])).toBe("Ben and Cy");
    expect(nameList(["Ben", "Cy", "Dan"])).toBe("Ben, Cy and Dan");
    expect(nameList(["Ben", "Cy", "Dan", "Eve", "Fay"])).toBe("Ben, Cy and 3 others");
  });
});

describe("memberActions (docs/protocol.md §16.2)", () => {
  it("the owner may change roles, hand over and remove anyone but itself", () => {
    expect(memberActions("owner", { role: "member", isMe: false })).toEqual({ remove: true, makeAdmin: true, makeMember: false, transfer: true });
    expect(memberActions("owner", { role: "admin", isMe: false })).toEqual({ remove: true, makeAdmin: false, makeMember: true, transfer: true });
    expect(memberActions("owner", { role: "owner", isMe: true })).toEqual({ remove: false, makeAdmin: false, makeMember: false, transfer: false });
  });

  it("an admin removes plain members only; a member and a former member nothing", () => {
    expect(memberActions("admin", { role: "member", isMe: false }).remove).toBe(true);
    expect(memberActions("admin", { role: "admin", isMe: false }).remove).toBe(false);
    expect(memberActions("admin", { role: "owner", isMe: false }).remove).toBe(false);
    expect(memberActions("admin", { role: "member", isMe: false }).makeAdmin).toBe(false);
    expect(Object.values(memberActions("member", { role: "member", isMe: false }))).not.toContain(true);
    expect(Object.values(memberActions(null, { role: "member", isMe: false }))).not.toContain(true);
    expect([canManage("owner"), canManage("admin"), canManage("member"), canManage(null)]).toEqual([true, true, false, false]);
  });
});

function message(seq: number, senderId: string, over: Partial<Message> = {}): Message {
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    conversationId: GROUP,
    seq,
    senderId,
    clientMsgId: `client-${seq}`,
    kind: "text",
    body: `m${seq}`,
    createdAt: new Date(Date.UTC(2026, 0, 1, 12, seq)).toISOString(),
    ...over,
  };
}

function groupSummary(over: Partial<ConversationSummary> = {}): ConversationSummary {
  return {
    id: GROUP,
    kind: "group",
    title: "Trip",
    peer: null,
    lastMessage: message(3, ANA, { body: "hi" }),
    lastSeq: 3,
    readSeq: 1,
    deliveredSeq: 3,
    unreadCount: 2,
    peersDeliveredSeq: 0,
    peersReadSeq: 0,
    memberCount: 3,
    myRole: "member",
    membership: "active",
    avatarAttachmentId: null,
    updatedAt: new Date(Date.UTC(2026, 0, 1, 12, 3)).toISOString(),
    ...over,
  };
}

// Cast: the same test compiles against a client without `receipts` / `system` on ChatMessage.
const chat = (m: Message, extra: Record<string, unknown> = {}): ChatMessage =>
  ({ ...m, own: m.senderId === ME, state: m.senderId === ME ? "sent" : null, error: null, receipts: null, system: null, ...extra }) as ChatMessage;

describe("group rows in the conversation list", () => {
  it("prefixes others' messages with their name and shows the group's kind and size", () => {
    const v = conversationView(groupSummary(), undefined, ME, ctx.nameOf);
    expect(v).toMatchObject({ kind: "group", title: "Trip", memberCount: 3, membership: "active", unreadCount: 2 });
    expect(v.preview).toMatchObject({ body: "hi", sender: "Ana", own: false, system: false });
  });

  it("shows a system message in words, and a former group as such", () => {
    const removed = message(4, ANA, { kind: "system", body: "", system: { type: "member.removed", userId: ME } });
    const v = conversationView(groupSummary({ lastMessage: removed, lastSeq: 4, membership: "removed", myRole: null }), undefined, ME, ctx.nameOf);
    expect(v.membership).toBe("removed");
    expect(v.preview).toMatchObject({ body: "You were removed by Ana", sender: null, system: true });
  });

  it("takes the live client's newer message, system event included", () => {
    const live = chat(message(5, BEN, { kind: "system", body: "", system: { type: "member.left" } }), { system: { type: "member.left" } });
    const v = conversationView(groupSummary(), { heldSeq: 5, baseSeq: 0, readSeq: 1, unreadCount: 4, last: live }, ME, ctx.nameOf);
    expect(v.preview).toMatchObject({ body: "Ben left", system: true });
    // Without the event (a client that drops it) it still says something in words.
    const bare = chat(message(5, BEN, { kind: "system", body: "" }));
    expect(conversationView(groupSummary(), { heldSeq: 5, baseSeq: 0, readSeq: 1, unreadCount: 4, last: bare }, ME).preview?.body).toBe("The group changed");
  });

  it("a direct conversation's preview has no sender prefix", () => {
    const v = conversationView(groupSummary({ kind: "direct", peer: { id: ANA, username: "ana", displayName: "Ana", statusText: "", avatarUrl: null } }), undefined, ME, ctx.nameOf);
    expect(v.preview?.sender).toBeNull();
  });
});

describe("group message rows", () => {
  it("puts system messages on their own rows and names a sender once per run", () => {
    const messages = [
      chat(message(1, ANA, { kind: "system", body: "", system: { type: "group.created", title: "Trip", memberIds: [ME, BEN] } }), {
        system: { type: "group.created", title: "Trip", memberIds: [ME, BEN] },
      }),
      chat(message(2, ANA)),
      chat(message(3, ANA)),
      chat(message(4, BEN)),
      chat(message(5, ME)),
    ];
    const rows = chatRows(messages, null, new Date(Date.UTC(2026, 0, 1, 13)));
    expect(rows.map((r) => (r.kind === "message" ? `${r.message.seq}${r.continued ? "+" : ""}` : r.kind))).toEqual(["day", "system", "2", "3+", "4", "5"]);
    const system = rows.find((r) => r.kind === "system");
    expect(system?.kind === "system" && system.system?.type).toBe("group.created");
  });
});

describe("the client's group additions, read where present", () => {
  it("reads system, receipts and membership events, null when absent", () => {
    const m = chat(message(2, ME));
    expect(systemOf(m)).toBeNull();
    expect(receiptsOf(m)).toBeNull();
    expect(receiptsOf({ ...m, receipts: { delivered: 2, read: 1, of: 2 } } as ChatMessage)).toEqual({ delivered: 2, read: 1, of: 2 });
    expect(membershipEventOf({ conversationId: GROUP, event: "removed" })).toEqual({ conversationId: GROUP, event: "removed" });
    expect(membershipEventOf(null)).toBeNull();
    expect(membershipEventOf({ event: "added" })).toBeNull();
  });

  it("says receipts k of n", () => {
    expect(receiptText({ delivered: 0, read: 0, of: 2 })).toBe("Sent");
    expect(receiptText({ delivered: 2, read: 0, of: 4 })).toBe("Delivered to 2 of 4");
    expect(receiptText({ delivered: 2, read: 1, of: 2 })).toBe("Read by 1 of 2");
  });

  it("filters people by display name or @username", () => {
    const ben = { id: BEN, username: "benjamin", displayName: "Ben Ortiz", statusText: "", avatarUrl: null };
    expect(matchesFilter(ben, "")).toBe(true);
    expect(matchesFilter(ben, "ORT")).toBe(true);
    expect(matchesFilter(ben, "@benj")).toBe(true);
    expect(matchesFilter(ben, "cy")).toBe(false);
  });
});

describe("groupErrorText", () => {
  const t = en("errors");
  it("says a refused change in words, by its code (never the server's English)", () => {
    expect(groupErrorText({ code: ErrorCode.Conflict, message: "the owner cannot leave while others remain: transfer ownership first" }, "leave", t)).toBe(
      "You are the owner: make someone else the owner before you leave.",
    );
    expect(groupErrorText({ code: ErrorCode.Conflict, message: "the group already has this title" }, "rename", t)).toBe("The group already has this title.");
    expect(groupErrorText({ code: ErrorCode.Forbidden, message: "x" }, "add", t)).toBe("You can only add people who are your contacts.");
    expect(groupErrorText({ code: ErrorCode.LimitExceeded, message: "a user can be in at most 500 groups", limit: 500 }, "create", t)).toBe(
      "That passes a limit of 500 (members in a group, or groups per person).",
    );
    expect(groupErrorText({ code: ErrorCode.NotFound, message: "x" }, "remove", t)).toBe("They are no longer a member of this group.");
    expect(groupErrorText({ code: ErrorCode.NotFound, message: "x" }, "remove", zh("errors"))).toBe("对方已不是此群组的成员。");
  });
});
