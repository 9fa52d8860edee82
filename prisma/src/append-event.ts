/**
 * The append of an event (edit, delete for everyone, reaction), a reply or a text with mentions
 * (mentions-check.ts): one transaction that
 * checks the rules, stores the event as the conversation's next seq and folds it into the target
 * row (or the reactions table), so history and sync give the latest state with nothing else.
 *
 * Rules (each refusal is an AppError and changes nothing):
 * - the sender is an ACTIVE member (FORBIDDEN), checked after the conversation row is locked, so
 *   a membership change (the gateway's transaction holds that lock too) is ordered before or after;
 * - the target is a stored seq of this conversation inside the sender's window (NOT_FOUND), not an
 *   event or system message (BAD_REQUEST), not deleted (CONFLICT; a reply may quote a tombstone);
 * - edit: the sender's own (FORBIDDEN) text (BAD_REQUEST) message, within the edit window
 *   (WINDOW_CLOSED); delete: the sender's own message within the delete window;
 * - idempotent by (sender, clientMsgId) like every send: a re-send returns the stored event, the
 *   same id with other content is IDEMPOTENCY_CONFLICT.
 *
 * Previous text is kept by nobody: an edit overwrites the target's body and clears the body of
 * the earlier edit events of the same target; a delete clears the target (body, attachment,
 * reply), the bodies of its edit and reaction events and its reactions, and deletes its
 * attachment row, queueing the blob keys in blob_garbage for the gateway's sweep.
 *
 * Not batched: events are rare next to texts; a sender's frames are handled one at a time.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, isEventKind, type MemberRole } from "@dim/shared";
import type { PrismaClient } from "./create-prisma";
import { MESSAGE_COLUMNS, toMessage, type Int8, type MessageRow } from "./message-row";
import type { AppendInput, AppendResult } from "./message-store.types";
import { checkMentions, NO_MENTIONS, sameMentions } from "./mentions-check";
import { isDeadlock, isUniqueViolation } from "./pg-errors";
import { directGate, gateError, notMember } from "./append-sql";

export interface EventWindows {
  /** How long after its send a text may be edited (DIM_EDIT_WINDOW_MS). */
  editWindowMs: number;
  /** How long after its send a message may be deleted for everyone (DIM_DELETE_WINDOW_MS). */
  deleteWindowMs: number;
}

type Tx = Pick<PrismaClient, "$queryRawUnsafe">;

const MAX_ATTEMPTS = 3;

export async function appendEvent(prisma: PrismaClient, input: AppendInput, windows: EventWindows): Promise<AppendResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction((tx) => appendInTx(tx, input, windows));
    } catch (err) {
      // The same clientMsgId in two concurrent transactions: run again, then find the winner's row.
      if ((isUniqueViolation(err) || isDeadlock(err)) && attempt < MAX_ATTEMPTS) continue;
      throw err;
    }
  }
}


