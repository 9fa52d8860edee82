/**
 * account.updateProfile and account.setAvatar: the caller's own display name, status line and
 * avatar. An avatar is one of the caller's own unsent image uploads (POST /api/files, which
 * already refuses oversize and lying bytes); binding it keeps it from the unsent-upload sweep, and
 * the one it replaces, unsent and nobody's avatar any more, is collected by that sweep.
 */
import { AppError, ErrorCode, type PublicUser } from "@dim/shared";
import type { Context } from "../context";
import { publicUserOfRow, USER_COLUMNS, type UserRow } from "../auth/session";
import { Prisma } from "@dim/db";
import { announceProfile } from "../contacts/announce-profile";

async function reload(ctx: Context, userId: string): Promise<PublicUser> {
  const [row] = await ctx.prisma.$queryRaw<UserRow[]>`SELECT ${Prisma.raw(USER_COLUMNS)} FROM users u WHERE u.id = ${userId}::uuid`;
  if (!row) throw new AppError(ErrorCode.Unauthorized, "not signed in, or the session expired");
  return publicUserOfRow(row);
}

export async function updateProfile(
  ctx: Context,
  userId: string,
  input: { displayName?: string | undefined; statusText?: string | undefined },
): Promise<PublicUser> {
  await ctx.prisma.user.update({
    where: { id: userId },
    data: {
      ...(input.displayName !== undefined ? { displayName: input.displayName } : {}),
      ...(input.statusText !== undefined ? { statusText: input.statusText } : {}),
    },
  });
  ctx.log.info({ changed: Object.keys(input) }, "profile updated");
  const user = await reload(ctx, userId);
  await announceProfile(ctx, user);
  return user;
}

/**
 * NOT_FOUND for an id that is not the caller's own unsent upload (someone else's, a sent one, none:
 * the same answer, so ids cannot be probed); INVALID_ATTACHMENT (reason not_an_image) for a file.
 */
export async function setAvatar(ctx: Context, userId: string, attachmentId: string | null): Promise<PublicUser> {
  if (attachmentId !== null) {
    const upload = await ctx.prisma.attachment.findFirst({
      where: { id: attachmentId, ownerId: userId, messageId: null },
      select: { kind: true },
    });
    if (!upload) throw new AppError(ErrorCode.NotFound, "no such upload of yours");
    if (upload.kind !== "image") {
      throw new AppError(ErrorCode.InvalidAttachment, "an avatar must be an image", { reason: "not_an_image" });
    }
  }
  // One statement re-checks the upload, so a sweep that took it since the check cannot bind a ghost.
  const bound = await ctx.prisma.$executeRaw`
    UPDATE users SET avatar_id = ${attachmentId}::uuid
    WHERE id = ${userId}::uuid AND (${attachmentId}::uuid IS NULL OR EXISTS (
      SELECT 1 FROM attachments a WHERE a.id = ${attachmentId}::uuid AND a.owner_id = ${userId}::uuid AND a.message_id IS NULL
        FOR KEY SHARE))`;
  if (bound === 0) throw new AppError(ErrorCode.NotFound, "no such upload of yours");
  ctx.log.info({ attachmentId }, "avatar set");
  const user = await reload(ctx, userId);
  await announceProfile(ctx, user);
  return user;
}
