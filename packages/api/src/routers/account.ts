import {
  AppError,
  changePasswordInput,
  deleteAccountInput,
  ErrorCode,
  okOutput,
  publicUser,
  sessionIdInput,
  sessionsOutput,
  setAvatarInput,
  signedOutOutput,
  updateProfileInput,
} from "@dim/shared";
import { deleteAccount } from "../account/delete-account";
import { announceEnded, deleteOtherSessions, deleteOwnSession } from "../account/end-sessions";
import { listSessions } from "../account/list-sessions";
import { setAvatar, updateProfile } from "../account/profile";
import { verifyOwnPassword } from "../account/verify-own-password";
import { hashPassword } from "../auth/password";
import { SESSION_COOKIE } from "../auth/session";
import { serializeCookie } from "../http/cookies";
import { authedProcedure, createTRPCRouter } from "../trpc";

/** The caller's own account: profile, password, sessions, deletion (docs/protocol.md "account.*"). */
export const accountRouter = createTRPCRouter({
  updateProfile: authedProcedure
    .input(updateProfileInput)
    .output(publicUser)
    .mutation(({ ctx, input }) => updateProfile(ctx, ctx.user.id, input)),

  setAvatar: authedProcedure
    .input(setAvatarInput)
    .output(publicUser)
    .mutation(({ ctx, input }) => setAvatar(ctx, ctx.user.id, input.attachmentId)),

  /** Keeps the calling session; every other one is signed out. */
  changePassword: authedProcedure
    .input(changePasswordInput)
    .output(signedOutOutput)
    .mutation(async ({ ctx, input }) => {
      await verifyOwnPassword(ctx, ctx.user, input.currentPassword);
      const passwordHash = await hashPassword(input.newPassword);
      const ended = await ctx.prisma.$transaction(async (tx) => {
        await tx.user.update({ where: { id: ctx.user.id }, data: { passwordHash } });
        const rows = await tx.$queryRaw<Array<{ id: string }>>`
          DELETE FROM sessions WHERE user_id = ${ctx.user.id}::uuid AND id <> ${ctx.session.sessionId}::uuid RETURNING id::text AS id`;
        return rows.map((r) => r.id);
      });
      ctx.log.info({ signedOut: ended.length }, "password changed");
      await announceEnded(ctx, ctx.user.id, ended);
      return { signedOut: ended.length };
    }),

  sessions: authedProcedure.output(sessionsOutput).query(({ ctx }) => listSessions(ctx.prisma, ctx.user.id, ctx.session.sessionId)),

  /** Another user's session id gets NOT_FOUND, as one that does not exist. Your current one: signed out too. */
  signOutSession: authedProcedure
    .input(sessionIdInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (!(await deleteOwnSession(ctx.sql, ctx.user.id, input.sessionId))) {
        throw new AppError(ErrorCode.NotFound, "no such session of yours");
      }
      if (input.sessionId === ctx.session.sessionId) {
        ctx.resHeaders.append("Set-Cookie", serializeCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: ctx.secure }));
      }
      ctx.log.info({ endedSessionId: input.sessionId }, "session signed out");
      await announceEnded(ctx, ctx.user.id, [input.sessionId]);
      return { ok: true as const };
    }),

  signOutOthers: authedProcedure.output(signedOutOutput).mutation(async ({ ctx }) => {
    const ended = await deleteOtherSessions(ctx.sql, ctx.user.id, ctx.session.sessionId);
    ctx.log.info({ signedOut: ended.length }, "other sessions signed out");
    await announceEnded(ctx, ctx.user.id, ended);
    return { signedOut: ended.length };
  }),

  delete: authedProcedure
    .input(deleteAccountInput)
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      await verifyOwnPassword(ctx, ctx.user, input.password);
      await deleteAccount(ctx, ctx.user.id);
      ctx.resHeaders.append("Set-Cookie", serializeCookie(SESSION_COOKIE, "", { maxAgeSeconds: 0, secure: ctx.secure }));
      return { ok: true as const };
    }),
});