async function appendInTx(tx: Tx, input: AppendInput, windows: EventWindows): Promise<AppendResult> {
  const { conversationId, senderId, clientMsgId } = input;
  const [conv] = await tx.$queryRawUnsafe<Array<{ kind: string; membership_seq: Int8 }>>(
    `SELECT kind::text, membership_seq FROM conversations WHERE id = $1::uuid FOR NO KEY UPDATE`,
    conversationId,
  );
  if (!conv) throw notMember();
  const result = (message: AppendResult["message"], duplicate: boolean, memberIds: string[]): AppendResult => ({
    message,
    duplicate,
    conversationKind: conv.kind === "group" ? "group" : "direct",
    memberIds,
    membershipSeq: Number(conv.membership_seq),
  });
  const members = (
    await tx.$queryRawUnsafe<Array<{ user_id: string; joined_seq: Int8; role: MemberRole }>>(
      `SELECT user_id::text, joined_seq, role::text AS role FROM conversation_members
       WHERE conversation_id = $1::uuid AND left_seq IS NULL ORDER BY joined_at, user_id`,
      conversationId,
    )
  ).map((m) => ({ userId: m.user_id, joinedSeq: Number(m.joined_seq), role: m.role }));
  const memberIds = members.map((m) => m.userId);

  const [prior] = await tx.$queryRawUnsafe<MessageRow[]>(
    `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE sender_id = $1::uuid AND client_msg_id = $2`,
    senderId,
    clientMsgId,
  );
  if (prior) {
    const stored = toMessage(prior);
    if (!sameEvent(input, stored)) {
      throw new AppError(
        ErrorCode.IdempotencyConflict,
        "this clientMsgId was already used for a different message; use a new clientMsgId for new content",
        { clientMsgId },
      );
    }
    return result(stored, true, memberIds);
  }

  const me = members.find((m) => m.userId === senderId);
  if (!me) throw notMember();
  if (conv.kind === "direct") {
    const [gate] = await tx.$queryRawUnsafe<Array<{ gate: string | null }>>(`SELECT ${directGate("$1::uuid", "$2::uuid")} AS gate`, conversationId, senderId);
    const gated = gateError(gate?.gate);
    if (gated) throw gated;
  }
  // A text without replyTo is here for its mentions only: it refers to no earlier seq.
  const refSeq = isEventKind(input.kind) ? input.targetSeq! : (input.replyTo ?? null);
  if (refSeq !== null) {
    const [target] = await tx.$queryRawUnsafe<
      Array<{ id: string; sender_id: string; kind: string; deleted: boolean; in_edit: boolean; in_delete: boolean }>
    >(
      `SELECT id::text, sender_id::text, kind::text, deleted_at IS NOT NULL AS deleted,
              created_at >= now() - make_interval(secs => $3::float8) AS in_edit,
              created_at >= now() - make_interval(secs => $4::float8) AS in_delete
       FROM messages WHERE conversation_id = $1::uuid AND seq = $2::bigint`,
      conversationId,
      refSeq,
      windows.editWindowMs / 1000,
      windows.deleteWindowMs / 1000,
    );
    if (!target || refSeq < me.joinedSeq) throw new AppError(ErrorCode.NotFound, `no message at seq ${refSeq} in this conversation`, { seq: refSeq });
    if (isEventKind(target.kind) || target.kind === "system") {
      throw new AppError(ErrorCode.BadRequest, `seq ${refSeq} is a ${target.kind} event, not a message`, { seq: refSeq });
    }
    checkRules(input, target, refSeq);
  }
  const mentions =
    input.kind === "text" || input.kind === "edit" ? await checkMentions(tx, input, { kind: conv.kind, members, senderRole: me.role }) : NO_MENTIONS;

  const [bumped] = await tx.$queryRawUnsafe<Array<{ last_seq: Int8 }>>(
    `UPDATE conversations SET last_seq = last_seq + 1, updated_at = now() WHERE id = $1::uuid RETURNING last_seq`,
    conversationId,
  );
  const seq = Number(bumped!.last_seq);
  const [row] = await tx.$queryRawUnsafe<MessageRow[]>(
    `INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body, target_seq, reply_to, mentions, mentions_all)
     VALUES ($1::uuid, $2::uuid, $3::bigint, $4::uuid, $5, $6::message_kind, $7, $8::bigint, $9::bigint, $10::uuid[], $11::boolean)
     RETURNING ${MESSAGE_COLUMNS}`,
    randomUUID(),
    conversationId,
    seq,
    senderId,
    clientMsgId,
    input.kind,
    input.body,
    isEventKind(input.kind) ? refSeq : null,
    isEventKind(input.kind) ? null : refSeq,
    mentions.ids,
    mentions.all,
  );
  if (refSeq !== null) await fold(tx, { ...input, mentions: mentions.ids, mentionsAll: mentions.all }, refSeq, seq);
  return result(toMessage(row!), false, memberIds);
}

function checkRules(input: AppendInput, target: { sender_id: string; kind: string; deleted: boolean; in_edit: boolean; in_delete: boolean }, seq: number): void {
  if (input.kind === "text") return; // a reply: any message of the window, a tombstone included
  if (target.deleted) throw new AppError(ErrorCode.Conflict, `the message at seq ${seq} was deleted`, { seq });
  if (input.kind === "reaction") return;
  const verb = input.kind === "edit" ? "edit" : "delete";
  if (target.sender_id !== input.senderId) throw new AppError(ErrorCode.Forbidden, `you can only ${verb} your own messages`, { seq });
  if (input.kind === "edit" && target.kind !== "text") throw new AppError(ErrorCode.BadRequest, "only text messages can be edited", { seq });
  if (input.kind === "edit" ? !target.in_edit : !target.in_delete) {
    throw new AppError(ErrorCode.WindowClosed, `this message is too old to ${verb}`, { seq });
  }
}

