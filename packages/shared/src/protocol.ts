/**
 * The WebSocket protocol between clients and core nodes (version 1). This file is the contract;
 * docs/protocol.md describes it for people. Every object is strict: unknown keys are errors.
 */
import { z } from "zod";
import { attachmentRef } from "./attachments";
import { ERROR_CODES } from "./errors";
import { Limits, PROTOCOL_VERSION } from "./limits";
import { memberRole, systemEvent } from "./system-events";
import { hiddenFrame, hideFrame, isEventKind, reactionEmoji, reactionSummary, refSeq } from "./message-events";
import { mentionIds } from "./mentions";
import { presenceFrame, presenceQueryFrame } from "./presence-frames";
import { typingFrame, typingServerFrame } from "./typing";
import { muteFrame, notifySettingsFrame } from "./notifications";

export const uuid = z.uuid();
export const seq = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
export const clientMsgId = z
  .string()
  .min(Limits.minClientMsgIdChars)
  .max(Limits.maxClientMsgIdChars)
  .regex(/^[A-Za-z0-9_-]+$/, "clientMsgId may hold only A-Z, a-z, 0-9, '_' and '-'");
/**
 * `system`: a membership or group change appended by the gateway (system-events.ts); never sent by
 * clients. `edit`, `delete`, `reaction`: events on the message at `targetSeq` (message-events.ts).
 */
export const messageKind = z.enum(["text", "image", "file", "system", "edit", "delete", "reaction"]);
export type MessageKind = z.infer<typeof messageKind>;
export const messageBody = z
  .string()
  .min(1)
  .max(Limits.maxBodyChars)
  .refine((s) => s.trim().length > 0, "body must not be blank");
export const isoDate = z.iso.datetime({ offset: true });

/**
 * A stored message as clients see it. `seq` is gap-free per conversation, starting at 1. A
 * `system` message has body "" and its event in `system`; no other kind has `system`. An `image`
 * or `file` message has its `attachment` (body: its caption, possibly ""); no other kind has one.
 */
export const messageSchema = z
  .strictObject({
    id: uuid,
    conversationId: uuid,
    seq: seq.min(1),
    senderId: uuid,
    clientMsgId,
    kind: messageKind,
    body: z.string().max(Limits.maxBodyChars),
    system: systemEvent.optional(),
    attachment: attachmentRef.optional(),
    /** A text / image / file message quoting the earlier message at this seq. */
    replyTo: refSeq.optional(),
    /** An edit / delete / reaction: the seq of the message it changes. */
    targetSeq: refSeq.optional(),
    /** Folded state (history, sync, pushes): the text was edited, last at this time. */
    editedAt: isoDate.optional(),
    /** Folded state: deleted for everyone (a tombstone: body "", no attachment, no replyTo). */
    deletedAt: isoDate.optional(),
    /** Folded state, for you alone: you deleted it for yourself (body "", no attachment). */
    hidden: z.literal(true).optional(),
    /** Folded state: reactions, one entry per emoji (absent when there are none). */
    reactions: z.array(reactionSummary).optional(),
    /**
     * A group text (or an edit event): the user ids it mentions (`@username` in the body), absent
     * when none. Folded: a text carries the mentions of its latest edit. See mentions.ts.
     */
    mentions: z.array(uuid).min(1).max(Limits.maxMentions).optional(),
    /** `@all` / `@everyone` by a group owner or admin: every member is mentioned. */
    mentionsAll: z.literal(true).optional(),
    createdAt: isoDate,
  })
  .refine((m) => (m.kind === "system") === (m.system !== undefined) && (m.kind !== "system" || m.body === ""), {
    message: "a system message has `system` and an empty body; other kinds have no `system`",
  })
  .refine(
    (m) =>
      ((m.kind === "image" || m.kind === "file") && m.deletedAt === undefined && m.hidden === undefined) === (m.attachment !== undefined) &&
      (m.attachment === undefined || m.attachment.kind === m.kind),
    { message: "an image or file message has an `attachment` of its kind (unless deleted or hidden); other kinds have none" },
  )
  .refine((m) => isEventKind(m.kind) === (m.targetSeq !== undefined) && (m.targetSeq === undefined || m.targetSeq < m.seq), {
    message: "an edit, delete or reaction has a `targetSeq` below its own seq; other kinds have none",
  })
  .refine((m) => (m.mentions === undefined && m.mentionsAll === undefined) || m.kind === "text" || m.kind === "edit", {
    message: "only a text or an edit carries `mentions` / `mentionsAll`",
  });
export type Message = z.infer<typeof messageSchema>;

