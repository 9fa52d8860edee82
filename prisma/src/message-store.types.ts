import type { ConversationCursor, Message, MessageKind } from "@dim/shared";

export interface AppendInput {
  senderId: string;
  conversationId: string;
  clientMsgId: string;
  kind: MessageKind;
  body: string;
}

export interface AppendResult {
  message: Message;
  /** true when (senderId, clientMsgId) was already stored with the same content. */
  duplicate: boolean;
  /** The conversation's members (the sender included), read in the same transaction. */
  memberIds: string[];
}

/**
 * What core nodes (and the gateway) need from PostgreSQL for messages. PostgreSQL is the source
 * of truth: append commits the message with its seq before anyone is told. An implementation may
 * commit concurrent calls together (PrismaMessageStore group-commits `append` and
 * `advanceCursor`); each call still gets exactly its own result or error.
 */
export interface MessageStore {
  /**
   * Stores a message with the next seq of its conversation, in one transaction, idempotent by
   * (senderId, clientMsgId). Throws AppError FORBIDDEN when the sender is not a member (or the
   * conversation does not exist), IDEMPOTENCY_CONFLICT when the clientMsgId was used with
   * different content.
   */
  append(input: AppendInput): Promise<AppendResult>;
  /** Member ids, or null when the conversation does not exist. */
  members(conversationId: string): Promise<string[] | null>;
  /** Messages with seq > afterSeq, ascending, at most limit. Caller checks membership. */
  after(conversationId: string, afterSeq: number, limit: number): Promise<Message[]>;
  /** Messages with seq < beforeSeq (or the newest when absent), returned ascending. */
  before(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<Message[]>;
  /**
   * Moves a member's delivered or read cursor forward to min(seq, lastSeq) (never back; read
   * also moves delivered). Returns the new value, or null when the user is not a member.
   */
  advanceCursor(conversationId: string, userId: string, kind: "delivered" | "read", seq: number): Promise<number | null>;
  /** The user's conversations with their cursors (for `welcome`). */
  cursorsOf(userId: string): Promise<ConversationCursor[]>;
}
