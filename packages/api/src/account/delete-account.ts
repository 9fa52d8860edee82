/**
 * account.delete. Decisions (docs/protocol.md, account.delete):
 * - The messages stay: the users row is kept (messages keep their sender) but anonymised — shown
 *   as "Deleted user", no status, no avatar, a password hash that never verifies — and marked
 *   deleted_at. The username is freed (renamed to `deleted_<24 hex of the id>`), so it can be
 *   registered again; search never finds deleted users.
 * - Groups: the user leaves each one (a `member.left` system message). An owner with others left
 *   first hands the group to the longest-standing admin, else the longest-standing member.
 * - Contacts and contact requests, both ways, are removed; direct conversations stay readable by
 *   the other member (with "Deleted user").
 * - Every session is deleted and its sockets closed on every node (SessionEnded, 4402).
 * Each group step commits on its own; a failure part-way leaves the account usable and the call
 * can be repeated (it picks up the groups still left).
 */
import type { Context } from "../context";
import { MemoryRateStore } from "@dim/infra";
import { RateLimiter } from "../auth/rate-limiter";
import { transferOwnership } from "../groups/change-group";
import { leaveGroup } from "../groups/end-membership";
import type { GroupContext } from "../groups/group-transaction";
import { announceEnded } from "./end-sessions";
import { toPublicUser } from "../auth/session";
import { announceContacts } from "../contacts/contact-events";

export const DELETED_DISPLAY_NAME = "Deleted user";

/** Leaving groups on deletion is not the user's own group writing: it is never throttled. */
const unthrottled = new RateLimiter(new MemoryRateStore(), "account-delete-groups", { capacity: 1_000_000, windowMs: 1000 });

async function leaveEveryGroup(ctx: Context, userId: string): Promise<number> {
  const groupCtx: GroupContext = { ...ctx, limiters: { ...ctx.limiters, groupWritesByUser: unthrottled } };
  const groups = await ctx.prisma.$queryRaw<Array<{ id: string; role: string; successor: string | null }>>`
    SELECT m.conversation_id::text AS id, m.role::text AS role,
      (SELECT o.user_id::text FROM conversation_members o
        WHERE o.conversation_id = m.conversation_id AND o.left_seq IS NULL AND o.user_id <> m.user_id
        ORDER BY (o.role = 'admin') DESC, o.joined_seq, o.joined_at, o.user_id LIMIT 1) AS successor
    FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.user_id = ${userId}::uuid AND m.left_seq IS NULL AND c.kind = 'group'`;
  for (const g of groups) {
    if (g.role === "owner" && g.successor) {
      await transferOwnership(groupCtx, userId, { conversationId: g.id, userId: g.successor });
    }
    await leaveGroup(groupCtx, userId, { conversationId: g.id });
  }
  return groups.length;
}

export async function deleteAccount(ctx: Context, userId: string): Promise<void> {
  const groups = await leaveEveryGroup(ctx, userId);
  const hexId = userId.replace(/-/g, "").slice(0, 24);
  const { sessionIds, former, self } = await ctx.prisma.$transaction(async (tx) => {
    const former = await tx.$queryRaw<Array<{ peer_id: string; conversation_id: string }>>`
      DELETE FROM contacts WHERE owner_id = ${userId}::uuid OR peer_id = ${userId}::uuid
      RETURNING (CASE WHEN owner_id = ${userId}::uuid THEN peer_id ELSE owner_id END)::text AS peer_id, conversation_id::text`;
    await tx.$executeRaw`DELETE FROM user_blocks WHERE blocker_id = ${userId}::uuid OR blocked_id = ${userId}::uuid`;
    await tx.$executeRaw`DELETE FROM contact_requests WHERE from_user_id = ${userId}::uuid OR to_user_id = ${userId}::uuid`;
    const sessions = await tx.$queryRaw<Array<{ id: string }>>`
      DELETE FROM sessions WHERE user_id = ${userId}::uuid RETURNING id::text AS id`;
    await tx.$executeRaw`
      UPDATE users SET username = ${`deleted_${hexId}`}, display_name = ${DELETED_DISPLAY_NAME}, status_text = '',
        avatar_id = NULL, password_hash = '!', hide_last_seen = true, deleted_at = now()
      WHERE id = ${userId}::uuid`;
    const self = toPublicUser(await tx.user.findUniqueOrThrow({ where: { id: userId } }));
    return { sessionIds: sessions.map((s) => s.id), former, self };
  });
  ctx.log.info({ userId, groups, sessions: sessionIds.length }, "account deleted");
  await announceEnded(ctx, userId, sessionIds);
  // Former contacts: their direct conversation with the deleted user is read-only from now on.
  const peers = [...new Set(former.map((f) => f.peer_id))];
  for (const conversationId of new Set(former.map((f) => f.conversation_id))) await ctx.contactEvents.directChanged(conversationId);
  await announceContacts(ctx.contactEvents, ctx.log, [{ to: peers, event: "removed", user: self }]);
}
