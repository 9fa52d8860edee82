/**
 * MessageStore on PostgreSQL through Prisma (raw SQL where locking and ordering matter).
 *
 * The hot writes go through group commit: `append` (append-batcher.ts) and `advanceCursor`
 * (cursor-batcher.ts) calls that arrive while a batch is being written form the next batch, one
 * statement and one commit each. Batching is invisible to callers: each gets its own result or
 * error, exactly as from a call on its own. `cursorsOf` reads are batched the same way (the
 * welcomes of a burst of connects); the other reads are one statement each. Reads for a user are
 * clamped to its membership window [joined_seq, left_seq] in the same statement.
 */
import {
  AppError,
  DEFAULT_DELETE_WINDOW_MS,
  DEFAULT_EDIT_WINDOW_MS,
  ErrorCode,
  isEventKind,
  NodeLimits,
  UUID_RE,
  type ConversationCursor,
  type Message,
  type MessageKind,
} from "@dim/shared";
import type pg from "pg";
import { appendAttachmentMessage } from "./append-attachment";
import { directOpen } from "./append-sql";
import { AppendBatcher, type AppendBatchObserver } from "./append-batcher";
import type { PrismaClient } from "./create-prisma";
import { CursorBatcher } from "./cursor-batcher";
import { appendEvent, type EventWindows } from "./append-event";
import { validateEventInput } from "./event-input";
import { hiddenSeqsOf, hideMessages } from "./message-hides";
import { foldedColumns, toMessage, type Int8, type MessageRow, type StoreQuery } from "./message-row";
import { resentAfterChange } from "./resent-after-change";
import type { AppendInput, AppendResult, CursorAdvance, Membership, MessageStore, SeqRange } from "./message-store.types";
import { NaturalBatcher, type BatchOutcome } from "@dim/shared/async";

/** What clients may append (system messages come from the gateway's own transaction). */
const MESSAGE_KINDS: readonly MessageKind[] = ["text", "image", "file", "edit", "delete", "reaction"];
/** Upper bound of one page whatever the caller asks (the protocol's is smaller). */
const MAX_LIMIT = 1000;

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

/**
 * The store's one-row statements, by name (the batched writes hold their own). Through a pg pool
 * they are named prepared statements (parsed and planned once per connection); through Prisma
 * they run as raw SQL with the same text.
 */
const SQL = {
  // By primary keys: two index probes per socket `auth`. A disabled user's session is not live.
  sessionLive: `
    SELECT 1 AS live FROM sessions s JOIN users u ON u.id = s.user_id AND u.disabled_at IS NULL
    WHERE s.id = $1::uuid AND s.user_id = $2::uuid AND s.expires_at > now()`,
  members: `
    SELECT m.user_id::text FROM conversations c
    LEFT JOIN conversation_members m ON m.conversation_id = c.id AND m.left_seq IS NULL
    WHERE c.id = $1::uuid ORDER BY m.joined_at, m.user_id`,
  membership: `
    SELECT c.kind::text, c.membership_seq, ${directOpen("c.id")} AS open, m.user_id::text, m.joined_seq, m.left_seq FROM conversations c
    LEFT JOIN conversation_members m ON m.conversation_id = c.id
    WHERE c.id = $1::uuid ORDER BY m.joined_seq, m.user_id`,
  // One row per message, or one row of nulls when the viewer's window has none; no row at all
  // when the viewer never was a member.
  after: `
    SELECT x.* FROM conversation_members w
    LEFT JOIN LATERAL (
      SELECT ${foldedColumns("$4::uuid")} FROM messages
      WHERE conversation_id = w.conversation_id AND seq > GREATEST($2::bigint, w.joined_seq - 1)
        AND seq <= COALESCE(w.left_seq, ${Number.MAX_SAFE_INTEGER})
      ORDER BY seq ASC LIMIT $3::int
    ) x ON true
    WHERE w.conversation_id = $1::uuid AND w.user_id = $4::uuid
    ORDER BY x.seq ASC`,
  before: `
    SELECT x.* FROM conversation_members w
    LEFT JOIN LATERAL (
      SELECT ${foldedColumns("$4::uuid")} FROM messages
      WHERE conversation_id = w.conversation_id AND seq < $2::bigint AND seq >= w.joined_seq
        AND seq <= COALESCE(w.left_seq, ${Number.MAX_SAFE_INTEGER})
      ORDER BY seq DESC LIMIT $3::int
    ) x ON true
    WHERE w.conversation_id = $1::uuid AND w.user_id = $4::uuid
    ORDER BY x.seq DESC`,
  // Per range (its ordinal), the distinct senders of the messages in it that show receipts (text,
  // image, file: not system messages, nor any later kind that only changes another message):
  // index probes on (conversation_id, seq), one per range.
  sendersIn: `
    SELECT r.i::int AS i, m.sender_id::text FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS r(lo, hi, i)
    CROSS JOIN LATERAL (
      SELECT DISTINCT sender_id FROM messages
      WHERE conversation_id = $1::uuid AND seq > r.lo AND seq <= r.hi AND kind IN ('text', 'image', 'file')
    ) m`,
  cursorsOf: `
    SELECT m.conversation_id::text, LEAST(c.last_seq, COALESCE(m.left_seq, c.last_seq)) AS last_seq, m.delivered_seq, m.read_seq,
           (SELECT count(*) FROM message_hides h WHERE h.user_id = m.user_id AND h.conversation_id = m.conversation_id) AS hidden_count
    FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.user_id = $1::uuid
    ORDER BY c.updated_at DESC, c.id`,
  // The same for many users at once (the welcomes of a burst of connects).
  cursorsOfMany: `
    SELECT m.user_id::text, m.conversation_id::text, LEAST(c.last_seq, COALESCE(m.left_seq, c.last_seq)) AS last_seq,
           m.delivered_seq, m.read_seq, (SELECT count(*) FROM message_hides h WHERE h.user_id = m.user_id AND h.conversation_id = m.conversation_id) AS hidden_count
    FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
    WHERE m.user_id = ANY($1::uuid[])
    ORDER BY m.user_id, c.updated_at DESC, c.id`,
} as const;

