import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ErrorCode } from "@dim/shared";
import { clientFor, expectAppError, PASSWORD, useTestGateway } from "./helpers";

describe("auth", () => {
  const gw = useTestGateway({ loginMaxAttempts: 3, loginMaxAttemptsPerIp: 1000 });

  it("registers, logs in, answers me, and logs out", async () => {
    const { session, client } = await gw.register("alice", "Alice A.");
    expect(session.user).toMatchObject({ username: "alice", displayName: "Alice A.", avatarUrl: null });
    expect(session.sessionToken.length).toBeGreaterThan(30);
    expect(new Date(session.expiresAt).getTime()).toBeGreaterThan(Date.now());
    // the first account of the database is its admin
    expect(await client.auth.me.query()).toEqual({ ...session.user, isAdmin: true });

    const login = await gw.anon.auth.login.mutate({ username: "alice", password: PASSWORD });
    expect(login.user.id).toBe(session.user.id);
    expect(login.sessionToken).not.toBe(session.sessionToken);
    const second = gw.client(login.sessionToken);
    expect((await second.auth.me.query()).id).toBe(session.user.id);

    expect(await second.auth.logout.mutate()).toEqual({ ok: true });
    await expectAppError(second.auth.me.query(), ErrorCode.Unauthorized);
    // The other session is untouched.
    expect((await client.auth.me.query()).username).toBe("alice");
  });

  it("login trims and lower-cases the username before its length bound (32 characters with spaces around pass)", async () => {
    const name = "a".repeat(31) + "z"; // the longest username
    await gw.register(name);
    const login = await gw.anon.auth.login.mutate({ username: `  ${name.toUpperCase()}  `, password: PASSWORD });
    expect(login.user.username).toBe(name);
    await expectAppError(gw.anon.auth.login.mutate({ username: ` ${name}x `, password: PASSWORD }), ErrorCode.BadRequest);
    await expectAppError(gw.anon.auth.login.mutate({ username: "   ", password: PASSWORD }), ErrorCode.BadRequest);
  });

  it("defaults the display name to the username", async () => {
    const { session } = await gw.register("bob_1");
    expect(session.user.displayName).toBe("bob_1");
  });

  it("stores an argon2id hash and only the SHA-256 of the session token", async () => {
    const { session } = await gw.register("carol");
    const user = await gw.prisma.user.findUniqueOrThrow({ where: { username: "carol" } });
    expect(user.passwordHash.startsWith("$argon2id$")).toBe(true);
    expect(user.passwordHash).not.toContain(PASSWORD);
    const sessions = await gw.prisma.session.findMany({ where: { userId: user.id } });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]!.tokenHash).toBe(createHash("sha256").update(session.sessionToken).digest("hex"));
    expect(sessions[0]!.tokenHash).not.toBe(session.sessionToken);
  });

  it("rejects a taken username with USERNAME_TAKEN and changes nothing", async () => {
    await gw.register("dave");
    const before = await gw.prisma.user.count();
    const err = await expectAppError(
      gw.anon.auth.register.mutate({ username: "dave", password: "another-password" }),
      ErrorCode.UsernameTaken,
    );
    expect(err.data.httpStatus).toBe(409);
    expect(await gw.prisma.user.count()).toBe(before);
  });

  it("gives an unknown user and a wrong password the very same answer", async () => {
    await gw.register("erin");
    const wrong = await expectAppError(
      gw.anon.auth.login.mutate({ username: "erin", password: "not-the-password" }),
      ErrorCode.InvalidCredentials,
    );
    const unknown = await expectAppError(
      gw.anon.auth.login.mutate({ username: "nobody_here", password: "not-the-password" }),
      ErrorCode.InvalidCredentials,
    );
    expect(unknown.message).toBe(wrong.message);
    expect(unknown.data).toEqual({ ...wrong.data });
    expect(wrong.data.httpStatus).toBe(401);
  });

  it("throttles login per username, with retryAfterMs and Retry-After", async () => {
    await gw.register("frank");
    for (let i = 0; i < 3; i++) {
      await expectAppError(gw.anon.auth.login.mutate({ username: "frank", password: "bad-password" }), ErrorCode.InvalidCredentials);
    }
    // Even the right password is refused now: the bucket is empty.
    const limited = await expectAppError(
      gw.anon.auth.login.mutate({ username: "frank", password: PASSWORD }),
      ErrorCode.RateLimited,
    );
    expect(limited.data.httpStatus).toBe(429);
    expect(limited.data.details?.retryAfterMs).toBeGreaterThan(0);

    const raw = await gw.fetch("auth.login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "frank", password: PASSWORD }),
    });
    expect(raw.status).toBe(429);
    expect(Number(raw.headers.get("retry-after"))).toBeGreaterThan(0);

    // Unknown usernames are throttled the same way (no enumeration through the limiter).
    for (let i = 0; i < 3; i++) {
      await expectAppError(gw.anon.auth.login.mutate({ username: "ghost_user", password: "bad-password" }), ErrorCode.InvalidCredentials);
    }
    await expectAppError(gw.anon.auth.login.mutate({ username: "ghost_user", password: "bad-password" }), ErrorCode.RateLimited);

    // Other usernames are not affected.
    await gw.register("grace");
    expect((await gw.anon.auth.login.mutate({ username: "grace", password: PASSWORD })).user.username).toBe("grace");
  });

  it("sets an httpOnly SameSite=Strict cookie that authenticates, and clears it on logout", async () => {
    const res = await gw.fetch("auth.register", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username: "heidi", password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie()[0] ?? "";
    expect(cookie).toMatch(/^dim_session=[A-Za-z0-9_-]+; /);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");
    const body = (await res.json()) as { result: { data: { sessionToken: string } } };
    expect(cookie).toContain(`dim_session=${body.result.data.sessionToken};`);

    const pair = cookie.split(";")[0]!;
    const me = await gw.fetch("auth.me", { headers: { cookie: pair } });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { result: { data: { username: string } } }).result.data.username).toBe("heidi");

    const out = await gw.fetch("auth.logout", { method: "POST", headers: { cookie: pair, "content-type": "application/json" } });
    expect(out.status, await out.clone().text()).toBe(200);
    expect(out.headers.getSetCookie()[0]).toMatch(/^dim_session=; .*Max-Age=0/);
    expect((await gw.fetch("auth.me", { headers: { cookie: pair } })).status).toBe(401);
  });

  it("marks the cookie Secure behind https", async () => {
    const res = await gw.fetch("auth.login", {
      method: "POST",
      headers: { "content-type": "application/json", "x-forwarded-proto": "https" },
      body: JSON.stringify({ username: "heidi", password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()[0]).toContain("; Secure");
  });

  it("refuses expired sessions and junk tokens", async () => {
    const { session, client } = await gw.register("ivan");
    await gw.prisma.session.updateMany({ where: { userId: session.user.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expectAppError(client.auth.me.query(), ErrorCode.Unauthorized);
    await expectAppError(clientFor(gw.server.trpcUrl, "x".repeat(500)).auth.me.query(), ErrorCode.Unauthorized);
    await expectAppError(gw.anon.auth.me.query(), ErrorCode.Unauthorized);
  });

  it("logout without a session still succeeds", async () => {
    expect(await gw.anon.auth.logout.mutate()).toEqual({ ok: true });
  });
});

describe("auth throttling per IP and registration limits", () => {
  const gw = useTestGateway({ loginMaxAttempts: 100, loginMaxAttemptsPerIp: 4, registerMaxPerIp: 3 });

  it("throttles login per client IP across usernames", async () => {
    for (let i = 0; i < 4; i++) {
      await expectAppError(gw.anon.auth.login.mutate({ username: `user_${i}`, password: "bad-password" }), ErrorCode.InvalidCredentials);
    }
    await expectAppError(gw.anon.auth.login.mutate({ username: "user_9", password: "bad-password" }), ErrorCode.RateLimited);
  });

  it("limits registrations per IP", async () => {
    for (let i = 0; i < 3; i++) await gw.register(`reg_${i}`);
    const before = await gw.prisma.user.count();
    await expectAppError(gw.anon.auth.register.mutate({ username: "reg_x", password: PASSWORD }), ErrorCode.RateLimited);
    expect(await gw.prisma.user.count()).toBe(before);
  });
});

describe("auth behind a trusted proxy", () => {
  const gw = useTestGateway({ trustProxy: true, loginMaxAttempts: 100, loginMaxAttemptsPerIp: 2 });

  it("throttles per X-Forwarded-For address (the right-most entry)", async () => {
    const from = (xff: string) => clientFor(gw.server.trpcUrl, undefined, { "x-forwarded-for": xff });
    const a = from("10.0.0.1");
    for (let i = 0; i < 2; i++) {
      await expectAppError(a.auth.login.mutate({ username: "px_user", password: "bad-password" }), ErrorCode.InvalidCredentials);
    }
    await expectAppError(a.auth.login.mutate({ username: "px_user", password: "bad-password" }), ErrorCode.RateLimited);
    // A forged left-hand entry does not escape the limit…
    await expectAppError(
      from("203.0.113.7, 10.0.0.1").auth.login.mutate({ username: "px_user", password: "bad-password" }),
      ErrorCode.RateLimited,
    );
    // …while another client address has its own bucket.
    await expectAppError(
      from("10.0.0.2").auth.login.mutate({ username: "px_user", password: "bad-password" }),
      ErrorCode.InvalidCredentials,
    );
  });
});
