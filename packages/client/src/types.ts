// The client library's public types: message states, views, events, the gateway seam.
import type { AssignNodeOutput, ConversationSummary, ErrorCode, GroupMembersOutput, HistoryOutput, Message, MessageKind, ReceiptFrame, ReceiptsFrame, SystemEvent } from "@dim/shared";
import type { AppError } from "@dim/shared";
import type { ClientErrorCode } from "./client-error-code";

/** Life of an own message: sending → sent → delivered → read, or failed (manual retry). */
export type MessageState = "sending" | "sent" | "delivered" | "read" | "failed";

/** Why a message failed: a server error code, or the client's ACK clock running out (ACK_TIMEOUT). */
export interface FailureReason {
  code: ClientErrorCode;
  message: string;
}

/** One message as a UI shows it: stored ones (with id and seq) and own ones still in the outbox. */
export interface ChatMessage {
  clientMsgId: string;
  conversationId: string;
  /** Server id and per-conversation seq; null while the message is only in the outbox. */
  id: string | null;
  seq: number | null;
  /** null only for messages queued before the client ever learnt who it is. */
  senderId: string | null;
  own: boolean;
  kind: MessageKind;
  body: string;
  /** Server time once stored; the local time it was queued before that. */
  createdAt: string;
  /** State of an own message; null for other people's messages. */
  state: MessageState | null;
  error: FailureReason | null;
  /**
   * An own stored message in a group: how many of the `of` other active members hold it
   * (`delivered`) and have read it (`read`). null for direct conversations, others' messages and
   * the outbox. See group-receipts.ts.
   */
  receipts: GroupReceipts | null;
  /** The typed event of a `system` message; null for every other kind. */
  system: SystemEvent | null;
}

/** "Delivered to `delivered` of `of`, read by `read` of `of`" for one own group message. */
export interface GroupReceipts {
  delivered: number;
  read: number;
  of: number;
}

/** One other member's watermarks in a group (the highest seen; they only move forward). */
export interface MemberCursors {
  deliveredSeq: number;
  readSeq: number;
  /**
   * The seq at which the member joined: it counts for my messages at or above it only. Absent
   * when not known yet (a snapshot from before it was kept; a 1:1-style `receipt`).
   */
  joinedSeq?: number;
}

/** An own message the server has not confirmed (`sent`) yet. Kept in order, persisted. */
export interface OutboxItem {
  clientMsgId: string;
  conversationId: string;
  kind: "text";
  body: string;
  createdAt: string;
  state: "sending" | "failed";
  error: FailureReason | null;
}

/** What the client keeps per conversation besides the messages themselves. */
export interface ConversationMeta {
  conversationId: string;
  /**
   * Messages at or below baseSeq are not needed for contiguity: older history is paged through
   * the gateway (`loadOlder`). 0 for a conversation the client holds from its start.
   */
  baseSeq: number;
  /** Highest seq the server reported (welcome, push, sync). */
  knownLastSeq: number;
  /** My read cursor (any of my devices). */
  readSeq: number;
  /**
   * How far the other members got with my messages. Direct: the other member's highest receipt.
   * Group: the lowest cursor among the other active members (`conversations.list`), the floor
   * assumed for a member whose own cursors are not known.
   */
  peersDeliveredSeq: number;
  peersReadSeq: number;
  /** From `conversations.list`; a snapshot written before groups existed restores as "direct". */
  kind: "direct" | "group";
  /** Active members, me included when I am one (2 for a direct conversation). */
  memberCount: number;
  /** "left" / "removed": a former group, read-only. */
  membership: "active" | "left" | "removed";
  /** Groups: the other members' known cursors by user id (never mine). Empty for direct ones. */
  members: Record<string, MemberCursors>;
}

/** A `conversation` frame, after the client re-read the conversation's summary. */
export interface MembershipChange {
  conversationId: string;
  event: "added" | "changed" | "removed";
  /** The re-read summary; absent when the gateway port cannot list conversations or the read failed. */
  summary?: ConversationSummary;
}

export type ConnectionState =
  | { status: "offline"; reason: { code: number | ErrorCode; message: string } | null }
  | { status: "connecting"; attempt: number }
  | { status: "connected"; nodeId: string; connectionId: string }
  | { status: "reconnecting"; inMs: number; attempt: number }
  | { status: "stopped" };

export interface MessageStateChange {
  conversationId: string;
  clientMsgId: string;
  messageId: string | null;
  seq: number | null;
  previous: MessageState | null;
  state: MessageState;
  error: FailureReason | null;
}

export interface DimClientEvents extends Record<string, unknown> {
  /** Connection state changed. */
  state: ConnectionState;
  /** A message the client did not hold before (pushed, synced, or paged in). */
  message: ChatMessage;
  /** An own message changed state. */
  messageState: MessageStateChange;
  /** A receipt from the server (another member, or my other device, moved a cursor). */
  receipt: ReceiptFrame;
  /** Group receipts from the server: members' cursors moved (states follow as `messageState`). */
  receipts: ReceiptsFrame;
  /** Anything that went wrong that is not a message's own failure (which is a messageState). */
  error: AppError;
  /** A conversation's view changed (new message, state, cursor): re-render it. */
  conversation: { conversationId: string };
  /** A conversation caught up with the server's last seq after a sync. */
  synced: { conversationId: string; lastSeq: number };
  /** I was added to a conversation, it changed (title, members, roles), or I left / was removed. */
  membership: MembershipChange;
}

/** What DimClient needs from the gateway. `gatewayPort(createGatewayClient(...))` provides it. */
export interface DimGateway {
  assignNode(input: { exclude: string[] }): Promise<AssignNodeOutput>;
  /** Optional: lets the client learn the other members' cursors it missed while away. */
  listConversations?(): Promise<ConversationSummary[]>;
  /** Optional: lets `loadOlder` page older history. */
  history?(input: { conversationId: string; beforeSeq?: number; afterSeq?: number; limit?: number }): Promise<HistoryOutput>;
  /** Optional: lets `loadMemberCursors` read a group's members and their cursors. */
  groupMembers?(input: { conversationId: string; cursor?: string; limit?: number }): Promise<GroupMembersOutput>;
}

export type { Message };
