/**
 * contacts.block / contacts.unblock / contacts.blocked. A block is one row (blocker, blocked);
 * the store reads it inside every direct append (append-sql.ts directGate), presence reads it
 * for every watcher list, contacts.request reads it. What the blocked user sees: nothing is
 * pushed to them; their requests and direct messages to the blocker get the answers a stranger
 * gets (FORBIDDEN), and the blocker appears offline without last seen. The contact rows stay:
 * unblocking restores everything as it was. Both calls are idempotent.
 */
import type { BlockedUser } from "@dim/shared";
import { toPublicUser } from "../auth/session";
import type { Context } from "../context";
import { lockKey, type Tx } from "../db";
import { directKey } from "./accept-in-tx";
import { announceContacts } from "./contact-events";
import { contactPeer } from "./contact-peer";
import { hidePresenceFrom } from "./hide-presence";

/** Most blocked users listed. */
const MAX_LISTED_BLOCKS = 1000;

/** The pair's direct conversation, its row locked (appends wait: a send is ordered before or after). */
async function lockDirect(tx: Tx, me: string, peerId: string): Promise<string | null> {
  await lockKey(tx, directKey(me, peerId));
  const [row] = await tx.$queryRaw<Array<{ id: string }>>`
    SELECT id::text FROM conversations WHERE direct_key = ${directKey(me, peerId)} FOR NO KEY UPDATE`;
  return row?.id ?? null;
}

export async function blockUser(ctx: Context, me: string, peerId: string): Promise<void> {
  const peer = await contactPeer(ctx.prisma, me, peerId, "block");
  const { created, conversationId, self } = await ctx.prisma.$transaction(async (tx) => {
    const conversationId = await lockDirect(tx, me, peer.id);
    const { count } = await tx.userBlock.createMany({ data: [{ blockerId: me, blockedId: peer.id }], skipDuplicates: true });
    // Pending requests either way end, silently (to the blocked user, as a decline that never came).
    await tx.contactRequest.updateMany({
      where: { status: "pending", OR: [{ fromUserId: me, toUserId: peer.id }, { fromUserId: peer.id, toUserId: me }] },
      data: { status: "declined", decidedAt: new Date() },
    });
    const self = toPublicUser(await tx.user.findUniqueOrThrow({ where: { id: me } }));
    return { created: count > 0, conversationId, self };
  });
  if (!created) return; // blocked already: nothing changed
  ctx.log.info({ peerId: peer.id }, "user blocked");
  await announceContacts(ctx.contactEvents, ctx.log, [{ to: [me], event: "blocked", user: peer }], conversationId ?? undefined);
  await hidePresenceFrom(ctx, self, peer.id);
}

export async function unblockUser(ctx: Context, me: string, peerId: string): Promise<void> {
  const peer = await contactPeer(ctx.prisma, me, peerId, "unblock");
  const { count, conversationId } = await ctx.prisma.$transaction(async (tx) => {
    const conversationId = await lockDirect(tx, me, peer.id);
    const { count } = await tx.userBlock.deleteMany({ where: { blockerId: me, blockedId: peer.id } });
    return { count, conversationId };
  });
  if (count === 0) return; // not blocked: nothing changed
  ctx.log.info({ peerId: peer.id }, "user unblocked");
  await announceContacts(ctx.contactEvents, ctx.log, [{ to: [me], event: "unblocked", user: peer }], conversationId ?? undefined);
}

export async function listBlocked(ctx: Context, me: string): Promise<BlockedUser[]> {
  const rows = await ctx.prisma.userBlock.findMany({
    where: { blockerId: me },
    include: { blocked: true },
    orderBy: { createdAt: "desc" },
    take: MAX_LISTED_BLOCKS,
  });
  return rows.map((r) => ({ user: toPublicUser(r.blocked), since: r.createdAt.toISOString() }));
}

/** True when either user blocked the other. */
export async function blockedEitherWay(db: Tx, a: string, b: string): Promise<{ byMe: boolean; byPeer: boolean }> {
  const rows = await db.userBlock.findMany({
    where: { OR: [{ blockerId: a, blockedId: b }, { blockerId: b, blockedId: a }] },
    select: { blockerId: true },
  });
  return { byMe: rows.some((r) => r.blockerId === a), byPeer: rows.some((r) => r.blockerId === b) };
}

