/**
 * account.sessions, signOutSession, signOutOthers and changePassword on a real gateway: what the
 * list shows (stored at login), that a signed-out session's token stops working at once, that
 * another user's session id gets NOT_FOUND and changes nothing, and the password rules.
 */
import { describe, expect, it } from "vitest";
import { clientFor, expectAppError, PASSWORD, useTestGateway } from "./helpers";

const gw = useTestGateway({ loginMaxAttempts: 3 });

/** A second sign-in of `username` with its own user agent. */
async function signIn(username: string, userAgent: string, password = PASSWORD) {
  const anon = clientFor(gw.server.trpcUrl, undefined, { "user-agent": userAgent });
  const s = await anon.auth.login.mutate({ username, password });
  return { session: s, client: gw.client(s.sessionToken) };
}

describe("account.sessions", () => {
  it("lists the user's sessions with created, last used, user agent and IP; the current one marked", async () => {
    await gw.register("sess_list");
    const phone = await signIn("sess_list", "PhoneBrowser/1.0");
    const laptop = await signIn("sess_list", "LaptopBrowser/2.0");
    const list = await laptop.client.account.sessions.query();
    expect(list).toHaveLength(3);
    const mine = list.find((s) => s.current)!;
    expect(mine.userAgent).toBe("LaptopBrowser/2.0");
    expect(list.filter((s) => s.current)).toHaveLength(1);
    expect(list.find((s) => s.userAgent === "PhoneBrowser/1.0")?.current).toBe(false);
    for (const s of list) {
      expect(s.ip).toMatch(/127\.0\.0\.1|::1/);
      expect(Date.parse(s.lastUsedAt)).toBeGreaterThanOrEqual(Date.parse(s.createdAt));
    }
    expect(await phone.client.account.sessions.query()).toHaveLength(3);
  });

  it("keeps at most 256 characters of a user agent", async () => {
    await gw.register("sess_ua");
    const s = await signIn("sess_ua", `X${"y".repeat(400)}`);
    const [mine] = (await s.client.account.sessions.query()).filter((x) => x.current);
    expect(mine?.userAgent).toHaveLength(256);
  });
});