// ─────────────────────── shapes the gateway and the socket share ───────────────────────

export const username = z
  .string()
  .min(Limits.usernameMin)
  .max(Limits.usernameMax)
  .regex(/^[a-z0-9_]+$/, "username may hold only a-z, 0-9 and '_'");

export const publicUser = z.strictObject({
  id: uuid,
  username,
  displayName: z.string(),
  /** The profile's status line ("" when none). */
  statusText: z.string(),
  /** `/api/files/<id>` of the avatar (for anyone who can see the user), null: show initials. */
  avatarUrl: z.string().nullable(),
});
export type PublicUser = z.infer<typeof publicUser>;

/** One of your conversations as `conversations.list` and the `conversation` frame show it. */
export const conversationSummary = z.strictObject({
  id: uuid,
  kind: z.enum(["direct", "group"]),
  /** The group's title; for direct conversations the other member's display name. */
  title: z.string(),
  /** The other member, for direct conversations. */
  peer: publicUser.nullable(),
  /** The newest message you may see (of a former group: up to your leaving). */
  lastMessage: messageSchema.nullable(),
  /** The highest seq you may see (of a former group: your left seq). */
  lastSeq: seq,
  readSeq: seq,
  deliveredSeq: seq,
  unreadCount: z.number().int().nonnegative(),
  /** Of those, the messages that mention you (`mentionsUser`): the list's "@" marker while above 0. */
  unreadMentions: z.number().int().nonnegative(),
  /** The lowest delivered / read cursor among the other active members: how far *my* messages got. */
  peersDeliveredSeq: seq,
  peersReadSeq: seq,
  /** Active members, you included when you are one. */
  memberCount: z.number().int().nonnegative(),
  /** Your role in a group you are an active member of; null for direct conversations and former groups. */
  myRole: memberRole.nullable(),
  /** "left" / "removed": a former group, read-only, its history up to your leaving. */
  membership: z.enum(["active", "left", "removed"]),
  /** The group's picture (an attachment id), null when there is none (show initials). */
  avatarAttachmentId: uuid.nullable(),
  /** Your mute of this conversation (notifications.mute): muted while ahead; MUTE_FOREVER for "forever"; null: not muted. */
  mutedUntil: isoDate.nullable(),
  updatedAt: isoDate,
});
export type ConversationSummary = z.infer<typeof conversationSummary>;

// ───────────────────────────── client → server ─────────────────────────────

/** First frame on every socket. Nothing else is accepted before it. */
export const authFrame = z.strictObject({
  type: z.literal("auth"),
  v: z.number().int().positive(),
  token: z.string().min(1).max(2048),
});

/** Send a text message. Re-send with the same clientMsgId until `sent` arrives; it is stored once. */
export const sendTextFrame = z.strictObject({
  type: z.literal("send"),
  conversationId: uuid,
  clientMsgId,
  kind: z.literal("text"),
  body: messageBody,
  /** Quote the earlier message at this seq of the same conversation. */
  replyTo: refSeq.optional(),
  /** Groups: the members this text mentions; each one's `@username` must be in the body. */
  mentions: mentionIds.optional(),
  /** Groups, owner or admin only: `@all` / `@everyone` in the body mentions every member. */
  mentionsAll: z.literal(true).optional(),
});

/**
 * Send an uploaded attachment (its kind: what the upload answered), with an optional caption. The
 * attachment must be the sender's own and not sent before: an attachment belongs to the one
 * message that first sent it (to send the same bytes again, upload them again).
 */
export const sendAttachmentFrame = z.strictObject({
  type: z.literal("send"),
  conversationId: uuid,
  clientMsgId,
  kind: z.enum(["image", "file"]),
  attachmentId: uuid,
  caption: z.string().max(Limits.maxCaptionChars).optional(),
});

/** Replace the text of your own text message at `targetSeq` (within the edit window). */
export const sendEditFrame = z.strictObject({
  type: z.literal("send"),
  conversationId: uuid,
  clientMsgId,
  kind: z.literal("edit"),
  targetSeq: refSeq,
  body: messageBody,
  /** The edited text's mentions (they replace the message's: omit to mention nobody). */
  mentions: mentionIds.optional(),
  mentionsAll: z.literal(true).optional(),
});

/** Delete your own message at `targetSeq` for everyone (within the delete window). */
export const sendDeleteFrame = z.strictObject({
  type: z.literal("send"),
  conversationId: uuid,
  clientMsgId,
  kind: z.literal("delete"),
  targetSeq: refSeq,
});

