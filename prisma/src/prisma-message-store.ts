/**
 * MessageStore on PostgreSQL through Prisma (raw SQL where locking and ordering matter).
 *
 * Why append is safe: the conversation row is locked (SELECT … FOR UPDATE) before the
 * idempotency lookup, so appends to one conversation run one after another; each statement
 * under READ COMMITTED sees what the previous holder committed, and seq = last_seq + 1 is
 * assigned under that lock, in the transaction that inserts the message: gap-free and unique.
 * The one race left (the same clientMsgId sent concurrently to two different conversations)
 * ends in the unique (sender_id, client_msg_id) index; the loser retries and sees the winner.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, type ConversationCursor, type Message, type MessageKind } from "@dim/shared";
import type { PrismaClient } from "./create-prisma";
import type { AppendInput, AppendResult, MessageStore } from "./message-store.types";

type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: bigint;
  sender_id: string;
  client_msg_id: string;
  kind: MessageKind;
  body: string;
  created_at: Date;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MESSAGE_KINDS: readonly MessageKind[] = ["text", "image", "file"];
/** Upper bound of one page whatever the caller asks (the protocol's is smaller). */
const MAX_LIMIT = 1000;
const TX_OPTIONS = { maxWait: 15_000, timeout: 15_000 } as const;

/** Thrown inside the transaction to roll it back and run append again. */
class RetryAppend extends Error {}

function toMessage(r: MessageRow): Message {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    clientMsgId: r.client_msg_id,
    kind: r.kind,
    body: r.body,
    createdAt: r.created_at.toISOString(),
  };
}

function requireUuid(value: string, field: string): void {
  if (typeof value !== "string" || !UUID_RE.test(value)) throw new AppError(ErrorCode.BadRequest, `${field} must be a UUID`);
}

function requireSeq(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new AppError(ErrorCode.BadRequest, `${field} must be a non-negative integer`);
  }
}

function clampLimit(limit: number): number {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new AppError(ErrorCode.BadRequest, "limit must be a positive integer");
  return Math.min(limit, MAX_LIMIT);
}

export class PrismaMessageStore implements MessageStore {
  constructor(private readonly prisma: PrismaClient) {}

  async append(input: AppendInput): Promise<AppendResult> {
    requireUuid(input.senderId, "senderId");
    requireUuid(input.conversationId, "conversationId");
    if (typeof input.clientMsgId !== "string" || input.clientMsgId.length === 0 || input.clientMsgId.length > 64) {
      throw new AppError(ErrorCode.BadRequest, "clientMsgId must be 1 to 64 characters");
    }
    if (!MESSAGE_KINDS.includes(input.kind)) throw new AppError(ErrorCode.BadRequest, `unknown message kind '${String(input.kind)}'`);
    if (typeof input.body !== "string") throw new AppError(ErrorCode.BadRequest, "body must be a string");

    for (let attempt = 1; ; attempt++) {
      try {
        return await this.prisma.$transaction((tx) => this.appendOnce(tx, input), TX_OPTIONS);
      } catch (err) {
        if (err instanceof RetryAppend && attempt < 3) continue;
        if (err instanceof RetryAppend) throw new AppError(ErrorCode.Internal, "could not store the message, retry");
        throw err;
      }
    }
  }

  private async appendOnce(tx: Tx, input: AppendInput): Promise<AppendResult> {
    const { senderId, conversationId, clientMsgId, kind, body } = input;
    const member = await tx.$queryRaw<{ one: number }[]>`
      SELECT 1 AS one FROM conversation_members
      WHERE conversation_id = ${conversationId}::uuid AND user_id = ${senderId}::uuid`;
    if (member.length === 0) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");

    // Serialises appends to this conversation until commit (see the file comment).
    await tx.$queryRaw`SELECT last_seq FROM conversations WHERE id = ${conversationId}::uuid FOR UPDATE`;

    const existing = await tx.$queryRaw<MessageRow[]>`
      SELECT id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, created_at
      FROM messages WHERE sender_id = ${senderId}::uuid AND client_msg_id = ${clientMsgId}`;
    const prior = existing[0];
    if (prior) {
      if (prior.conversation_id !== conversationId || prior.kind !== kind || prior.body !== body) {
        throw new AppError(
          ErrorCode.IdempotencyConflict,
          "this clientMsgId was already used for a different message; use a new clientMsgId for new content",
          { clientMsgId },
        );
      }
      return { message: toMessage(prior), duplicate: true, memberIds: await this.membersIn(tx, conversationId) };
    }

    const bumped = await tx.$queryRaw<{ last_seq: bigint }[]>`
      UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
      WHERE id = ${conversationId}::uuid RETURNING last_seq`;
    const seq = bumped[0]?.last_seq;
    if (seq === undefined) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");

    const inserted = await tx.$queryRaw<MessageRow[]>`
      INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
      VALUES (${randomUUID()}::uuid, ${conversationId}::uuid, ${seq}, ${senderId}::uuid, ${clientMsgId},
              ${kind}::message_kind, ${body})
      ON CONFLICT (sender_id, client_msg_id) DO NOTHING
      RETURNING id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, created_at`;
    const row = inserted[0];
    // A concurrent append of this clientMsgId (to another conversation) committed first.
    if (!row) throw new RetryAppend();
    return { message: toMessage(row), duplicate: false, memberIds: await this.membersIn(tx, conversationId) };
  }

