/**
 * MessageStore on PostgreSQL through Prisma (raw SQL where locking and ordering matter).
 *
 * Why append is safe: it is ONE statement (its own transaction, one round trip). Its UPDATE of the
 * conversation row takes the row lock, so appends to one conversation run one after another;
 * under READ COMMITTED an UPDATE that waited re-reads the latest row, so seq = last_seq + 1 is
 * assigned under that lock, in the statement that inserts the message: gap-free and unique.
 * A re-send of an already committed clientMsgId is found by the idempotency lookup and nothing is
 * bumped. The one race left (the same clientMsgId sent concurrently, so both statements missed
 * the other's row) ends in the unique (sender_id, client_msg_id) index: the loser's statement
 * aborts as a whole — its bump included — and append runs again, then sees the winner.
 */
import { randomUUID } from "node:crypto";
import { AppError, ErrorCode, type ConversationCursor, type Message, type MessageKind } from "@dim/shared";
import type pg from "pg";
import type { PrismaClient } from "./create-prisma";
import type { AppendInput, AppendResult, MessageStore } from "./message-store.types";

/** int8 arrives as bigint through Prisma and as a decimal string through node-postgres. */
type Int8 = bigint | string;

interface MessageRow {
  id: string;
  conversation_id: string;
  seq: Int8;
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

type AppendRow = { [K in keyof MessageRow]: MessageRow[K] | null } & {
  member: boolean;
  duplicate: boolean | null;
  member_ids: string[];
};

/** PostgreSQL's unique_violation (23505), however Prisma's driver adapter wraps it. */
function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; cause?: unknown; message?: unknown };
    if (o.code === "23505" || o.meta?.code === "23505") return true;
    if (typeof o.message === "string" && /\b23505\b|unique constraint/i.test(o.message)) return true;
    e = o.cause ?? o.meta?.driverAdapterError;
  }
  return false;
}

