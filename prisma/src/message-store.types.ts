import type { ConversationCursor, Message, MessageKind } from "@dim/shared";

export interface AppendInput {
  senderId: string;
  conversationId: string;
  clientMsgId: string;
  /** System messages are appended by the gateway (packages/api groups/), never through the store. */
  kind: Exclude<MessageKind, "system">;
  /** A text's body; an image's or file's caption (may be ""). */
  body: string;
  /**
   * Required for image / file: the sender's own unsent upload of that kind. The append binds it to
   * the new message in the same statement (FORBIDDEN when it is not the sender's, CONFLICT when
   * another message has it, BAD_REQUEST when its kind differs).
   */
  attachmentId?: string;
  /**
   * edit / delete / reaction: the seq of the message the event changes (an edit's body is the new
   * text, a reaction's the emoji or "" to remove it, a delete's ""). See append-event.ts for the rules.
   */
  targetSeq?: number;
  /** text: quote the earlier message at this seq of the same conversation. */
  replyTo?: number;
  /**
   * text / edit in a group: the mentioned members' user ids (each an active member whose
   * `@username` is in the body: NOT_FOUND / BAD_REQUEST otherwise). See mentions-check.ts.
   */
  mentions?: string[];
  /** text / edit in a group: `@all` / `@everyone` (owner or admin only: FORBIDDEN otherwise). */
  mentionsAll?: boolean;
}

export interface AppendResult {
  message: Message;
  /** true when (senderId, clientMsgId) was already stored with the same content. */
  duplicate: boolean;
  /** Groups are fanned out by node (deliver.group), direct conversations by recipient. */
  conversationKind: "direct" | "group";
  /** The conversation's active members (the sender included), read in the same transaction. */
  memberIds: string[];
  /**
   * The conversation's membership_seq that `memberIds` belong to: the seq of its latest
   * membership change. A node whose cached member list is older re-reads before delivering.
   */
  membershipSeq: number;
}

/** One member of a conversation, active or former: it sees the seqs in [joinedSeq, leftSeq ?? +∞]. */
export interface MemberWindow {
  userId: string;
  joinedSeq: number;
  /** null while the member is active. */
  leftSeq: number | null;
}

/** A cursor move's outcome: the cursor's value after it, and whether this move is what moved it. */
export interface CursorAdvance {
  value: number;
  /**
   * true when the stored cursor of this kind went forward because of this call (its seq is
   * above the value stored before it); false when it asked for nothing new. Receipts go out
   * only for a move (protocol §6).
   */
  moved: boolean;
  /**
   * This kind's stored value just before this call (moves of one batch replayed in call order):
   * the call moved the cursor over (previous, value]. Group receipts go to the authors of the
   * messages in that range.
   */
  previous: number;
}

/** A seq range (after, upTo] of one conversation. */
export interface SeqRange {
  after: number;
  upTo: number;
}

/** Who is (and was) in a conversation, as of its membership_seq. */
export interface Membership {
  kind: "direct" | "group";
  membershipSeq: number;
  /**
   * A direct conversation both users may write to (contacts both ways, neither blocked the
   * other; append-sql.ts directOpen). Always true for a group.
   */
  open: boolean;
  /** Active and former members, by joinedSeq then user id. */
  members: MemberWindow[];
}

/**
 * What core nodes (and the gateway) need from PostgreSQL for messages. PostgreSQL is the source
 * of truth: append commits the message with its seq before anyone is told. An implementation may
 * commit concurrent calls together (PrismaMessageStore group-commits `append` and
 * `advanceCursor`); each call still gets exactly its own result or error.
 *
 * Membership windows: a member sees exactly the seqs in [joined_seq, left_seq] (left_seq open
 * while it is active). Every read for a user (`after`, `before`, `advanceCursor`, `cursorsOf`) is
 * clamped to that user's window, so a former member keeps its history up to its leaving (its
 * removal message included) and nothing after, and a member added later sees nothing before.
 */
export interface MessageStore {
  /**
   * Stores a message with the next seq of its conversation, in one transaction, idempotent by
   * (senderId, clientMsgId). Throws AppError FORBIDDEN when the sender is not an ACTIVE member
   * (or the conversation does not exist), IDEMPOTENCY_CONFLICT when the clientMsgId was used with
   * different content. A re-send of a message stored before the sender left still returns it
   * (duplicate).
   */
  append(input: AppendInput): Promise<AppendResult>;
  /** Active member ids, or null when the conversation does not exist. */
  members(conversationId: string): Promise<string[] | null>;
  /** Active and former members with their windows, or null when the conversation does not exist. */
  membership(conversationId: string): Promise<Membership | null>;
  /**
   * Messages with seq > afterSeq that `viewerId` may see (its window), ascending, at most limit.
   * Throws AppError FORBIDDEN when viewerId never was a member (or no such conversation).
   */
  after(conversationId: string, afterSeq: number, limit: number, viewerId: string): Promise<Message[]>;
  /** Messages with seq < beforeSeq (or the newest when absent) in viewerId's window, returned ascending. FORBIDDEN as `after`. */
  before(conversationId: string, beforeSeq: number | undefined, limit: number, viewerId: string): Promise<Message[]>;
  /**
   * Moves a member's delivered or read cursor forward to min(seq, lastSeq, leftSeq) (never back;
   * read also moves delivered). Returns the new value, or null when the user is not a member.
   */
  advanceCursor(conversationId: string, userId: string, kind: "delivered" | "read", seq: number): Promise<number | null>;
  /** `advanceCursor`, also saying whether this call moved the stored cursor. */
  moveCursor(conversationId: string, userId: string, kind: "delivered" | "read", seq: number): Promise<CursorAdvance | null>;
  /**
   * Per range, the distinct senders of the conversation's text, image and file messages (system
   * messages left out) with seq in (after, upTo]: whom a cursor move over that range concerns. At most
   * `NodeLimits.maxEnvelopeUsers` ranges per call.
   */
  sendersIn(conversationId: string, ranges: readonly SeqRange[]): Promise<string[][]>;
  /**
   * The user's conversations with their cursors (for `welcome`), former groups included: their
   * lastSeq is the user's left seq, so a member removed while offline syncs up to its removal.
   */
  cursorsOf(userId: string): Promise<ConversationCursor[]>;
  /**
   * Whether the gateway session `sessionId` of `userId` is still live (not logged out, not
   * expired): a core node asks at every socket `auth`, so a token issued before a logout is refused.
   */
  sessionLive(sessionId: string, userId: string): Promise<boolean>;
  /**
   * "Delete for me": hides these seqs of the conversation for `userId` (idempotent). Returns the
   * seqs that exist in the user's window (hidden now or before). FORBIDDEN when never a member.
   */
  hide(conversationId: string, userId: string, seqs: number[]): Promise<number[]>;
  /** Every seq of the conversation `userId` hid, ascending (what a sync hands their other devices). */
  hiddenSeqs(conversationId: string, userId: string): Promise<number[]>;
}
