/** The composer's and bubble's mention logic (lib/mentions.ts) and the notification of a mention. */
import { describe, expect, it } from "vitest";
import type { ChatMessage } from "@dim/client";
import { activeMentionQuery, allMatches, insertMention, mentionCandidates, mentionParts, mentionsIn } from "../src/lib/mentions";
import { notificationText } from "../src/lib/notification-text";
import { EN, ZH } from "./helpers/i18n";

const ME = "00000000-0000-4000-8000-000000000001";
const members = [
  { id: ME, username: "ana", displayName: "Ana Lima" },
  { id: "00000000-0000-4000-8000-000000000002", username: "bob", displayName: "Bob Stone" },
  { id: "00000000-0000-4000-8000-000000000003", username: "bobby_t", displayName: "Roberta" },
  { id: "00000000-0000-4000-8000-000000000004", username: "cy", displayName: "Cy Bo" },
];

describe("activeMentionQuery", () => {
  it("finds the @name being typed at the caret, not an e-mail or a finished word", () => {
    expect(activeMentionQuery("hi @bo", 6)).toEqual({ start: 3, query: "bo" });
    expect(activeMentionQuery("@", 1)).toEqual({ start: 0, query: "" });
    expect(activeMentionQuery("你好@Bo", 5)).toEqual({ start: 2, query: "bo" });
    expect(activeMentionQuery("mail ana@bo", 11)).toBeNull();
    expect(activeMentionQuery("hi @bob there", 13)).toBeNull();
    expect(activeMentionQuery("hi @bob there", 7)).toEqual({ start: 3, query: "bob" });
    expect(activeMentionQuery("@@bo", 4)).toBeNull();
  });
});

describe("mentionCandidates", () => {
  it("matches a username or a display-name word, usernames first, never me", () => {
    expect(mentionCandidates(members, "bo", ME).map((m) => m.username)).toEqual(["bob", "bobby_t", "cy"]);
    expect(mentionCandidates(members, "rob", ME).map((m) => m.username)).toEqual(["bobby_t"]);
    expect(mentionCandidates(members, "", ME)).toHaveLength(3);
    expect(mentionCandidates(members, "ana", ME)).toEqual([]);
    expect(allMatches("ev")).toBe(true);
    expect(allMatches("x")).toBe(false);
  });
});

describe("insertMention and mentionsIn", () => {
  it("replaces the query with the name and a space, caret after it", () => {
    expect(insertMention("hi @bo", 3, 6, "bobby_t")).toEqual({ text: "hi @bobby_t ", caret: 12 });
    expect(insertMention("hi @bo and", 3, 6, "bob")).toEqual({ text: "hi @bob and", caret: 8 });
  });
  it("mentions the members whose @username is in the text (typed or picked), once, not me; @all for owners only", () => {
    expect(mentionsIn("@bob and @bobby_t, @bob again, @ana, @zed", members, ME, false)).toEqual({
      mentions: [members[1]!.id, members[2]!.id],
    });
    expect(mentionsIn("@bobx hi", members, ME, false)).toEqual({});
    expect(mentionsIn("@all look", members, ME, true)).toEqual({ mentionsAll: true });
    expect(mentionsIn("@all look", members, ME, false)).toEqual({});
  });
});

describe("mentionParts", () => {
  it("marks the mentioned users' tokens (me and @all more strongly), leaves other @words as text", () => {
    const parts = mentionParts("@bob, @ana and @zed @everyone", { usernames: new Set(["bob", "ana"]), all: true, myUsername: "ana" });
    expect(parts).toEqual([
      { kind: "mention", text: "@bob", me: false },
      { kind: "text", text: ", " },
      { kind: "mention", text: "@ana", me: true },
      { kind: "text", text: " and @zed " },
      { kind: "mention", text: "@everyone", me: true },
    ]);
    expect(mentionParts("@everyone", { usernames: new Set(), all: false, myUsername: null })).toEqual([{ kind: "text", text: "@everyone" }]);
  });
});

describe("notificationText", () => {
  const base = { conversationId: "c", seq: 4, clientMsgId: "x", senderId: members[1]!.id, kind: "text", body: "@ana dinner?", attachment: null } as unknown as ChatMessage;
  it("says who mentioned me, with a tag of its own", () => {
    const n = notificationText({ ...base, mentionsMe: true }, { title: "Trip", kind: "group" }, (id) => (id === members[1]!.id ? "Bob" : undefined), EN);
    expect(n).toEqual({ title: "Bob mentioned you in Trip", body: "@ana dinner?", tag: "c:mention:4", mention: true });
    expect(notificationText({ ...base, mentionsMe: false }, { title: "Trip", kind: "group" }, () => undefined, EN)).toMatchObject({ title: "Trip", tag: "c", mention: false });
    expect(notificationText({ ...base, mentionsMe: true }, { title: "Trip", kind: "group" }, () => undefined, ZH).title).toBe("有人 在 Trip 中提到了你");
  });
});
