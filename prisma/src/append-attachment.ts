/**
 * The append of an image or file message: one statement, like the single-row text append
 * (append-batcher.ts), that also checks the attachment and binds it to the new message.
 *
 * - The attachment row is read FOR UPDATE: of two sends of one attachment (two conversations,
 *   two nodes), the second waits for the first's commit, then sees it bound and stores nothing.
 * - It must be the sender's, unsent (message_id null) and of the frame's kind; the message keeps
 *   a copy of what a client needs to draw it (the `attachment` jsonb).
 * - Idempotency as for text: a re-send of the same clientMsgId returns the stored message (its
 *   attachment is bound to it already, so the attachment checks are skipped for it).
 * - Not batched: attachments are rare next to text, and a sender's frames are handled one at a
 *   time, so order per sender is kept all the same.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode } from "@dim/shared";
import { toMessage, type Int8, type MessageRow, type StoreQuery } from "./message-row";
import type { AppendInput, AppendResult } from "./message-store.types";
import { isDeadlock, isUniqueViolation } from "./pg-errors";
import { ACTIVE_MEMBER_IDS, gateError, notMember, SNAPSHOT_CTE } from "./append-sql";

const RETURNED = "id, conversation_id, seq, sender_id, client_msg_id, kind, body, system, attachment, created_at";

const APPEND_ATTACHMENT_SQL = `
  WITH ${SNAPSHOT_CTE}, prior AS (
    SELECT ${RETURNED} FROM messages WHERE sender_id = $2::uuid AND client_msg_id = $3
  ), att AS (
    SELECT a.owner_id, a.message_id, a.kind::text AS kind,
           jsonb_strip_nulls(jsonb_build_object(
             'id', a.id, 'kind', a.kind, 'mime', a.mime, 'name', a.name, 'size', a.size,
             'width', a.width, 'height', a.height, 'placeholder', a.placeholder)) AS ref
    FROM attachments a WHERE a.id = $7::uuid AND NOT EXISTS (SELECT 1 FROM prior)
    FOR UPDATE
  ), usable AS (
    SELECT ref FROM att WHERE owner_id = $2::uuid AND message_id IS NULL AND kind = $5::text
  ), bumped AS (
    UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
    WHERE id = $1::uuid AND (SELECT ok FROM snap) AND (SELECT gate FROM snap) IS NULL AND NOT EXISTS (SELECT 1 FROM prior)
      AND EXISTS (SELECT 1 FROM usable) AND membership_seq = (SELECT membership_seq FROM snap)
    RETURNING last_seq
  ), inserted AS (
    INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, attachment)
    SELECT $4::uuid, $1::uuid, b.last_seq, $2::uuid, $3, $5::message_kind, $6, (SELECT ref FROM usable) FROM bumped b
    RETURNING ${RETURNED}
  ), bound AS (
    UPDATE attachments SET conversation_id = $1::uuid, message_id = i.id
    FROM inserted i WHERE attachments.id = $7::uuid
    RETURNING attachments.id
  ), msg AS (
    SELECT *, false AS duplicate FROM inserted
    UNION ALL
    SELECT *, true AS duplicate FROM prior
  )
  SELECT COALESCE(s.ok, false) AS member, s.gate, COALESCE(x.duplicate, false) AS duplicate,
         (SELECT count(*) FROM att) > 0 AS att_found,
         (SELECT owner_id = $2::uuid FROM att) AS att_owned,
         (SELECT message_id IS NULL FROM att) AS att_free,
         (SELECT kind FROM att) AS att_kind,
         (SELECT count(*) FROM bound) AS bound,
         x.id::text, x.conversation_id::text, x.seq, x.sender_id::text, x.client_msg_id, x.kind::text AS kind,
         x.body, x.system, x.attachment, x.created_at, s.membership_seq, s.conversation_kind,
         ${ACTIVE_MEMBER_IDS}
  FROM (SELECT 1) one LEFT JOIN snap s ON true LEFT JOIN msg x ON true`;

type Row = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  member: boolean;
  gate: string | null;
  duplicate: boolean;
  att_found: boolean;
  att_owned: boolean | null;
  att_free: boolean | null;
  att_kind: string | null;
  bound: Int8;
  membership_seq: Int8 | null;
  conversation_kind: string | null;
  member_ids: string[] | null;
};

const MAX_ATTEMPTS = 3;

export async function appendAttachmentMessage(query: StoreQuery, input: AppendInput): Promise<AppendResult> {
  const attachmentId = input.attachmentId!;
  const values = [input.conversationId, input.senderId, input.clientMsgId, randomUUID(), input.kind, input.body, attachmentId];
  for (let attempt = 1; ; attempt++) {
    let row: Row | undefined;
    try {
      [row] = await query<Row>("append_attachment", APPEND_ATTACHMENT_SQL, values);
    } catch (err) {
      // The same clientMsgId in two concurrent statements: run again, then find the winner's row.
      if ((isUniqueViolation(err) || isDeadlock(err)) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
    const outcome = outcomeOf(input, row);
    // A membership change committed between the snapshot and the lock: run on a new snapshot.
    if (outcome === "stale" && attempt < MAX_ATTEMPTS) continue;
    if (outcome === "stale") throw new AppError(ErrorCode.Internal, "could not store the message, retry");
    return outcome;
  }
}

function outcomeOf(input: AppendInput, row: Row | undefined): AppendResult | "stale" {
  const ownEarlier = row?.duplicate === true && row.conversation_id === input.conversationId;
  if (!row || (!row.member && !ownEarlier)) throw notMember();
  const gated = ownEarlier ? null : gateError(row.gate);
  if (gated) throw gated;
  if (row.id === null) {
    if (!row.att_found || !row.att_owned) throw new AppError(ErrorCode.Forbidden, "no such attachment of yours", { attachmentId: input.attachmentId });
    if (row.att_kind !== input.kind) {
      throw new AppError(ErrorCode.BadRequest, `this attachment is a ${row.att_kind}: send it with kind '${row.att_kind}'`);
    }
    if (!row.att_free) {
      throw new AppError(ErrorCode.Conflict, "this attachment was sent already; upload it again to send it again", { attachmentId: input.attachmentId });
    }
    return "stale";
  }
  const message = toMessage(row as MessageRow);
  const same =
    message.conversationId === input.conversationId &&
    message.kind === input.kind &&
    message.body === input.body &&
    message.attachment?.id === input.attachmentId?.toLowerCase();
  if (row.duplicate && !same) {
    throw new AppError(
      ErrorCode.IdempotencyConflict,
      "this clientMsgId was already used for a different message; use a new clientMsgId for new content",
      { clientMsgId: input.clientMsgId },
    );
  }
  return {
    message,
    duplicate: row.duplicate,
    conversationKind: row.conversation_kind === "group" ? "group" : "direct",
    memberIds: row.member_ids ?? [],
    membershipSeq: Number(row.membership_seq ?? 0),
  };
}
