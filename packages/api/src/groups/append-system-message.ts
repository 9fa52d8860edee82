/**
 * Appends a `system` message (a group or membership change) inside the change's transaction,
 * exactly as the store appends: the seq is last_seq + 1, taken by the UPDATE of the conversation
 * row, whose lock the transaction already holds (loadGroupForUpdate) or which it just created.
 * A membership event also moves membership_seq to that seq, in the same UPDATE.
 */
import { randomUUID } from "node:crypto";
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from "@dim/db";
import { MEMBERSHIP_EVENT_TYPES, systemEvent, type Message, type SystemEvent } from "@dim/shared";
import type { Tx } from "../db";

/** "sys-" + a UUID without dashes (36 characters: a valid clientMsgId, never one a client made). */
export function systemClientMsgId(): string {
  return `sys-${randomUUID().replace(/-/g, "")}`;
}

export async function appendSystemMessage(tx: Tx, conversationId: string, actorId: string, event: SystemEvent): Promise<Message> {
  const checked = systemEvent.parse(event);
  const moves = MEMBERSHIP_EVENT_TYPES.includes(checked.type);
  const [row] = await tx.$queryRawUnsafe<MessageRow[]>(
    `WITH bumped AS (
       UPDATE conversations SET last_seq = last_seq + 1, updated_at = now(),
              membership_seq = CASE WHEN $5::boolean THEN last_seq + 1 ELSE membership_seq END
       WHERE id = $1::uuid RETURNING last_seq
     )
     INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, system)
     SELECT $2::uuid, $1::uuid, b.last_seq, $3::uuid, $4, 'system', '', $6::jsonb FROM bumped b
     RETURNING ${MESSAGE_COLUMNS}`,
    conversationId,
    randomUUID(),
    actorId,
    systemClientMsgId(),
    moves,
    JSON.stringify(checked),
  );
  if (!row) throw new Error(`conversation ${conversationId} vanished inside its own transaction`);
  return toMessage(row);
}