describe("account.signOutSession", () => {
  it("ends exactly that session: its token stops working, the others keep working", async () => {
    const me = await gw.register("sess_one");
    const other = await signIn("sess_one", "Other/1");
    const third = await signIn("sess_one", "Third/1");
    const targetId = (await other.client.account.sessions.query()).find((s) => s.current)!.id;
    expect(await me.client.account.signOutSession.mutate({ sessionId: targetId })).toEqual({ ok: true });
    await expectAppError(other.client.auth.me.query(), "UNAUTHORIZED");
    expect((await third.client.auth.me.query()).username).toBe("sess_one");
    const ids = (await me.client.account.sessions.query()).map((s) => s.id);
    expect(ids).toHaveLength(2);
    expect(ids).not.toContain(targetId);
    // Again: it is gone.
    await expectAppError(me.client.account.signOutSession.mutate({ sessionId: targetId }), "NOT_FOUND");
  });

  it("another user's session id: NOT_FOUND, and that session keeps working", async () => {
    const a = await gw.register("sess_thief");
    const b = await gw.register("sess_victim");
    const victimSession = (await b.client.account.sessions.query())[0]!.id;
    const err = await expectAppError(a.client.account.signOutSession.mutate({ sessionId: victimSession }), "NOT_FOUND");
    expect(err.message).toBe("no such session of yours");
    expect((await b.client.auth.me.query()).username).toBe("sess_victim");
    expect(await b.client.account.sessions.query()).toHaveLength(1);
    await expectAppError(a.client.account.signOutSession.mutate({ sessionId: "nope" }), "BAD_REQUEST");
    await expectAppError(gw.anon.account.signOutSession.mutate({ sessionId: victimSession }), "UNAUTHORIZED");
  });

  it("signing out the current session clears its cookie", async () => {
    const me = await gw.register("sess_self");
    const current = (await me.client.account.sessions.query())[0]!.id;
    const res = await gw.fetch("account.signOutSession", {
      method: "POST",
      headers: { authorization: `Bearer ${me.session.sessionToken}`, "content-type": "application/json" },
      body: JSON.stringify({ sessionId: current }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toMatch(/dim_session=;.*Max-Age=0/i);
    await expectAppError(me.client.auth.me.query(), "UNAUTHORIZED");
  });
});

describe("account.signOutOthers", () => {
  it("ends every other session and keeps the current one", async () => {
    const me = await gw.register("sess_others");
    const a = await signIn("sess_others", "A/1");
    const b = await signIn("sess_others", "B/1");
    const bystander = await gw.register("sess_bystander");
    expect(await me.client.account.signOutOthers.mutate()).toEqual({ signedOut: 2 });
    await expectAppError(a.client.auth.me.query(), "UNAUTHORIZED");
    await expectAppError(b.client.auth.me.query(), "UNAUTHORIZED");
    expect((await me.client.auth.me.query()).username).toBe("sess_others");
    expect((await bystander.client.auth.me.query()).username).toBe("sess_bystander");
    expect(await me.client.account.signOutOthers.mutate()).toEqual({ signedOut: 0 });
  });
});

describe("account.changePassword", () => {
  it("changes the password and signs out every other session", async () => {
    const me = await gw.register("pw_change");
    const other = await signIn("pw_change", "Other/1");
    expect(await me.client.account.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "new-password-5678" })).toEqual({
      signedOut: 1,
    });
    await expectAppError(other.client.auth.me.query(), "UNAUTHORIZED");
    expect((await me.client.auth.me.query()).username).toBe("pw_change");
    await expectAppError(gw.anon.auth.login.mutate({ username: "pw_change", password: PASSWORD }), "INVALID_CREDENTIALS");
    expect((await signIn("pw_change", "New/1", "new-password-5678")).session.user.username).toBe("pw_change");
  });

  it("a wrong current password: INVALID_CREDENTIALS, nothing changes, and it is throttled as login", async () => {
    const me = await gw.register("pw_wrong");
    const other = await signIn("pw_wrong", "Other/1");
    for (let i = 0; i < 3; i++) {
      await expectAppError(me.client.account.changePassword.mutate({ currentPassword: "not-the-password", newPassword: "new-password-5678" }), "INVALID_CREDENTIALS");
    }
    // loginMaxAttempts: 3 — the fourth try is refused before checking, even with the right password.
    const limited = await expectAppError(
      me.client.account.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "new-password-5678" }),
      "RATE_LIMITED",
    );
    expect(limited.data.details?.retryAfterMs).toBeGreaterThan(0);
    expect((await other.client.auth.me.query()).username).toBe("pw_wrong");
    await expectAppError(gw.anon.auth.login.mutate({ username: "pw_wrong", password: PASSWORD }), "RATE_LIMITED");
    const row = await gw.prisma.user.findUnique({ where: { username: "pw_wrong" } });
    const { verifyPassword } = await import("../src/auth/password");
    expect(await verifyPassword(row!.passwordHash, PASSWORD)).toBe(true);
  });

  it("the new password has register's bounds", async () => {
    const me = await gw.register("pw_bounds");
    await expectAppError(me.client.account.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "short" }), "BAD_REQUEST");
    await expectAppError(me.client.account.changePassword.mutate({ currentPassword: PASSWORD, newPassword: "x".repeat(257) }), "BAD_REQUEST");
    await expectAppError(me.client.account.changePassword.mutate({ currentPassword: "", newPassword: "new-password-5678" }), "BAD_REQUEST");
    expect((await signIn("pw_bounds", "Still/1")).session.user.username).toBe("pw_bounds");
  });
});
