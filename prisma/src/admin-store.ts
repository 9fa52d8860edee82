/**
 * Admin role and audit, shared by the gateway's admin.* procedures and `npm run admin` (the CLI),
 * so both change the role and write the audit the same way. Each change and its audit row are
 * one transaction: an action is audited exactly when it happened.
 */
import { AppError, ErrorCode, type AdminAction } from "@dim/shared";
import type { Prisma, PrismaClient } from "../generated/client/client";

type Tx = Prisma.TransactionClient;

/** Who acted: an admin (id and username) or the CLI. */
export type AdminActor = { id: string; username: string } | { id: null; username: "cli" };
export const CLI_ACTOR: AdminActor = { id: null, username: "cli" };

export interface AuditInput {
  action: AdminAction;
  target?: { id: string; username: string } | null;
  /** A target that is not a user (a core node's id): stored as `target`, with no targetUserId. */
  targetName?: string;
  details?: Record<string, unknown>;
}

export async function recordAudit(db: Tx | PrismaClient, actor: AdminActor, entry: AuditInput): Promise<void> {
  await db.adminAudit.create({
    data: {
      actorId: actor.id,
      actor: actor.username,
      action: entry.action,
      targetUserId: entry.target?.id ?? null,
      target: entry.target?.username ?? entry.targetName ?? null,
      details: (entry.details ?? {}) as Prisma.InputJsonValue,
    },
  });
}

const unknownUser = (username: string) => new AppError(ErrorCode.NotFound, `no user is called '${username}'`);

/**
 * Grants or revokes the admin role. Idempotent (granting an admin changes nothing but is still
 * audited with `changed: false`). The last admin cannot be revoked: nobody could grant it back
 * but the CLI, and a lone admin revoking itself by mistake is the likely case.
 */
export async function setAdmin(
  prisma: PrismaClient,
  actor: AdminActor,
  username: string,
  isAdmin: boolean,
): Promise<{ userId: string; changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    const user = await tx.user.findUnique({ where: { username }, select: { id: true, username: true, isAdmin: true } });
    if (!user) throw unknownUser(username);
    if (!isAdmin && user.isAdmin) {
      const others = await tx.user.count({ where: { isAdmin: true, id: { not: user.id } } });
      if (others === 0) throw new AppError(ErrorCode.Conflict, `'${username}' is the last admin; grant another user first`);
    }
    const changed = user.isAdmin !== isAdmin;
    if (changed) await tx.user.update({ where: { id: user.id }, data: { isAdmin } });
    await recordAudit(tx, actor, { action: isAdmin ? "grant" : "revoke", target: user, details: { changed } });
    return { userId: user.id, changed };
  });
}

export async function listAdmins(prisma: PrismaClient): Promise<Array<{ id: string; username: string; disabledAt: Date | null }>> {
  return prisma.user.findMany({
    where: { isAdmin: true },
    select: { id: true, username: true, disabledAt: true },
    orderBy: { username: "asc" },
  });
}
