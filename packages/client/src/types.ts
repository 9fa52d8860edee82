// The client library's public types: message states, views, events, the gateway seam.
import type {
  AssignNodeOutput,
  AttachmentKind,
  AttachmentRef,
  ConversationSummary,
  ErrorCode,
  GroupMembersOutput,
  HiddenFrame,
  HistoryOutput,
  Message,
  MessageKind,
  ReactionSummary,
  ReceiptFrame,
  ReceiptsFrame,
  SystemEvent,
} from "@dim/shared";
import type { AppError, ContactPresence, ContactsFrame, MuteFrame, NotifySettingsFrame } from "@dim/shared";
import type { ClientErrorCode } from "./client-error-code";

/** Life of an own message: sending → sent → delivered → read, or failed (manual retry). */
export type MessageState = "sending" | "sent" | "delivered" | "read" | "failed";

/** Why a message failed: a server error code, or the client's ACK clock running out (ACK_TIMEOUT). */
export interface FailureReason {
  code: ClientErrorCode;
  message: string;
  /** The server's details, e.g. an upload's `maxBytes` or INVALID_ATTACHMENT's `reason`. */
  details?: Record<string, unknown>;
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
  /** An `image` / `file` message's attachment (its caption is `body`); null for other kinds. */
  attachment: ChatAttachment | null;
  /** An own attachment in the outbox: where its upload is. null once uploaded and for everything else. */
  upload: UploadProgress | null;
  /** The seq this message quotes (reply), or null. */
  replyTo: number | null;
  /** Edited (body is the latest text), last at this time; null when never edited. */
  editedAt: string | null;
  /** Deleted for everyone: show "message deleted" (body is ""). */
  deleted: boolean;
  /** Reactions folded from the conversation's events, most used first. */
  reactions: ReactionSummary[];
  /** My own reaction, or null. */
  myReaction: string | null;
  /** A group text: the user ids it mentions (its latest edit's), [] when none. */
  mentions: string[];
  /** `@all` / `@everyone` by an owner or admin. */
  mentionsAll: boolean;
  /** It mentions me (`mentionsUser` of @dim/shared: named or @all, from someone else, not deleted). */
  mentionsMe: boolean;
}

/** An attachment as a UI draws it: the server's description, or (own, unsent) what was picked. */
export interface ChatAttachment {
  kind: AttachmentKind;
  /** The server's id once uploaded (fetch it, its thumbnail); null while only on this device. */
  id: string | null;
  name: string;
  size: number;
  /** The server's sniffed type once uploaded; before that what the device said of the file. */
  mime: string;
  width?: number;
  height?: number;
  /** ThumbHash (base64), see placeholderDataUrl. */
  placeholder?: string;
  /** The picked bytes of an own message not stored yet: the preview to show until it is. */
  localFile: Blob | null;
}

/**
 * "waiting": queued, not uploading (offline, or behind another upload); "uploading": `loaded` of
 * `total` bytes are out; "uploaded": the server has it, the message itself is being sent.
 */
export interface UploadProgress {
  status: "waiting" | "uploading" | "uploaded";
  loaded: number;
  total: number;
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
  /**
   * A text, an attachment (image / file: the kind the upload answered; before it, what the picked
   * file looks like), or an event on `targetSeq` (an edit's body: the text; a reaction's: the
   * emoji, "" removes).
   */
  kind: "text" | AttachmentKind | "edit" | "delete" | "reaction";
  /** The text, an attachment's caption (possibly ""), or an event's body. */
  body: string;
  /** A reply (text): the quoted seq. */
  replyTo?: number;
  /** An event: the seq it changes. */
  targetSeq?: number;
  /** A text or edit in a group: the mentioned members' user ids. */
  mentions?: string[];
  /** A text or edit in a group: `@all` / `@everyone` (owner or admin). */
  mentionsAll?: true;
  createdAt: string;
  state: "sending" | "failed";
  error: FailureReason | null;
  /** image / file only: the picked file, uploaded before the `send` is written. */
  attachment?: OutboxAttachment;
}

/** The file of a queued image / file message. The store keeps the Blob itself (IndexedDB can). */
export interface OutboxAttachment {
  file: Blob;
  name: string;
  width?: number;
  height?: number;
  /** The server's answer once uploaded: the `send` carries its id (so re-sends stay idempotent). */
  uploaded: AttachmentRef | null;
  progress: UploadProgress;
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
  /** Seqs I deleted for myself ("delete for me", from any of my devices), ascending. */
  hiddenSeqs: number[];
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
  /**
   * A message the client did not hold before (pushed, synced, or paged in). Not for events
   * (edit, delete, reaction): they change their target's view (a `conversation` event).
   */
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
  /** Messages I deleted for myself (on this or another of my devices) are hidden now. */
  hidden: HiddenFrame;
  /** Who is typing in a conversation changed (someone started, stopped by sending, or expired). */
  typing: { conversationId: string; userIds: string[] };
  /** These contacts' online / last seen changed. */
  presence: { contacts: ContactPresence[] };
  /** My notification settings changed (on this or another device of mine). */
  notifySettings: NotifySettingsFrame;
  /** I muted or unmuted a conversation (on this or another device of mine). */
  mute: MuteFrame;
  /**
   * Contact news pushed by the server (protocol §7 `contacts`): a request made, accepted or
   * declined, a contact removed, a user blocked / unblocked (on any of my devices), a profile
   * changed. Re-read the lists it concerns; after every (re)connect read them once anyway.
   */
  contacts: ContactsFrame;
}

/** What DimClient needs from the gateway. `gatewayPort(createGatewayClient(...))` provides it. */
export interface DimGateway {
  assignNode(input: { exclude: string[] }): Promise<AssignNodeOutput>;
  /** Optional: lets the client learn the other members' cursors it missed while away. */
  listConversations?(): Promise<ConversationSummary[]>;
  /** Optional: lets `loadOlder` page older history. */
  history?(input: { conversationId: string; beforeSeq?: number; afterSeq?: number; aroundSeq?: number; limit?: number }): Promise<HistoryOutput>;
  /** Optional: lets `loadMemberCursors` read a group's members and their cursors. */
  groupMembers?(input: { conversationId: string; cursor?: string; limit?: number }): Promise<GroupMembersOutput>;
}

export type { AttachmentRef, Message };
