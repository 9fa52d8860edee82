/**
 * A re-send of a message that was edited or deleted since it was stored (its `sent` was lost and
 * another device changed it) differs from the stored row only by that change: it is the same
 * message, a duplicate, not IDEMPOTENCY_CONFLICT. The original content is kept by nobody, so it
 * cannot be compared. Checked only after a conflict: nothing is added to the hot path.
 */
import { ErrorCode, isAppError } from "@dim/shared";
import { MESSAGE_COLUMNS, toMessage, type MessageRow, type StoreQuery } from "./message-row";
import type { AppendInput, AppendResult, Membership } from "./message-store.types";

const CHANGED_OWN_SQL = `
  SELECT ${MESSAGE_COLUMNS} FROM messages
  WHERE sender_id = $1::uuid AND client_msg_id = $2 AND conversation_id = $3::uuid AND kind::text = $4
    AND (edited_at IS NOT NULL OR deleted_at IS NOT NULL)`;

export async function resentAfterChange(
  query: StoreQuery,
  input: AppendInput,
  appended: Promise<AppendResult>,
  membership: (conversationId: string) => Promise<Membership | null>,
): Promise<AppendResult> {
  try {
    return await appended;
  } catch (err) {
    if (!isAppError(err) || err.code !== ErrorCode.IdempotencyConflict) throw err;
    const [row] = await query<MessageRow>("changed_own", CHANGED_OWN_SQL, [input.senderId, input.clientMsgId, input.conversationId, input.kind]);
    const conv = row ? await membership(input.conversationId) : null;
    if (!row || !conv) throw err;
    return {
      message: toMessage(row),
      duplicate: true,
      conversationKind: conv.kind,
      memberIds: conv.members.filter((m) => m.leftSeq === null).map((m) => m.userId),
      membershipSeq: conv.membershipSeq,
    };
  }
}