type NullableMessageRow = { [K in keyof MessageRow]: MessageRow[K] | null };

/** The messages of an `after` / `before` read; FORBIDDEN when it found no membership row. */
function windowRows(rows: NullableMessageRow[]): Message[] {
  if (rows.length === 0) throw new AppError(ErrorCode.Forbidden, "not a member of this conversation");
  return rows.flatMap((r) => (r.id === null ? [] : [toMessage(r as MessageRow)]));
}

/** Most users whose cursors one statement reads. */
const CURSOR_READ_BATCH_MAX = 1000;

interface CursorReadRow {
  user_id?: string;
  conversation_id: string;
  last_seq: Int8;
  /** "Delete for me" hides of the user in the conversation (an index-only count). */
  hidden_count: Int8;
  delivered_seq: Int8;
  read_seq: Int8;
}

function toCursor(r: CursorReadRow): ConversationCursor {
  return {
    conversationId: r.conversation_id,
    lastSeq: Number(r.last_seq),
    deliveredSeq: Number(r.delivered_seq),
    readSeq: Number(r.read_seq),
    // only when there are any: welcomes stay as they were for everyone who never hid a message
    ...(Number(r.hidden_count) > 0 ? { hiddenCount: Number(r.hidden_count) } : {}),
  };
}

export interface MessageStoreOptions {
  /**
   * A node-postgres pool for the store's statements (named prepared statements, no Prisma
   * query layer on the hot path: core nodes pass one). Not ended by the store.
   */
  pool?: pg.Pool;
  /**
   * How long cursor moves (`advanceCursor`) wait for company before they are written, when no
   * write is in flight: a core node, whose sockets do not wait for them, trades a few
   * milliseconds of receipt latency for far fewer statements at light load. Default 0 (at once).
   */
  cursorCollectMs?: number;
  /** Told after each group-commit batch of text appends: its size and how long it took (metrics). */
  onAppendBatch?: AppendBatchObserver;
  /** Edit / delete-for-everyone windows (default 48 h each). */
  eventWindows?: Partial<EventWindows>;
}

export class PrismaMessageStore implements MessageStore {
  private readonly pool: pg.Pool | undefined;
  private readonly windows: EventWindows;
  private readonly appends: AppendBatcher;
  private readonly cursors: CursorBatcher;
  private readonly cursorReads = new NaturalBatcher<string, ConversationCursor[]>((userIds) => this.readCursors(userIds), {
    maxItems: CURSOR_READ_BATCH_MAX,
  });