/** Set your reaction on the message at `targetSeq` to `emoji` (replacing yours), or remove it (null). */
export const sendReactionFrame = z.strictObject({
  type: z.literal("send"),
  conversationId: uuid,
  clientMsgId,
  kind: z.literal("reaction"),
  targetSeq: refSeq,
  emoji: reactionEmoji.nullable(),
});

export const sendFrame = z.discriminatedUnion("kind", [sendTextFrame, sendAttachmentFrame, sendEditFrame, sendDeleteFrame, sendReactionFrame]);

/** "I hold every message of this conversation up to and including seq" (recipient ACK). */
export const ackFrame = z.strictObject({
  type: z.literal("ack"),
  conversationId: uuid,
  seq: seq.min(1),
});

/** "I have read every message of this conversation up to and including seq." */
export const readFrame = z.strictObject({
  type: z.literal("read"),
  conversationId: uuid,
  seq: seq.min(1),
});

/** Ask for the messages after `afterSeq`, in order. Answered by `sync.batch`. */
export const syncFrame = z.strictObject({
  type: z.literal("sync"),
  conversationId: uuid,
  afterSeq: seq,
  limit: z.number().int().min(1).max(Limits.maxPageSize).optional(),
});

/** Heartbeat. Any inbound frame counts as activity; this one exists for idle clients. */
export const pingFrame = z.strictObject({
  type: z.literal("ping"),
  /** Echoed in `pong`, for round-trip measurement. */
  t: z.number().int().nonnegative().optional(),
});

export const clientFrame = z.discriminatedUnion("type", [
  authFrame,
  sendFrame,
  ackFrame,
  readFrame,
  syncFrame,
  pingFrame,
  hideFrame,
  typingFrame,
  presenceQueryFrame,
]);
export type ClientFrame = z.infer<typeof clientFrame>;
export type AuthFrame = z.infer<typeof authFrame>;
export type SendFrame = z.infer<typeof sendFrame>;
export type SendTextFrame = z.infer<typeof sendTextFrame>;
export type SendAttachmentFrame = z.infer<typeof sendAttachmentFrame>;
export type SendEditFrame = z.infer<typeof sendEditFrame>;
export type SendDeleteFrame = z.infer<typeof sendDeleteFrame>;
export type SendReactionFrame = z.infer<typeof sendReactionFrame>;
export type AckFrame = z.infer<typeof ackFrame>;
export type ReadFrame = z.infer<typeof readFrame>;
export type SyncFrame = z.infer<typeof syncFrame>;
export type PingFrame = z.infer<typeof pingFrame>;
export const CLIENT_FRAME_TYPES = ["auth", "send", "ack", "read", "sync", "ping", "hide", "typing", "presence.query"] as const;

// ───────────────────────────── server → client ─────────────────────────────

export const conversationCursor = z.strictObject({
  conversationId: uuid,
  /** Highest seq stored in the conversation. */
  lastSeq: seq,
  /** Highest seq this user acknowledged (delivered) / read. */
  deliveredSeq: seq,
  readSeq: seq,
  /**
   * How many messages of this conversation you deleted for yourself (absent when none). A device
   * that holds fewer syncs the conversation: the `sync.batch` lists them all.
   */
  hiddenCount: z.number().int().min(1).optional(),
});
export type ConversationCursor = z.infer<typeof conversationCursor>;

/** Answer to a valid `auth`. The client compares `conversations` with what it holds and syncs. */
export const welcomeFrame = z.strictObject({
  type: z.literal("welcome"),
  v: z.literal(PROTOCOL_VERSION),
  nodeId: z.string(),
  connectionId: z.string(),
  userId: uuid,
  heartbeatMs: z.number().int().positive(),
  idleTimeoutMs: z.number().int().positive(),
  ackTimeoutMs: z.number().int().positive(),
  conversations: z.array(conversationCursor),
});

/** Server ACK: the message is committed. Re-sends of the same clientMsgId get the same answer. */
export const sentFrame = z.strictObject({
  type: z.literal("sent"),
  clientMsgId,
  messageId: uuid,
  conversationId: uuid,
  seq: seq.min(1),
  createdAt: isoDate,
  /** true when this clientMsgId had been stored before (a re-send). */
  duplicate: z.boolean(),
});

/** A pushed message. Also sent to the sender's other connections. ACK it with `ack`. */
export const messageFrame = z.strictObject({
  type: z.literal("message"),
  message: messageSchema,
});

/** Cursor news for a conversation: `userId` has delivered / read everything up to `seq`. */
export const receiptFrame = z.strictObject({
  type: z.literal("receipt"),
  conversationId: uuid,
  userId: uuid,
  kind: z.enum(["delivered", "read"]),
  seq: seq,
});

