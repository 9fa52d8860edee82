/**
 * The other user of a contacts.block / unblock / remove call: NOT_FOUND when there is no such
 * user or it was deleted (the same answer), BAD_REQUEST (`details.reason: "self"`) for yourself.
 */
import { AppError, ErrorCode, type PublicUser } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Db } from "../db";

export async function contactPeer(prisma: Db, me: string, peerId: string, verb: string): Promise<PublicUser> {
  if (peerId.toLowerCase() === me.toLowerCase()) throw new AppError(ErrorCode.BadRequest, `you cannot ${verb} yourself`, { reason: "self" });
  const row = await prisma.user.findFirst({ where: { id: peerId, deletedAt: null } });
  if (!row) throw new AppError(ErrorCode.NotFound, "no such user");
  return toPublicUser(row);
}
