/**
 * The gateway's input bounds and throttle accounting as docs/protocol.md §2–§3.5 state them, on a
 * real gateway: "characters" are Unicode code points, which inputs are trimmed or lower-cased
 * before their bounds, the answer to an over-long batch, and which refused logins take a token.
 */
import { describe, expect, it } from "vitest";
import { ErrorCode, Limits } from "@dim/shared";
import { befriend, expectAppError, PASSWORD, useTestGateway } from "./helpers";

const JSON_HEADERS = { "content-type": "application/json" };
const EMOJI = "😀"; // one code point, two UTF-16 units

describe("bounds", () => {
  const gw = useTestGateway();

  it("count code points: a 64-emoji display name and an 8-emoji password are accepted, one more / one fewer is not", async () => {
    const ok = await gw.anon.auth.register.mutate({ username: "emoji_ok", password: EMOJI.repeat(8), displayName: EMOJI.repeat(64) });
    expect(ok.user.displayName).toBe(EMOJI.repeat(64));
    await expectAppError(
      gw.anon.auth.register.mutate({ username: "emoji_long", password: PASSWORD, displayName: EMOJI.repeat(65) }),
      ErrorCode.BadRequest,
    );
    await expectAppError(gw.anon.auth.register.mutate({ username: "emoji_pw", password: EMOJI.repeat(7) }), ErrorCode.BadRequest);
    const { client } = await gw.register("emoji_owner");
    const { conversation } = await client.groups.create.mutate({ title: `  ${EMOJI.repeat(64)}  ` });
    expect(conversation.title).toBe(EMOJI.repeat(64));
    await expectAppError(client.groups.create.mutate({ title: EMOJI.repeat(65) }), ErrorCode.BadRequest);
  });

  it("login trims and lower-cases the username before its 1–32 bound; register does neither", async () => {
    await gw.register("casey");
    expect((await gw.anon.auth.login.mutate({ username: "  CASEY\t", password: PASSWORD })).user.username).toBe("casey");
    // 32 characters inside spaces pass the bound (an unknown user, so the usual answer)
    await expectAppError(gw.anon.auth.login.mutate({ username: ` ${"Q".repeat(32)} `, password: PASSWORD }), ErrorCode.InvalidCredentials);
    for (const username of ["   ", "q".repeat(33)]) {
      await expectAppError(gw.anon.auth.login.mutate({ username, password: PASSWORD }), ErrorCode.BadRequest);
    }
    for (const password of ["", "p".repeat(Limits.passwordMax + 1)]) {
      await expectAppError(gw.anon.auth.login.mutate({ username: "casey", password }), ErrorCode.BadRequest);
    }
    await gw.register("dana");
    const asker = await gw.register("asker");
    for (const username of [" dana", "Dana"]) {
      await expectAppError(gw.anon.auth.register.mutate({ username: `${username}2`, password: PASSWORD }), ErrorCode.BadRequest);
      await expectAppError(asker.client.contacts.request.mutate({ username }), ErrorCode.BadRequest);
    }
  });

  it("users.search: query trimmed, then 1–32 characters, matched case-insensitively; limit 1–20", async () => {
    const { A } = await befriend(gw, "seeker", "bobby");
    expect((await A.client.users.search.query({ query: "  BOB  " })).map((u) => u.username)).toEqual(["bobby"]);
    expect(await A.client.users.search.query({ query: "b".repeat(32), limit: 20 })).toEqual([]);
    for (const input of [{ query: "   " }, { query: "b".repeat(33) }, { query: "bo", limit: 0 }, { query: "bo", limit: 21 }]) {
      await expectAppError(A.client.users.search.query(input), ErrorCode.BadRequest);
    }
  });

  it("cursor inputs: markRead.seq ≥ 1, history beforeSeq ≥ 1 and afterSeq ≥ 0 (not both), readers.seq ≥ 1", async () => {
    const { A, conversationId } = await befriend(gw, "cursor_a", "cursor_b");
    const c = A.client.conversations;
    expect(await c.history.query({ conversationId, afterSeq: 0 })).toMatchObject({ messages: [], hasMore: false });
    const bad: Array<() => Promise<unknown>> = [
      () => c.markRead.mutate({ conversationId, seq: 0 }),
      () => c.history.query({ conversationId, beforeSeq: 0 }),
      () => c.history.query({ conversationId, afterSeq: -1 }),
      () => c.history.query({ conversationId, beforeSeq: 2, afterSeq: 1 }),
      () => c.history.query({ conversationId, limit: 0 }),
      () => c.readers.query({ conversationId, seq: 0 }),
      () => A.client.nodes.assign.mutate({ exclude: Array.from({ length: 17 }, (_, i) => `node-${i}`) }),
    ];
    for (const call of bad) await expectAppError(call(), ErrorCode.BadRequest);
  });

  it("a batch of 17 calls (max 16) is one 400 error object, not an array, and runs none of them", async () => {
    const { session } = await gw.register("batcher");
    const auth = { authorization: `Bearer ${session.sessionToken}` };
    const sixteen = await gw.fetch(`${Array(16).fill("auth.me").join(",")}?batch=1`, { headers: auth });
    expect(sixteen.status).toBe(200);
    expect(((await sixteen.json()) as unknown[]).length).toBe(16);

    const res = await gw.fetch(`${Array(17).fill("auth.logout").join(",")}?batch=1`, { method: "POST", headers: { ...auth, ...JSON_HEADERS }, body: "{}" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { message: string; data: Record<string, unknown> } };
    expect(Array.isArray(body)).toBe(false);
    expect(body.error.data).toEqual({ code: "BAD_REQUEST", httpStatus: 400, appCode: ErrorCode.BadRequest });
    expect(body.error.message).toBe("Batch call exceeds maximum size");
    // no logout ran: the session still works
    expect((await gw.fetch("auth.me", { headers: auth })).status).toBe(200);
  });
});

describe("which logins take a token", () => {
  const gw = useTestGateway({ loginMaxAttempts: 3, loginMaxAttemptsPerIp: 1000 });

  it("invalid input and refused-by-limit calls take none; wrong passwords and unknown users take one each", async () => {
    await gw.register("kate");
    for (let i = 0; i < 5; i++) await expectAppError(gw.anon.auth.login.mutate({ username: "kate", password: "" }), ErrorCode.BadRequest);
    for (let i = 0; i < 3; i++) await expectAppError(gw.anon.auth.login.mutate({ username: "kate", password: "wrong-password" }), ErrorCode.InvalidCredentials);
    const waits: number[] = [];
    for (let i = 0; i < 4; i++) {
      const err = await expectAppError(gw.anon.auth.login.mutate({ username: "kate", password: PASSWORD }), ErrorCode.RateLimited);
      waits.push(err.data.details?.retryAfterMs as number);
    }
    // A refused call that took a token would push the next token a third of the window further away.
    for (const wait of waits) expect(wait).toBeLessThanOrEqual(waits[0]!);

    for (let i = 0; i < 3; i++) await expectAppError(gw.anon.auth.login.mutate({ username: "nobody", password: PASSWORD }), ErrorCode.InvalidCredentials);
    await expectAppError(gw.anon.auth.login.mutate({ username: "nobody", password: PASSWORD }), ErrorCode.RateLimited);
  });
});

describe("successful logins and the address bucket", () => {
  const gw = useTestGateway({ loginMaxAttempts: 100, loginMaxAttemptsPerIp: 3 });

  it("a successful login takes a token from its address's bucket", async () => {
    await gw.register("lena");
    for (let i = 0; i < 3; i++) expect((await gw.anon.auth.login.mutate({ username: "lena", password: PASSWORD })).user.username).toBe("lena");
    await expectAppError(gw.anon.auth.login.mutate({ username: "lena", password: PASSWORD }), ErrorCode.RateLimited);
  });
});
