/**
 * SQL fragments the one-row appends share (the text append in append-batcher.ts and the
 * attachment append in append-attachment.ts), so their membership rules cannot drift apart.
 * Parameters: $1 conversation id, $2 sender id.
 */

/** `snap`: the statement snapshot's view of the conversation — membership_seq, kind, and whether the sender is an active member. */
export const SNAPSHOT_CTE = `snap AS (
    SELECT c.membership_seq, c.kind::text AS conversation_kind, EXISTS (
      SELECT 1 FROM conversation_members
      WHERE conversation_id = $1::uuid AND user_id = $2::uuid AND left_seq IS NULL
    ) AS ok
    FROM conversations c WHERE c.id = $1::uuid
  )`;

/** The active members' ids (the fan-out's recipients), in join order. */
export const ACTIVE_MEMBER_IDS = `ARRAY(
           SELECT user_id::text FROM conversation_members
           WHERE conversation_id = $1::uuid AND left_seq IS NULL ORDER BY joined_at, user_id
         ) AS member_ids`;
