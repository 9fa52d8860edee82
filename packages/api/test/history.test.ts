/**
 * conversations.history at its edges, and the lookup every conversation procedure starts with
 * (session and membership in one statement): with the gateway's pg pool (prepared statements, as
 * in production) and without it (the same statements through Prisma).
 */
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { startStandaloneGateway } from "../src/index";
import { befriend, clientFor, expectAppError, send, TOKEN_SECRET, useTestGateway } from "./helpers";

const seqs = (page: { messages: { seq: number }[] }) => page.messages.map((m) => m.seq);

describe.each([{ pool: true }, { pool: false }])("history, session and membership (pg pool: $pool)", ({ pool }) => {
  const gw = useTestGateway({}, { pool });
  const tag = pool ? "p" : "n";

  it("answers an empty conversation with no messages and lastSeq 0, whatever the cursor", async () => {
    const { A, conversationId } = await befriend(gw, `${tag}_empty_a`, `${tag}_empty_b`);
    const empty = { messages: [], hasMore: false, lastSeq: 0 };
    expect(await A.client.conversations.history.query({ conversationId })).toEqual(empty);
    expect(await A.client.conversations.history.query({ conversationId, afterSeq: 0 })).toEqual(empty);
    expect(await A.client.conversations.history.query({ conversationId, beforeSeq: 1 })).toEqual(empty);
  });

  it("pages exactly at the edges of beforeSeq, afterSeq and limit", async () => {
    const { A, B, conversationId } = await befriend(gw, `${tag}_edge_a`, `${tag}_edge_b`);
    const stored = [];
    for (let i = 1; i <= 5; i++) stored.push(await send(gw, i % 2 ? A.id : B.id, conversationId, `e${i}`));
    const q = (input: { beforeSeq?: number; afterSeq?: number; limit?: number }) =>
      A.client.conversations.history.query({ conversationId, ...input });

    // Backwards.
    expect(await q({ beforeSeq: 1 })).toEqual({ messages: [], hasMore: false, lastSeq: 5 });
    expect(await q({ beforeSeq: 2, limit: 1 })).toMatchObject({ hasMore: false, lastSeq: 5 });
    expect(seqs(await q({ beforeSeq: 2, limit: 1 }))).toEqual([1]);
    const exact = await q({ beforeSeq: 6, limit: 5 });
    expect([seqs(exact), exact.hasMore]).toEqual([[1, 2, 3, 4, 5], false]);
    const oneShort = await q({ beforeSeq: 6, limit: 4 });
    expect([seqs(oneShort), oneShort.hasMore]).toEqual([[2, 3, 4, 5], true]);
    const beyond = await q({ beforeSeq: 1000, limit: 50 });
    expect([seqs(beyond), beyond.hasMore, beyond.lastSeq]).toEqual([[1, 2, 3, 4, 5], false, 5]);

    // Newest page.
    const newestAll = await q({ limit: 5 });
    expect([seqs(newestAll), newestAll.hasMore]).toEqual([[1, 2, 3, 4, 5], false]);
    const newest = await q({ limit: 4 });
    expect([seqs(newest), newest.hasMore]).toEqual([[2, 3, 4, 5], true]);

    // Forwards.
    const fwdAll = await q({ afterSeq: 0, limit: 5 });
    expect([seqs(fwdAll), fwdAll.hasMore]).toEqual([[1, 2, 3, 4, 5], false]);
    const fwd = await q({ afterSeq: 0, limit: 4 });
    expect([seqs(fwd), fwd.hasMore]).toEqual([[1, 2, 3, 4], true]);
    const last = await q({ afterSeq: 4, limit: 1 });
    expect([seqs(last), last.hasMore]).toEqual([[5], false]);
    expect(await q({ afterSeq: 5 })).toEqual({ messages: [], hasMore: false, lastSeq: 5 });
    expect(await q({ afterSeq: 99 })).toEqual({ messages: [], hasMore: false, lastSeq: 5 });

    // The messages are the stored ones, field for field.
    expect(fwdAll.messages).toEqual(stored);
    // The statements went where they should (the pool exists only in the pool variant).
    expect((gw.pool?.totalCount ?? 0) > 0).toBe(pool);
  });

  it("gives lastSeq as of the request: a message stored since shows at once", async () => {
    const { A, conversationId } = await befriend(gw, `${tag}_last_a`, `${tag}_last_b`);
    await send(gw, A.id, conversationId, "one");
    expect((await A.client.conversations.history.query({ conversationId, afterSeq: 1 })).lastSeq).toBe(1);
    await send(gw, A.id, conversationId, "two");
    const page = await A.client.conversations.history.query({ conversationId, afterSeq: 1 });
    expect([seqs(page), page.lastSeq]).toEqual([[2], 2]);
  });

  it("ends a session at logout at once, on this gateway and on another one sharing the database", async () => {
    const { A, conversationId } = await befriend(gw, `${tag}_out_a`, `${tag}_out_b`);
    // A second gateway process's worth: its own Prisma client, pool and store (databaseUrl).
    const other = await startStandaloneGateway({ port: 0, databaseUrl: gw.db.url, registry: gw.infra.registry, config: { tokenSecret: TOKEN_SECRET } });
    try {
      const here = A.client;
      const there = clientFor(other.trpcUrl, A.session.sessionToken);
      for (const c of [here, there]) {
        expect(await c.conversations.history.query({ conversationId })).toMatchObject({ messages: [], lastSeq: 0 });
        expect((await c.auth.me.query()).id).toBe(A.id);
      }
      await here.auth.logout.mutate();
      for (const c of [here, there]) {
        await expectAppError(c.conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
        await expectAppError(c.conversations.markRead.mutate({ conversationId, seq: 1 }), ErrorCode.Unauthorized);
        await expectAppError(c.auth.me.query(), ErrorCode.Unauthorized);
      }

      // The other way round: a logout on the other gateway ends the session here too.
      const again = await gw.anon.auth.login.mutate({ username: `${tag}_out_a`, password: "password-1234" });
      const hereAgain = gw.client(again.sessionToken);
      expect(seqs(await hereAgain.conversations.history.query({ conversationId }))).toEqual([]);
      await clientFor(other.trpcUrl, again.sessionToken).auth.logout.mutate();
      await expectAppError(hereAgain.conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
    } finally {
      await other.close();
    }
  });

  it("refuses expired sessions and junk tokens on conversation procedures", async () => {
    const { A, conversationId } = await befriend(gw, `${tag}_exp_a`, `${tag}_exp_b`);
    await gw.prisma.session.updateMany({ where: { userId: A.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectAppError(A.client.conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
    await expectAppError(A.client.conversations.markRead.mutate({ conversationId, seq: 1 }), ErrorCode.Unauthorized);
    await expectAppError(gw.client("x".repeat(500)).conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
    await expectAppError(gw.client("not-a-session").conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
  });

  it("validates the input before it looks at the session", async () => {
    const { conversationId } = await befriend(gw, `${tag}_order_a`, `${tag}_order_b`);
    await expectAppError(gw.anon.conversations.history.query({ conversationId, limit: 201 }), ErrorCode.BadRequest);
    await expectAppError(gw.anon.conversations.history.query({ conversationId: "not-a-uuid" }), ErrorCode.BadRequest);
    await expectAppError(gw.anon.conversations.history.query({ conversationId }), ErrorCode.Unauthorized);
  });
});
