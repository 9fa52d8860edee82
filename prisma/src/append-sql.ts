/**
 * SQL fragments the appends share (the text appends in append-batcher.ts, the attachment append
 * in append-attachment.ts, the events in append-event.ts), so their membership and direct
 * conversation rules cannot drift apart. Parameters: $1 conversation id, $2 sender id.
 */
import { AppError, ErrorCode } from "@dim/shared";

/**
 * Why a member may not write to a direct conversation, or NULL (a group, or a direct
 * conversation whose two users are contacts and neither blocked the other). One text value:
 * - 'deleted': the peer deleted their account;
 * - 'removed': the sender has no contact row for the peer (either removed the other);
 * - 'hidden': the peer blocked the sender (answered as to a non-member: FORBIDDEN);
 * - 'blocked': the sender blocked the peer.
 * 'removed' is tested before 'hidden', so a removed user learns nothing more from a block.
 * Key lookups only: conversations by id, the other member, contacts and user_blocks by primary key.
 */
export function directGate(conversation: string, sender: string): string {
  return `(SELECT CASE
      WHEN pu.deleted_at IS NOT NULL THEN 'deleted'
      WHEN NOT EXISTS (SELECT 1 FROM contacts k WHERE k.owner_id = ${sender} AND k.peer_id = p.user_id) THEN 'removed'
      WHEN EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = p.user_id AND b.blocked_id = ${sender}) THEN 'hidden'
      WHEN EXISTS (SELECT 1 FROM user_blocks b WHERE b.blocker_id = ${sender} AND b.blocked_id = p.user_id) THEN 'blocked'
    END
    FROM conversations dc
    JOIN conversation_members p ON p.conversation_id = dc.id AND p.user_id <> ${sender}
    JOIN users pu ON pu.id = p.user_id
    WHERE dc.id = ${conversation} AND dc.kind = 'direct' LIMIT 1)`;
}

/**
 * Whether a direct conversation is open for writing both ways (the node's member cache keeps it:
 * typing is relayed only in an open one). Always true for a group.
 */
export function directOpen(conversation: string): string {
  return `NOT EXISTS (
      SELECT 1 FROM conversations dc
      JOIN conversation_members a ON a.conversation_id = dc.id
      JOIN conversation_members b ON b.conversation_id = dc.id AND b.user_id <> a.user_id
      WHERE dc.id = ${conversation} AND dc.kind = 'direct' AND (
        NOT EXISTS (SELECT 1 FROM contacts k WHERE k.owner_id = a.user_id AND k.peer_id = b.user_id)
        OR EXISTS (SELECT 1 FROM user_blocks x WHERE x.blocker_id = a.user_id AND x.blocked_id = b.user_id)))`;
}

/** The one answer to a sender who is not an active member — and to one its direct peer blocked. */
export const notMember = (): AppError => new AppError(ErrorCode.Forbidden, "not a member of this conversation");

/** The error for a directGate value (null: may write). */
export function gateError(gate: string | null | undefined): AppError | null {
  switch (gate) {
    case null:
    case undefined:
      return null;
    case "hidden":
      return notMember();
    case "deleted":
      return new AppError(ErrorCode.ReadOnly, "this user deleted their account: the conversation is read-only");
    case "removed":
      return new AppError(ErrorCode.ReadOnly, "you are no longer contacts: send a contact request to write again");
    case "blocked":
      return new AppError(ErrorCode.ReadOnly, "you blocked this user: unblock them to write");
    default:
      return new AppError(ErrorCode.Internal, "unknown conversation gate");
  }
}

/** `snap`: the statement snapshot's view of the conversation — membership_seq, kind, whether the sender is an active member, and its direct gate. */
export const SNAPSHOT_CTE = `snap AS (
    SELECT c.membership_seq, c.kind::text AS conversation_kind, EXISTS (
      SELECT 1 FROM conversation_members
      WHERE conversation_id = $1::uuid AND user_id = $2::uuid AND left_seq IS NULL
    ) AS ok, ${directGate("$1::uuid", "$2::uuid")} AS gate
    FROM conversations c WHERE c.id = $1::uuid
  )`;

/** The active members' ids (the fan-out's recipients), in join order. */
export const ACTIVE_MEMBER_IDS = `ARRAY(
           SELECT user_id::text FROM conversation_members
           WHERE conversation_id = $1::uuid AND left_seq IS NULL ORDER BY joined_at, user_id
         ) AS member_ids`;
