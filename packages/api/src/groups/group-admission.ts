/**
 * Who may join a group, checked inside the change's transaction before anything is written:
 * every new member is a contact of the person adding them, the group stays within
 * DIM_GROUP_MAX_MEMBERS and each new member within DIM_GROUPS_PER_USER_MAX. The per-user count is
 * taken under one advisory lock per user (in id order, so two transactions never deadlock), so
 * two groups adding the same user at once cannot both pass its limit.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { noBlockBetween, Prisma } from "@dim/db";
import type { Tx } from "../db";

/**
 * FORBIDDEN listing the ids that are not contacts of `me` (unknown users included: no existence
 * leak). A contact either side blocked counts as none: nobody is put in a group with someone who
 * blocked them, and the answer does not say why.
 */
export async function requireContacts(tx: Tx, me: string, userIds: string[]): Promise<void> {
  if (userIds.length === 0) return;
  const rows = await tx.$queryRaw<Array<{ peer_id: string }>>`
    SELECT c.peer_id::text FROM contacts c
    WHERE c.owner_id = ${me}::uuid AND c.peer_id = ANY(${userIds}::uuid[]) AND ${Prisma.raw(noBlockBetween("c.owner_id", "c.peer_id"))}`;
  const contacts = new Set(rows.map((r) => r.peer_id));
  const strangers = userIds.filter((id) => !contacts.has(id));
  if (strangers.length > 0) {
    throw new AppError(ErrorCode.Forbidden, "you can only add your contacts to a group", { userIds: strangers });
  }
}

/** LIMIT_EXCEEDED when `activeCount + adding` passes the group's limit. */
export function requireRoomInGroup(activeCount: number, adding: number, maxMembers: number): void {
  if (activeCount + adding > maxMembers) {
    throw new AppError(ErrorCode.LimitExceeded, `a group holds at most ${maxMembers} members`, {
      limit: maxMembers,
      members: activeCount,
    });
  }
}

/**
 * Locks the users' group counts until the transaction ends, then LIMIT_EXCEEDED listing the users
 * already in `maxGroups` groups (active memberships of groups other than the one they join).
 */
export async function requireRoomForUsers(tx: Tx, userIds: string[], maxGroups: number): Promise<void> {
  if (userIds.length === 0) return;
  await tx.$queryRaw`
    SELECT count(*)::int AS locked FROM (SELECT u FROM unnest(${userIds}::uuid[]) AS u ORDER BY u) s
    CROSS JOIN LATERAL pg_advisory_xact_lock(hashtextextended('dim:groups-of:' || s.u::text, 0)) l`;
  const full = await tx.$queryRaw<Array<{ user_id: string }>>`
    SELECT m.user_id::text FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.user_id = ANY(${userIds}::uuid[]) AND m.left_seq IS NULL AND c.kind = 'group'
    GROUP BY m.user_id HAVING count(*) >= ${maxGroups}`;
  if (full.length > 0) {
    throw new AppError(ErrorCode.LimitExceeded, `a user can be in at most ${maxGroups} groups`, {
      limit: maxGroups,
      userIds: full.map((r) => r.user_id),
    });
  }
}
