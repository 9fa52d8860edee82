/**
 * "Delete for me": a per-user list of hidden seqs (message_hides), not part of the seq stream.
 * Only messages (not events, not system messages) inside the user's membership window can be
 * hidden; hiding twice is no error.
 */
import { AppError, ErrorCode, UUID_RE } from "@dim/shared";
import type { Int8, StoreQuery } from "./message-row";

const HIDE_SQL = `
  WITH w AS (
    SELECT joined_seq, COALESCE(left_seq, ${Number.MAX_SAFE_INTEGER}) AS last FROM conversation_members
    WHERE conversation_id = $1::uuid AND user_id = $2::uuid
  ), ok AS (
    SELECT m.seq FROM messages m, w
    WHERE m.conversation_id = $1::uuid AND m.seq = ANY($3::bigint[]) AND m.seq BETWEEN w.joined_seq AND w.last
      AND m.target_seq IS NULL AND m.kind <> 'system'
  ), ins AS (
    INSERT INTO message_hides (user_id, conversation_id, seq) SELECT $2::uuid, $1::uuid, seq FROM ok
    ON CONFLICT DO NOTHING
  )
  SELECT (SELECT count(*) FROM w) AS member, ARRAY(SELECT seq FROM ok ORDER BY seq) AS seqs`;

const HIDDEN_SQL = `
  SELECT seq FROM message_hides WHERE user_id = $2::uuid AND conversation_id = $1::uuid ORDER BY seq`;

function requireIds(conversationId: string, userId: string): void {
  if (!UUID_RE.test(conversationId) || !UUID_RE.test(userId)) throw new AppError(ErrorCode.BadRequest, "conversationId and userId must be UUIDs");
}

/** Returns the asked seqs that are hidden now (new or not). FORBIDDEN when never a member. */
export async function hideMessages(query: StoreQuery, conversationId: string, userId: string, seqs: number[]): Promise<number[]> {
  requireIds(conversationId, userId);
  if (!Array.isArray(seqs) || seqs.length === 0) throw new AppError(ErrorCode.BadRequest, "seqs must not be empty");
  if (seqs.some((s) => !Number.isSafeInteger(s) || s < 1)) throw new AppError(ErrorCode.BadRequest, "seqs must be positive integers");
  const [row] = await query<{ member: Int8; seqs: Int8[] }>("hide", HIDE_SQL, [conversationId, userId, seqs]);
  if (!row || Number(row.member) === 0) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");
  return row.seqs.map(Number);
}

/** Every seq of the conversation the user hid, ascending. */
export async function hiddenSeqsOf(query: StoreQuery, conversationId: string, userId: string): Promise<number[]> {
  requireIds(conversationId, userId);
  return (await query<{ seq: Int8 }>("hidden_seqs", HIDDEN_SQL, [conversationId, userId])).map((r) => Number(r.seq));
}