  constructor(
    private readonly prisma: PrismaClient,
    opts: MessageStoreOptions = {},
  ) {
    this.pool = opts.pool;
    this.windows = {
      editWindowMs: opts.eventWindows?.editWindowMs ?? DEFAULT_EDIT_WINDOW_MS,
      deleteWindowMs: opts.eventWindows?.deleteWindowMs ?? DEFAULT_DELETE_WINDOW_MS,
    };
    const query = <T>(name: string, text: string, values: unknown[]) => this.run<T>(name, text, values);
    this.appends = new AppendBatcher(query, opts.onAppendBatch);
    this.cursors = new CursorBatcher(query, opts.cursorCollectMs ?? 0);
  }

  /** The store's statements by name, for the helpers in their own files. */
  private readonly query: StoreQuery = (name, text, values) => this.run(name, text, values);

  private async run<T>(name: string, text: string, values: unknown[]): Promise<T[]> {
    if (this.pool) return (await this.pool.query({ name: `dim_store_${name}`, text, values })).rows as T[];
    return this.prisma.$queryRawUnsafe<T[]>(text, ...values);
  }

  private q<T>(name: keyof typeof SQL, values: unknown[]): Promise<T[]> {
    return this.run<T>(name, SQL[name], values);
  }

  async append(input: AppendInput): Promise<AppendResult> {
    requireUuid(input.senderId, "senderId");
    requireUuid(input.conversationId, "conversationId");
    if (typeof input.clientMsgId !== "string" || input.clientMsgId.length === 0 || input.clientMsgId.length > 64) {
      throw new AppError(ErrorCode.BadRequest, "clientMsgId must be 1 to 64 characters");
    }
    if (!MESSAGE_KINDS.includes(input.kind)) throw new AppError(ErrorCode.BadRequest, `unknown message kind '${String(input.kind)}'`);
    if (typeof input.body !== "string") throw new AppError(ErrorCode.BadRequest, "body must be a string");
    // PostgreSQL text cannot hold NUL: refused here, it would fail the whole batch's statement.
    if (input.body.includes("\u0000") || input.clientMsgId.includes("\u0000")) {
      throw new AppError(ErrorCode.BadRequest, "body and clientMsgId must not contain NUL characters");
    }
    // UUIDs as PostgreSQL returns them, so a batch compares them as the database does.
    const { senderId, conversationId, clientMsgId, kind, body } = input;
    // Replies and mentions refer to other rows (a seq, members): one transaction of their own.
    if (isEventKind(kind) || input.replyTo !== undefined || input.mentions !== undefined || input.mentionsAll !== undefined) {
      validateEventInput(input);
      return appendEvent(
        this.prisma,
        { ...input, senderId: senderId.toLowerCase(), conversationId: conversationId.toLowerCase() },
        this.windows,
      );
    }
    if (input.targetSeq !== undefined) throw new AppError(ErrorCode.BadRequest, `a ${kind} message has no targetSeq`);
    return resentAfterChange(this.query, input, this.appendMessage(input), (id) => this.membership(id));
  }

  private appendMessage(input: AppendInput): Promise<AppendResult> {
    const { senderId, conversationId, clientMsgId, kind, body } = input;
    if (kind !== "text") {
      if (input.attachmentId === undefined) throw new AppError(ErrorCode.BadRequest, `a ${kind} message needs an attachmentId`);
      requireUuid(input.attachmentId, "attachmentId");
      const query = <T>(name: string, text: string, values: unknown[]) => this.run<T>(name, text, values);
      return appendAttachmentMessage(query, {
        senderId: senderId.toLowerCase(),
        conversationId: conversationId.toLowerCase(),
        clientMsgId,
        kind,
        body,
        attachmentId: input.attachmentId.toLowerCase(),
      });
    }
    if (input.attachmentId !== undefined) throw new AppError(ErrorCode.BadRequest, "a text message has no attachment");
    return this.appends.append({ senderId: senderId.toLowerCase(), conversationId: conversationId.toLowerCase(), clientMsgId, kind, body });
  }

  async members(conversationId: string): Promise<string[] | null> {
    if (!UUID_RE.test(conversationId)) return null;
    const rows = await this.q<{ user_id: string | null }>("members", [conversationId]);
    if (rows.length === 0) return null;
    return rows.flatMap((r) => (r.user_id === null ? [] : [r.user_id]));
  }

