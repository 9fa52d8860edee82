import { randomUUID } from "node:crypto";
import { isUniqueViolation } from "@dim/db";
import { AppError, ErrorCode, loginInput, meOutput, okOutput, registerInput, sessionOutput } from "@dim/shared";
import { dummyPasswordHash, hashPassword, verifyPassword } from "../auth/password";
import { rateLimited } from "../auth/rate-limiter";
import { announceSessionEnded } from "../auth/announce-session-ended";
import { createUser } from "../auth/create-user";
import { createSession, deleteExpiredSessions, deleteSession, SESSION_COOKIE, toPublicUser } from "../auth/session";
import type { Context } from "../context";
import { serializeCookie } from "../http/cookies";
import { authedProcedure, createTRPCRouter, publicProcedure } from "../trpc";

function setSessionCookie(ctx: Context, token: string, expiresAt: Date): void {
  ctx.resHeaders.append(
    "Set-Cookie",
    serializeCookie(SESSION_COOKIE, token, {
      maxAgeSeconds: (expiresAt.getTime() - Date.now()) / 1000,
      secure: ctx.secure,
    }),
  );
}

async function startSession(ctx: Context, user: { id: string; username: string; displayName: string; avatarUrl: string | null }) {
  const origin = { userAgent: ctx.userAgent, ip: ctx.clientIp };
  const { token, expiresAt } = await createSession(ctx.prisma, user.id, ctx.config.sessionTtlMs, origin);
  setSessionCookie(ctx, token, expiresAt);
  return { user: toPublicUser(user), sessionToken: token, expiresAt: expiresAt.toISOString() };
}

export const authRouter = createTRPCRouter({
  /** Creates an account and signs it in. The first account ever registered is an admin. */
  register: publicProcedure
    .input(registerInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const limiter = ctx.limiters.registerByIp;
      if (limiter && ctx.clientIp) {
        const r = await limiter.take(ctx.clientIp);
        if (!r.ok) throw rateLimited(r.retryAfterMs, "registrations from this address");
      }
      const taken = () => new AppError(ErrorCode.UsernameTaken, `the username '${input.username}' is taken`);
      if (await ctx.prisma.user.findUnique({ where: { username: input.username }, select: { id: true } })) {
        throw taken();
      }
      const passwordHash = await hashPassword(input.password);
      let user;
      try {
        user = await createUser(ctx.prisma, {
          id: randomUUID(),
          username: input.username,
          passwordHash,
          displayName: input.displayName ?? input.username,
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw taken();
        throw err;
      }
      ctx.log.info({ userId: user.id, isAdmin: user.isAdmin }, "user registered");
      return startSession(ctx, user);
    }),

  /**
   * Wrong password and unknown user get the same error after the same work (an argon2 verify
   * against a dummy hash). Throttled per username and per client IP, across every gateway (the shared RateStore). A disabled
   * account gets ACCOUNT_DISABLED, but only with the right password: without it, it is told
   * apart from no other account.
   */
  login: publicProcedure
    .input(loginInput)
    .output(sessionOutput)
    .mutation(async ({ ctx, input }) => {
      const username = input.username; // trimmed and lower-cased by loginInput
      const { loginByUsername, loginByIp } = ctx.limiters;
      const ip = ctx.clientIp;
      const [byName, byIp] = await Promise.all([loginByUsername.check(username), ip ? loginByIp.check(ip) : 0]);
      const wait = Math.max(byName, byIp);
      if (wait > 0) throw rateLimited(wait, "login attempts");
      // Another gateway may have taken the last token since the check: a refused take refuses
      // this login too (rare: a race between processes; the other bucket's token stays spent).
      const [nameTurn, ipTurn] = await Promise.all([loginByUsername.take(username), ip ? loginByIp.take(ip) : ({ ok: true } as const)]);
      if (!nameTurn.ok || !ipTurn.ok) {
        throw rateLimited(Math.max(nameTurn.ok ? 0 : nameTurn.retryAfterMs, ipTurn.ok ? 0 : ipTurn.retryAfterMs), "login attempts");
      }

      const user = await ctx.prisma.user.findUnique({ where: { username } });
      const ok = await verifyPassword(user?.passwordHash ?? (await dummyPasswordHash()), input.password);
      if (!user || !ok) {
        ctx.log.info({ username }, "login failed");
        throw new AppError(ErrorCode.InvalidCredentials, "wrong username or password");
      }
      await loginByUsername.reset(username);
      if (user.disabledAt) {
        ctx.log.info({ userId: user.id }, "login refused: account disabled");
        throw new AppError(ErrorCode.AccountDisabled, "this account is disabled; ask an administrator");
      }
      await deleteExpiredSessions(ctx.prisma, user.id);
      ctx.log.info({ userId: user.id }, "user logged in");
      return startSession(ctx, user);
    }),

  /**
   * Ends the current session (if any) and clears the cookie. Always succeeds. The core nodes close
   * the session's open sockets (SessionEnded) and refuse its socket tokens from now on.
   */
  logout: publicProcedure.output(okOutput).mutation(async ({ ctx }) => {
    const ended = ctx.sessionToken ? await deleteSession(ctx.sql, ctx.sessionToken) : null;
    if (ended && ctx.bus) await announceSessionEnded({ bus: ctx.bus, registry: ctx.registry, logger: ctx.log }, ended);
    ctx.resHeaders.append("Set-Cookie", serializeCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: ctx.secure }));
    return { ok: true as const };
  }),

  /** The signed-in user, and whether the PWA should offer the admin page. */
  me: authedProcedure.output(meOutput).query(({ ctx }) => ({ ...ctx.user, isAdmin: ctx.session.isAdmin })),
});