  private async membersIn(tx: Tx | PrismaClient, conversationId: string): Promise<string[]> {
    const rows = await tx.$queryRaw<{ user_id: string }[]>`
      SELECT user_id::text FROM conversation_members WHERE conversation_id = ${conversationId}::uuid ORDER BY joined_at, user_id`;
    return rows.map((r) => r.user_id);
  }

  async members(conversationId: string): Promise<string[] | null> {
    if (!UUID_RE.test(conversationId)) return null;
    const rows = await this.prisma.$queryRaw<{ user_id: string | null }[]>`
      SELECT m.user_id::text FROM conversations c
      LEFT JOIN conversation_members m ON m.conversation_id = c.id
      WHERE c.id = ${conversationId}::uuid ORDER BY m.joined_at, m.user_id`;
    if (rows.length === 0) return null;
    return rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id]));
  }

  async after(conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    requireSeq(afterSeq, "afterSeq");
    const rows = await this.prisma.$queryRaw<MessageRow[]>`
      SELECT id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, created_at
      FROM messages WHERE conversation_id = ${conversationId}::uuid AND seq > ${afterSeq}::bigint
      ORDER BY seq ASC LIMIT ${clampLimit(limit)}::int`;
    return rows.map(toMessage);
  }

  async before(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    if (beforeSeq !== undefined) requireSeq(beforeSeq, "beforeSeq");
    const rows = await this.prisma.$queryRaw<MessageRow[]>`
      SELECT id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, created_at
      FROM messages WHERE conversation_id = ${conversationId}::uuid AND seq < ${beforeSeq ?? Number.MAX_SAFE_INTEGER}::bigint
      ORDER BY seq DESC LIMIT ${clampLimit(limit)}::int`;
    return rows.map(toMessage).reverse();
  }

  async advanceCursor(
    conversationId: string,
    userId: string,
    kind: "delivered" | "read",
    seq: number,
  ): Promise<number | null> {
    if (!UUID_RE.test(conversationId) || !UUID_RE.test(userId)) return null;
    requireSeq(seq, "seq");
    if (kind !== "delivered" && kind !== "read") throw new AppError(ErrorCode.BadRequest, "cursor kind must be delivered or read");
    const moveRead = kind === "read";
    // Writes only when a cursor really moves forward (ACKs are frequent; no-op updates bloat).
    // The UPDATE re-checks its WHERE against the latest row, so concurrent calls never move back.
    const rows = await this.prisma.$queryRaw<{ delivered_seq: bigint; read_seq: bigint }[]>`
      WITH target AS (
        SELECT m.conversation_id, m.user_id, LEAST(${seq}::bigint, c.last_seq) AS s
        FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
        WHERE m.conversation_id = ${conversationId}::uuid AND m.user_id = ${userId}::uuid
      ), moved AS (
        UPDATE conversation_members m SET
          delivered_seq = GREATEST(m.delivered_seq, t.s),
          read_seq = CASE WHEN ${moveRead} THEN GREATEST(m.read_seq, t.s) ELSE m.read_seq END
        FROM target t
        WHERE m.conversation_id = t.conversation_id AND m.user_id = t.user_id
          AND (t.s > m.delivered_seq OR (${moveRead} AND t.s > m.read_seq))
        RETURNING m.delivered_seq, m.read_seq
      )
      SELECT delivered_seq, read_seq FROM moved
      UNION ALL
      SELECT m.delivered_seq, m.read_seq FROM conversation_members m
      WHERE m.conversation_id = ${conversationId}::uuid AND m.user_id = ${userId}::uuid AND NOT EXISTS (SELECT 1 FROM moved)`;
    const row = rows[0];
    if (!row) return null;
    return Number(moveRead ? row.read_seq : row.delivered_seq);
  }

  async cursorsOf(userId: string): Promise<ConversationCursor[]> {
    requireUuid(userId, "userId");
    const rows = await this.prisma.$queryRaw<
      { conversation_id: string; last_seq: bigint; delivered_seq: bigint; read_seq: bigint }[]
    >`
      SELECT m.conversation_id::text, c.last_seq, m.delivered_seq, m.read_seq
      FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.user_id = ${userId}::uuid
      ORDER BY c.updated_at DESC, c.id`;
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      lastSeq: Number(r.last_seq),
      deliveredSeq: Number(r.delivered_seq),
      readSeq: Number(r.read_seq),
    }));
  }
}