  async membership(conversationId: string): Promise<Membership | null> {
    if (!UUID_RE.test(conversationId)) return null;
    const rows = await this.q<{ kind: string; membership_seq: Int8; open: boolean; user_id: string | null; joined_seq: Int8 | null; left_seq: Int8 | null }>(
      "membership",
      [conversationId],
    );
    if (rows.length === 0) return null;
    return {
      kind: rows[0]!.kind === "group" ? "group" : "direct",
      membershipSeq: Number(rows[0]!.membership_seq),
      open: rows[0]!.open,
      members: rows.flatMap((r) =>
        r.user_id === null
          ? []
          : [{ userId: r.user_id, joinedSeq: Number(r.joined_seq), leftSeq: r.left_seq === null ? null : Number(r.left_seq) }],
      ),
    };
  }

  async after(conversationId: string, afterSeq: number, limit: number, viewerId: string): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    requireUuid(viewerId, "viewerId");
    requireSeq(afterSeq, "afterSeq");
    return windowRows(await this.q<NullableMessageRow>("after", [conversationId, afterSeq, clampLimit(limit), viewerId]));
  }

  async before(conversationId: string, beforeSeq: number | undefined, limit: number, viewerId: string): Promise<Message[]> {
    requireUuid(conversationId, "conversationId");
    requireUuid(viewerId, "viewerId");
    if (beforeSeq !== undefined) requireSeq(beforeSeq, "beforeSeq");
    const rows = await this.q<NullableMessageRow>("before", [conversationId, beforeSeq ?? Number.MAX_SAFE_INTEGER, clampLimit(limit), viewerId]);
    return windowRows(rows).reverse();
  }

  async advanceCursor(conversationId: string, userId: string, kind: "delivered" | "read", seq: number): Promise<number | null> {
    return (await this.moveCursor(conversationId, userId, kind, seq))?.value ?? null;
  }

  async moveCursor(conversationId: string, userId: string, kind: "delivered" | "read", seq: number): Promise<CursorAdvance | null> {
    if (!UUID_RE.test(conversationId) || !UUID_RE.test(userId)) return null;
    requireSeq(seq, "seq");
    if (kind !== "delivered" && kind !== "read") throw new AppError(ErrorCode.BadRequest, "cursor kind must be delivered or read");
    return this.cursors.advance({ conversationId: conversationId.toLowerCase(), userId: userId.toLowerCase(), kind, seq });
  }

  async sendersIn(conversationId: string, ranges: readonly SeqRange[]): Promise<string[][]> {
    requireUuid(conversationId, "conversationId");
    if (ranges.length > NodeLimits.maxEnvelopeUsers) throw new AppError(ErrorCode.BadRequest, `at most ${NodeLimits.maxEnvelopeUsers} ranges per call`);
    for (const r of ranges) {
      requireSeq(r.after, "after");
      requireSeq(r.upTo, "upTo");
    }
    const out = ranges.map((): string[] => []);
    if (ranges.length === 0) return out;
    const rows = await this.q<{ i: number; sender_id: string }>("sendersIn", [conversationId, ranges.map((r) => r.after), ranges.map((r) => r.upTo)]);
    for (const row of rows) out[row.i - 1]!.push(row.sender_id);
    return out;
  }

  async sessionLive(sessionId: string, userId: string): Promise<boolean> {
    if (!UUID_RE.test(sessionId) || !UUID_RE.test(userId)) return false;
    return (await this.q<{ live: number }>("sessionLive", [sessionId, userId])).length > 0;
  }

  hide(conversationId: string, userId: string, seqs: number[]): Promise<number[]> {
    return hideMessages(this.query, conversationId, userId, seqs);
  }

  hiddenSeqs(conversationId: string, userId: string): Promise<number[]> {
    return hiddenSeqsOf(this.query, conversationId, userId);
  }

  /** Reads that arrive while one is running go together (a burst of connects = one statement). */
  async cursorsOf(userId: string): Promise<ConversationCursor[]> {
    requireUuid(userId, "userId");
    return this.cursorReads.submit(userId.toLowerCase());
  }

  private async readCursors(userIds: string[]): Promise<Array<BatchOutcome<ConversationCursor[]>>> {
    const unique = [...new Set(userIds)];
    if (unique.length === 1) {
      const cursors = (await this.q<CursorReadRow>("cursorsOf", [unique[0]])).map(toCursor);
      return userIds.map(() => ({ value: cursors }));
    }
    const byUser = new Map<string, ConversationCursor[]>();
    for (const row of await this.q<CursorReadRow>("cursorsOfMany", [unique])) {
      const list = byUser.get(row.user_id!) ?? [];
      list.push(toCursor(row));
      byUser.set(row.user_id!, list);
    }
    return userIds.map((id) => ({ value: byUser.get(id) ?? [] }));
  }
}