export const syncBatchFrame = z.strictObject({
  type: z.literal("sync.batch"),
  conversationId: uuid,
  messages: z.array(messageSchema),
  /** More messages exist after the last one here: ask again with its seq. */
  hasMore: z.boolean(),
  lastSeq: seq,
  /** Every seq of this conversation you deleted for yourself (absent when none): other devices catch up here. */
  hidden: z.array(refSeq).optional(),
});

export const pongFrame = z.strictObject({
  type: z.literal("pong"),
  t: z.number().int().nonnegative().optional(),
});

/** A typed error. `ref` names what it answers: the clientMsgId of a send, or the frame type. */
export const errorFrame = z.strictObject({
  type: z.literal("error"),
  code: z.enum(ERROR_CODES),
  message: z.string(),
  ref: z.string().optional(),
});

/**
 * Membership news for you: `added` (you are now a member), `changed` (title, members or roles
 * changed), `removed` (you were removed or left: the summary, when present, says which). The
 * summary is your own view; when absent, read `conversations.list` / `groups.members`.
 */
export const conversationFrame = z.strictObject({
  type: z.literal("conversation"),
  event: z.enum(["added", "changed", "removed"]),
  conversationId: uuid,
  summary: conversationSummary.optional(),
});

/**
 * Contact news for you, pushed to every connected device (protocol §7 `contacts`). `user` is the
 * other user of the event, as you may see them now: `request` (a contact request between you was
 * made or re-opened, by them or by you on another device), `accepted`, `declined`, `removed`
 * (either of you removed the other: your direct conversation is read-only), `blocked` /
 * `unblocked` (you did it, on any device: never sent to the blocked user), `profile` (their
 * display name, status line or avatar changed; also your own, to your other devices). A doorbell:
 * re-read `contacts.requests` / `contacts.list` / `contacts.blocked` as needed; after a reconnect,
 * read them once (a device that was offline missed these frames).
 */
export const contactsFrame = z.strictObject({
  type: z.literal("contacts"),
  event: z.enum(["request", "accepted", "declined", "removed", "blocked", "unblocked", "profile"]),
  user: publicUser,
});
export type ContactsFrame = z.infer<typeof contactsFrame>;
export type ContactsEvent = ContactsFrame["event"];

/**
 * A group member's cursors, as the `receipts` frame carries them, with the seq at which the member
 * joined: it counts for messages at or above joinedSeq only ("read by k of n" leaves out members
 * who joined after the message).
 */
export const memberCursor = z.strictObject({ userId: uuid, deliveredSeq: seq, readSeq: seq, joinedSeq: seq });
export type MemberCursor = z.infer<typeof memberCursor>;

/**
 * Group receipts, coalesced and addressed (1:1 conversations keep `receipt`): per window, the
 * cursors that moved over a message YOU sent (you need k of n only for your own messages), and
 * your own read cursor when another device of yours moved it. Never the cursors of every member:
 * the full list is `groups.members` / `conversations.readers`, on demand. Watermarks: only move
 * forward; `readSeq` 0 means the read cursor did not move in the window.
 */
export const receiptsFrame = z.strictObject({
  type: z.literal("receipts"),
  conversationId: uuid,
  cursors: z.array(memberCursor).min(1),
});

export const serverFrame = z.discriminatedUnion("type", [
  welcomeFrame,
  sentFrame,
  messageFrame,
  receiptFrame,
  syncBatchFrame,
  pongFrame,
  errorFrame,
  conversationFrame,
  contactsFrame,
  receiptsFrame,
  hiddenFrame,
  typingServerFrame,
  presenceFrame,
  notifySettingsFrame,
  muteFrame,
]);
export type ServerFrame = z.infer<typeof serverFrame>;
/** Every server frame type: the closed label set of the frames-out counters (metrics). */
export const SERVER_FRAME_TYPES = serverFrame.options.map((o) => o.shape.type.value) as ServerFrame["type"][];
export type WelcomeFrame = z.infer<typeof welcomeFrame>;
export type SentFrame = z.infer<typeof sentFrame>;
export type MessageFrame = z.infer<typeof messageFrame>;
export type ReceiptFrame = z.infer<typeof receiptFrame>;
export type SyncBatchFrame = z.infer<typeof syncBatchFrame>;
export type PongFrame = z.infer<typeof pongFrame>;
export type ErrorFrame = z.infer<typeof errorFrame>;
export type ConversationFrame = z.infer<typeof conversationFrame>;
export type ReceiptsFrame = z.infer<typeof receiptsFrame>;
