/**
 * The first step of every group change, inside its transaction: lock the conversation row (FOR NO
 * KEY UPDATE, the lock the store's appends take, so changes and sends are serialised and seq
 * stays gap-free), then read the caller's membership. The reads come in a second statement, after
 * the lock: under READ COMMITTED it sees every change committed before the lock was granted.
 */
import { AppError, ErrorCode, type MemberRole } from "@dim/shared";
import type { Tx } from "../db";

export interface LockedGroup {
  id: string;
  title: string;
  lastSeq: number;
  membershipSeq: number;
  /** Active members, the caller included. */
  activeCount: number;
  myRole: MemberRole;
}

/** The same answer for an unknown conversation, a direct one and one you are not (or no longer) in: no existence leak. */
export const notAGroupMember = () => new AppError(ErrorCode.Forbidden, "you are not a member of this group");

export async function loadGroupForUpdate(tx: Tx, conversationId: string, me: string): Promise<LockedGroup> {
  const [locked] = await tx.$queryRaw<Array<{ kind: string; title: string | null; last_seq: bigint; membership_seq: bigint }>>`
    SELECT kind::text, title, last_seq, membership_seq FROM conversations WHERE id = ${conversationId}::uuid FOR NO KEY UPDATE`;
  if (!locked || locked.kind !== "group") throw notAGroupMember();
  const [mine] = await tx.$queryRaw<Array<{ role: MemberRole | null; active: bigint }>>`
    SELECT (SELECT role::text FROM conversation_members
             WHERE conversation_id = ${conversationId}::uuid AND user_id = ${me}::uuid AND left_seq IS NULL) AS role,
           (SELECT count(*) FROM conversation_members WHERE conversation_id = ${conversationId}::uuid AND left_seq IS NULL) AS active`;
  if (!mine?.role) throw notAGroupMember();
  return {
    id: conversationId,
    title: locked.title ?? "",
    lastSeq: Number(locked.last_seq),
    membershipSeq: Number(locked.membership_seq),
    activeCount: Number(mine.active),
    myRole: mine.role,
  };
}

export interface MemberRow {
  userId: string;
  role: MemberRole;
  /** null while active. */
  leftSeq: number | null;
}

/** The rows of these users in the (locked) conversation, active or former; absent ones were never members. */
export async function memberRows(tx: Tx, conversationId: string, userIds: string[]): Promise<Map<string, MemberRow>> {
  const rows = await tx.$queryRaw<Array<{ user_id: string; role: MemberRole; left_seq: bigint | null }>>`
    SELECT user_id::text, role::text, left_seq FROM conversation_members
    WHERE conversation_id = ${conversationId}::uuid AND user_id = ANY(${userIds}::uuid[])`;
  return new Map(rows.map((r) => [r.user_id, { userId: r.user_id, role: r.role, leftSeq: r.left_seq === null ? null : Number(r.left_seq) }]));
}

/** The active member `userId` of the locked group; NOT_FOUND when it is not one. */
export async function activeMember(tx: Tx, conversationId: string, userId: string): Promise<MemberRow> {
  const row = (await memberRows(tx, conversationId, [userId])).get(userId);
  if (!row || row.leftSeq !== null) throw new AppError(ErrorCode.NotFound, "no active member of this group has that id");
  return row;
}

/** Ids of the active members, in no particular order. */
export async function activeMemberIds(tx: Tx, conversationId: string): Promise<string[]> {
  const rows = await tx.$queryRaw<Array<{ user_id: string }>>`
    SELECT user_id::text FROM conversation_members WHERE conversation_id = ${conversationId}::uuid AND left_seq IS NULL`;
  return rows.map((r) => r.user_id);
}
