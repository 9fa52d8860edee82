/**
 * messages.search, conversations.seqAt and history's aroundSeq on real PostgreSQL (the GIN
 * tsvector and trigram indexes of migration 20261222120000_message_search).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { circle } from "./group-helpers";
import { befriend, expectAppError, msgId, send, useTestGateway } from "./helpers";

const marked = (h: { snippet: { text: string; highlights: { start: number; end: number }[] } }) =>
  h.snippet.highlights.map((r) => h.snippet.text.slice(r.start, r.end));

describe("messages.search", () => {
  const gw = useTestGateway();

  it("finds by word and by Chinese substring, with highlighted ranges, in your conversations only", async () => {
    const { A, B, conversationId } = await befriend(gw, "w_ann", "w_bob");
    // A stranger's conversation with the same words: never found by ann.
    const stranger = await befriend(gw, "w_sid", "w_tom");
    await send(gw, stranger.A.id, stranger.conversationId, "Pineapple party tomorrow 我们明天见");
    await send(gw, A.id, conversationId, "Shall we bring a pineapple?");
    const cn = await send(gw, B.id, conversationId, "好的，我们明天见");
    await send(gw, B.id, conversationId, "nothing to see here");

    const word = await A.client.messages.search.query({ query: "PINEAPPLE" });
    expect(word.results.map((r) => r.conversation.id)).toEqual([conversationId]);
    expect(marked(word.results[0]!)).toEqual(["pineapple"]);
    expect(word.results[0]).toMatchObject({ conversation: { kind: "direct", title: "w_bob" }, sender: { username: "w_ann" } });

    const chinese = await A.client.messages.search.query({ query: "明天" });
    expect(chinese.results.map((r) => r.seq)).toEqual([cn.seq]);
    expect(marked(chinese.results[0]!)).toEqual(["明天"]);
    expect(chinese.nextCursor).toBeNull();

    // The stranger finds their own, and only theirs.
    const theirs = await stranger.A.client.messages.search.query({ query: "明天" });
    expect(theirs.results.map((r) => r.conversation.id)).toEqual([stranger.conversationId]);
    // Naming a conversation you are not in is refused.
    await expectAppError(A.client.messages.search.query({ query: "明天", conversationId: stranger.conversationId }), ErrorCode.Forbidden);
    expect((await A.client.messages.search.query({ query: "明天", conversationId })).results).toHaveLength(1);
  });

  it("never returns deleted, hidden or event rows; edited messages match their current text", async () => {
    const { A, B, conversationId } = await befriend(gw, "d_ann", "d_bob");
    const gone = await send(gw, B.id, conversationId, "zebra deleted for everyone");
    await gw.store.append({ senderId: B.id, conversationId, clientMsgId: msgId(), kind: "delete", targetSeq: gone.seq, body: "" });
    const hidden = await send(gw, B.id, conversationId, "zebra hidden by ann");
    await gw.store.hide(conversationId, A.id, [hidden.seq]);
    const edited = await send(gw, A.id, conversationId, "zebra before the edit");
    await gw.store.append({ senderId: A.id, conversationId, clientMsgId: msgId(), kind: "edit", targetSeq: edited.seq, body: "giraffe after the edit" });

    expect((await A.client.messages.search.query({ query: "zebra" })).results).toEqual([]);
    // Bob did not hide his: he still finds it (but not the deleted one, nor the old edit text).
    expect((await B.client.messages.search.query({ query: "zebra" })).results.map((r) => r.seq)).toEqual([hidden.seq]);
    const g = await A.client.messages.search.query({ query: "giraffe" });
    expect(g.results.map((r) => r.seq)).toEqual([edited.seq]);
    expect(g.results[0]!.editedAt).not.toBeNull();
  });

  it("a removed group member finds what was said in their window, nothing after", async () => {
    const { owner, people } = await circle(gw, "g_own", ["g_ben", "g_cy"]);
    const { conversation } = await owner.client.groups.create.mutate({ title: "Trip", memberIds: [people.g_ben!.id, people.g_cy!.id] });
    const before = await send(gw, owner.id, conversation.id, "koala before removal");
    await owner.client.groups.removeMember.mutate({ conversationId: conversation.id, userId: people.g_ben!.id });
    await send(gw, owner.id, conversation.id, "koala after removal");
    const ben = await people.g_ben!.client.messages.search.query({ query: "koala" });
    expect(ben.results.map((r) => r.seq)).toEqual([before.seq]);
    expect(ben.results[0]!.conversation).toMatchObject({ kind: "group", title: "Trip" });
    expect((await people.g_cy!.client.messages.search.query({ query: "koala" })).results).toHaveLength(2);
  });

  it("pages newest first with an opaque cursor; bad input is BAD_REQUEST", async () => {
    const { A, conversationId } = await befriend(gw, "p_ann", "p_bob");
    const sent = [];
    for (let i = 0; i < 5; i++) sent.push(await send(gw, A.id, conversationId, `walrus number ${i}`));
    const seen: number[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < 3; page++) {
      const r = await A.client.messages.search.query({ query: "walrus", limit: 2, ...(cursor ? { cursor } : {}) });
      seen.push(...r.results.map((x) => x.seq));
      if (!r.nextCursor) break;
      cursor = r.nextCursor;
    }
    expect(seen).toEqual(sent.map((m) => m.seq).reverse());

    for (const query of ["", "   ", "a", "x".repeat(201)]) await expectAppError(A.client.messages.search.query({ query }), ErrorCode.BadRequest);
    for (const bad of ["nope", Buffer.from('["2026-01-01T00:00:00.000Z","x"]').toString("base64url")]) {
      await expectAppError(A.client.messages.search.query({ query: "walrus", cursor: bad }), ErrorCode.BadRequest);
    }
    await expectAppError(A.client.messages.search.query({ query: "walrus", limit: 51 }), ErrorCode.BadRequest);
    await expectAppError(gw.anon.messages.search.query({ query: "walrus" }), ErrorCode.Unauthorized);
    // LIKE wildcards are literal.
    expect((await A.client.messages.search.query({ query: "%%" })).results).toEqual([]);
  });
});

describe("messages.search throttling", () => {
  const gw = useTestGateway({ searchMaxPerUser: 2, searchWindowMs: 60_000 });
  it("refuses a user's third search in the window with RATE_LIMITED, others unaffected", async () => {
    const { A, B } = await befriend(gw, "r_ann", "r_bob");
    await A.client.messages.search.query({ query: "hello" });
    await A.client.messages.search.query({ query: "hello" });
    await expectAppError(A.client.messages.search.query({ query: "hello" }), ErrorCode.RateLimited);
    expect((await B.client.messages.search.query({ query: "hello" })).results).toEqual([]);
  });
});

describe("jump: conversations.seqAt and history aroundSeq", () => {
  const gw = useTestGateway();
  it("finds the seq at a date and loads a page around a seq", async () => {
    const { A, B, conversationId } = await befriend(gw, "j_ann", "j_bob");
    for (let i = 1; i <= 9; i++) await send(gw, i % 2 ? A.id : B.id, conversationId, `m${i}`);
    // Dates of our own choosing: seq n sent on day n of January.
    await gw.prisma.$executeRaw`UPDATE messages SET created_at = make_timestamptz(2026, 1, seq::int, 12, 0, 0, 'UTC') WHERE conversation_id = ${conversationId}::uuid`;
    const at = (iso: string) => A.client.conversations.seqAt.query({ conversationId, at: iso });
    expect(await at("2026-01-04T00:00:00.000Z")).toEqual({ seq: 4 });
    expect(await at("2025-01-01T00:00:00.000Z")).toEqual({ seq: 1 });
    expect(await at("2027-01-01T00:00:00.000Z")).toEqual({ seq: 9 });
    await expectAppError(at("yesterday"), ErrorCode.BadRequest);

    const page = await A.client.conversations.history.query({ conversationId, aroundSeq: 5, limit: 4 });
    expect([page.messages.map((m) => m.seq), page.hasMore, page.hasMoreAfter, page.lastSeq]).toEqual([[3, 4, 5, 6], true, true, 9]);
    const start = await A.client.conversations.history.query({ conversationId, aroundSeq: 1, limit: 4 });
    expect([start.messages.map((m) => m.seq), start.hasMore, start.hasMoreAfter]).toEqual([[1, 2, 3, 4], false, true]);
    const end = await A.client.conversations.history.query({ conversationId, aroundSeq: 9, limit: 4 });
    expect([end.messages.map((m) => m.seq), end.hasMore, end.hasMoreAfter]).toEqual([[6, 7, 8, 9], true, false]);
    await expectAppError(A.client.conversations.history.query({ conversationId, aroundSeq: 5, beforeSeq: 3 }), ErrorCode.BadRequest);
    const other = await befriend(gw, "j_sid", "j_tom");
    await expectAppError(A.client.conversations.seqAt.query({ conversationId: other.conversationId, at: "2026-01-04T00:00:00.000Z" }), ErrorCode.Forbidden);
  });
});
