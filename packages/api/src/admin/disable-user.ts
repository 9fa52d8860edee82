/**
 * Disabling an account: in one transaction the user is marked disabled, every session of it is
 * deleted and the action audited; then every live node is told (`session.ended`, as at logout)
 * to close the sockets of each of those sessions with SessionEnded (4402). A socket token issued
 * before is refused at `auth` since its session is gone, and login answers ACCOUNT_DISABLED.
 */
import { recordAudit, type AdminActor } from "@dim/db";
import { AppError, ErrorCode } from "@dim/shared";
import { announceSessionEnded } from "../auth/announce-session-ended";
import type { Context } from "../context";

const noSuchUser = () => new AppError(ErrorCode.NotFound, "no such user");

export async function disableUser(ctx: Context, actor: AdminActor & { id: string }, userId: string) {
  if (userId === actor.id) throw new AppError(ErrorCode.Conflict, "you cannot disable your own account");
  const { disabledAt, ended } = await ctx.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true, disabledAt: true } });
    if (!user) throw noSuchUser();
    const at = user.disabledAt ?? new Date();
    if (!user.disabledAt) await tx.user.update({ where: { id: userId }, data: { disabledAt: at } });
    const sessions = await tx.session.findMany({ where: { userId }, select: { id: true } });
    await tx.session.deleteMany({ where: { userId } });
    await recordAudit(tx, actor, {
      action: "disable",
      target: user,
      details: { sessionsEnded: sessions.length, alreadyDisabled: user.disabledAt !== null },
    });
    return { disabledAt: at, ended: sessions.map((s) => s.id) };
  });
  if (ctx.bus) {
    const deps = { bus: ctx.bus, registry: ctx.registry, logger: ctx.log };
    await Promise.all(ended.map((sessionId) => announceSessionEnded(deps, { sessionId, userId })));
  }
  ctx.log.info({ targetUserId: userId, sessionsEnded: ended.length }, "user disabled");
  return { disabledAt: disabledAt.toISOString(), sessionsEnded: ended.length };
}

export async function enableUser(ctx: Context, actor: AdminActor, userId: string) {
  await ctx.prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { id: userId }, select: { id: true, username: true, disabledAt: true } });
    if (!user) throw noSuchUser();
    if (user.disabledAt) {
      // A session created in a race with the disabling stayed dead while disabled; it must not
      // come back to life now: the user signs in again.
      await tx.session.deleteMany({ where: { userId } });
      await tx.user.update({ where: { id: userId }, data: { disabledAt: null } });
    }
    await recordAudit(tx, actor, { action: "enable", target: user, details: { wasDisabled: user.disabledAt !== null } });
  });
  ctx.log.info({ targetUserId: userId }, "user enabled");
  return { ok: true as const };
}