/** Applies a stored event to its target's folded state (nothing for a reply). */
async function fold(tx: Tx, input: AppendInput, target: number, eventSeq: number): Promise<void> {
  const c = input.conversationId;
  switch (input.kind) {
    case "edit":
      await tx.$queryRawUnsafe(
        `UPDATE messages SET body = $3, edited_at = now(), mentions = $4::uuid[], mentions_all = $5::boolean
         WHERE conversation_id = $1::uuid AND seq = $2::bigint`,
        c,
        target,
        input.body,
        input.mentions ?? [],
        input.mentionsAll === true,
      );
      await tx.$queryRawUnsafe(
        `UPDATE messages SET body = '', mentions = '{}', mentions_all = false WHERE conversation_id = $1::uuid AND target_seq = $2::bigint
           AND kind = 'edit' AND seq < $3::bigint AND body <> ''`,
        c,
        target,
        eventSeq,
      );
      return;
    case "delete":
      await tx.$queryRawUnsafe(
        `WITH gone AS (
           DELETE FROM attachments a USING messages m
           WHERE m.conversation_id = $1::uuid AND m.seq = $2::bigint AND a.message_id = m.id
           RETURNING a.sha256, a.thumbnail_key
         ), keys AS (
           SELECT sha256 AS key FROM gone UNION SELECT thumbnail_key FROM gone WHERE thumbnail_key IS NOT NULL
         )
         INSERT INTO blob_garbage (key) SELECT key FROM keys ON CONFLICT (key) DO NOTHING`,
        c,
        target,
      );
      await tx.$queryRawUnsafe(
        `UPDATE messages SET body = '', attachment = NULL, reply_to = NULL, edited_at = NULL, deleted_at = now(),
                mentions = '{}', mentions_all = false
         WHERE conversation_id = $1::uuid AND seq = $2::bigint`,
        c,
        target,
      );
      await tx.$queryRawUnsafe(
        `UPDATE messages SET body = '', mentions = '{}', mentions_all = false WHERE conversation_id = $1::uuid AND target_seq = $2::bigint
           AND kind IN ('edit', 'reaction') AND body <> ''`,
        c,
        target,
      );
      await tx.$queryRawUnsafe(`DELETE FROM message_reactions WHERE conversation_id = $1::uuid AND message_seq = $2::bigint`, c, target);
      return;
    case "reaction":
      if (input.body === "") {
        await tx.$queryRawUnsafe(
          `DELETE FROM message_reactions WHERE conversation_id = $1::uuid AND message_seq = $2::bigint AND user_id = $3::uuid`,
          c,
          target,
          input.senderId,
        );
      } else {
        await tx.$queryRawUnsafe(
          `INSERT INTO message_reactions (conversation_id, message_seq, user_id, emoji, event_seq)
           VALUES ($1::uuid, $2::bigint, $3::uuid, $4, $5::bigint)
           ON CONFLICT (conversation_id, message_seq, user_id) DO UPDATE SET emoji = EXCLUDED.emoji, event_seq = EXCLUDED.event_seq`,
          c,
          target,
          input.senderId,
          input.body,
          eventSeq,
        );
      }
      return;
    default:
      return;
  }
}

/**
 * A re-send is the same event: same conversation, kind and target. An edit's stored body may have
 * been cleared since (a later edit, or the delete), so only a non-empty stored body is compared.
 */
function sameEvent(input: AppendInput, m: AppendResult["message"]): boolean {
  if (m.conversationId !== input.conversationId || m.kind !== input.kind) return false;
  if (isEventKind(input.kind)) {
    if (m.targetSeq !== input.targetSeq) return false;
    return (m.body === input.body && sameMentions(input, m)) || (m.body === "" && input.kind !== "delete");
  }
  if (m.deletedAt !== undefined || m.editedAt !== undefined) return m.replyTo === input.replyTo || m.deletedAt !== undefined;
  return m.replyTo === input.replyTo && m.body === input.body && sameMentions(input, m);
}