function toMessage(r: MessageRow): Message {
  const createdAt = r.created_at instanceof Date ? r.created_at : new Date(r.created_at);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    clientMsgId: r.client_msg_id,
    kind: r.kind,
    body: r.body,
    createdAt: createdAt.toISOString(),
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

const MESSAGE_COLUMNS =
  "id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, created_at";

/**
 * The store's statements, by name. Through a pg pool they are named prepared statements (parsed
 * and planned once per connection); through Prisma they run as raw SQL with the same text.
 */
const SQL = {
  // One statement, one round trip (it commits on its own): see the file comment.
  append: `
    WITH mem AS (
      SELECT EXISTS (SELECT 1 FROM conversation_members WHERE conversation_id = $1::uuid AND user_id = $2::uuid) AS ok
    ), prior AS (
      SELECT id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at
      FROM messages WHERE sender_id = $2::uuid AND client_msg_id = $3
    ), bumped AS (
      UPDATE conversations SET last_seq = last_seq + 1, updated_at = now()
      WHERE id = $1::uuid AND (SELECT ok FROM mem) AND NOT EXISTS (SELECT 1 FROM prior)
      RETURNING last_seq
    ), inserted AS (
      INSERT INTO messages (id, conversation_id, seq, sender_id, client_msg_id, kind, body)
      SELECT $4::uuid, $1::uuid, b.last_seq, $2::uuid, $3, $5::message_kind, $6 FROM bumped b
      RETURNING id, conversation_id, seq, sender_id, client_msg_id, kind, body, created_at
    ), msg AS (
      SELECT *, false AS duplicate FROM inserted
      UNION ALL
      SELECT *, true AS duplicate FROM prior
    )
    SELECT m.ok AS member, x.duplicate, x.id::text, x.conversation_id::text, x.seq, x.sender_id::text, x.client_msg_id,
           x.kind::text AS kind, x.body, x.created_at,
           ARRAY(SELECT user_id::text FROM conversation_members WHERE conversation_id = $1::uuid ORDER BY joined_at, user_id) AS member_ids
    FROM mem m LEFT JOIN msg x ON true`,
  members: `
    SELECT m.user_id::text FROM conversations c
    LEFT JOIN conversation_members m ON m.conversation_id = c.id
    WHERE c.id = $1::uuid ORDER BY m.joined_at, m.user_id`,
  after: `
    SELECT ${MESSAGE_COLUMNS}
    FROM messages WHERE conversation_id = $1::uuid AND seq > $2::bigint
    ORDER BY seq ASC LIMIT $3::int`,
  before: `
    SELECT ${MESSAGE_COLUMNS}
    FROM messages WHERE conversation_id = $1::uuid AND seq < $2::bigint
    ORDER BY seq DESC LIMIT $3::int`,
  // Writes only when a cursor really moves forward (ACKs are frequent; no-op updates bloat).
  // The UPDATE re-checks its WHERE against the latest row, so concurrent calls never move back.
  advanceCursor: `
    WITH target AS (
      SELECT m.conversation_id, m.user_id, LEAST($3::bigint, c.last_seq) AS s
      FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
      WHERE m.conversation_id = $1::uuid AND m.user_id = $2::uuid
    ), moved AS (
      UPDATE conversation_members m SET
        delivered_seq = GREATEST(m.delivered_seq, t.s),
        read_seq = CASE WHEN $4::boolean THEN GREATEST(m.read_seq, t.s) ELSE m.read_seq END
      FROM target t
      WHERE m.conversation_id = t.conversation_id AND m.user_id = t.user_id
        AND (t.s > m.delivered_seq OR ($4::boolean AND t.s > m.read_seq))
      RETURNING m.delivered_seq, m.read_seq
    )
    SELECT delivered_seq, read_seq FROM moved
    UNION ALL
    SELECT m.delivered_seq, m.read_seq FROM conversation_members m
    WHERE m.conversation_id = $1::uuid AND m.user_id = $2::uuid AND NOT EXISTS (SELECT 1 FROM moved)`,
  cursorsOf: `
    SELECT m.conversation_id::text, c.last_seq, m.delivered_seq, m.read_seq
    FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.user_id = $1::uuid
    ORDER BY c.updated_at DESC, c.id`,
} as const;

export interface MessageStoreOptions {
  /**
   * A node-postgres pool for the store's statements (named prepared statements, no Prisma
   * query layer on the hot path: core nodes pass one). Not ended by the store.
   */
  pool?: pg.Pool;
}

export class PrismaMessageStore implements MessageStore {
  private readonly pool: pg.Pool | undefined;

  constructor(
    private readonly prisma: PrismaClient,
    opts: MessageStoreOptions = {},
  ) {
    this.pool = opts.pool;
  }

  private async q<T>(name: keyof typeof SQL, values: unknown[]): Promise<T[]> {
    if (this.pool) return (await this.pool.query({ name: `dim_store_${name}`, text: SQL[name], values })).rows as T[];
    return this.prisma.$queryRawUnsafe<T[]>(SQL[name], ...values);
  }

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
        return await this.appendOnce(input);
      } catch (err) {
        if (isUniqueViolation(err) && attempt < 3) continue;
        if (isUniqueViolation(err)) throw new AppError(ErrorCode.Internal, "could not store the message, retry");
        throw err;
      }
    }
  }

  private async appendOnce(input: AppendInput): Promise<AppendResult> {
    const { senderId, conversationId, clientMsgId, kind, body } = input;
    const rows = await this.q<AppendRow>("append", [conversationId, senderId, clientMsgId, randomUUID(), kind, body]);
    const row = rows[0];
    if (!row?.member || row.id === null) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");
    const message = toMessage(row as MessageRow);
    if (row.duplicate && (message.conversationId !== conversationId || message.kind !== kind || message.body !== body)) {
      throw new AppError(
        ErrorCode.IdempotencyConflict,
        "this clientMsgId was already used for a different message; use a new clientMsgId for new content",
        { clientMsgId },
      );
    }
    return { message, duplicate: row.duplicate === true, memberIds: row.member_ids };
  }

  async members(conversationId: string): Promise<string[] | null> {
    if (!UUID_RE.test(conversationId)) return null;
    const rows = await this.q<{ user_id: string | null }>("members", [conversationId]);
    if (rows.length === 0) return null;
    return rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id]));
  }

  async after(conversationId: string, afterSeq: number, limit: number): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    requireSeq(afterSeq, "afterSeq");
    const rows = await this.q<MessageRow>("after", [conversationId, afterSeq, clampLimit(limit)]);
    return rows.map(toMessage);
  }

  async before(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    if (beforeSeq !== undefined) requireSeq(beforeSeq, "beforeSeq");
    const rows = await this.q<MessageRow>("before", [conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, clampLimit(limit)]);
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
    const rows = await this.q<{ delivered_seq: Int8; read_seq: Int8 }>("advanceCursor", [conversationId, userId, seq, moveRead]);
    const row = rows[0];
    if (!row) return null;
    return Number(moveRead ? row.read_seq : row.delivered_seq);
  }

  async cursorsOf(userId: string): Promise<ConversationCursor[]> {
    requireUuid(userId, "userId");
    const rows = await this.q<{ conversation_id: string; last_seq: Int8; delivered_seq: Int8; read_seq: Int8 }>("cursorsOf", [userId]);
    return rows.map((r) => ({
      conversationId: r.conversation_id,
      lastSeq: Number(r.last_seq),
      deliveredSeq: Number(r.delivered_seq),
      readSeq: Number(r.read_seq),
    }));
  }
}
