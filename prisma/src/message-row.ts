/** Rows of the `messages` table as the store's statements return them, and what they become. */
import { isEventKind, type AttachmentRef, type Message, type MessageKind, type ReactionSummary, type SystemEvent } from "@dim/shared";

/** int8 arrives as bigint through Prisma and as a decimal string through node-postgres. */
export type Int8 = bigint | string;

export interface MessageRow {
  id: string;
  conversation_id: string;
  seq: Int8;
  sender_id: string;
  client_msg_id: string;
  kind: MessageKind;
  body: string;
  /** jsonb: parsed by both node-postgres and Prisma. */
  system: SystemEvent | null;
  /** jsonb; absent from statements that only return text and system messages' columns. */
  attachment?: AttachmentRef | null;
  reply_to?: Int8 | null;
  target_seq?: Int8 | null;
  edited_at?: Date | null;
  deleted_at?: Date | null;
  /** Folded reads only (FOLDED_COLUMNS): the reactions, aggregated. */
  reactions?: ReactionSummary[] | null;
  /** Folded reads only: the viewer hid this message ("delete for me"). */
  hidden?: boolean | null;
  /** uuid[] read as text[]; absent from statements that only return text and system messages' columns. */
  mentions?: string[] | null;
  mentions_all?: boolean | null;
  created_at: Date;
}

export const MESSAGE_COLUMNS =
  "id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, system, attachment, " +
  "reply_to, target_seq, edited_at, deleted_at, mentions::text[] AS mentions, mentions_all, created_at";

/**
 * MESSAGE_COLUMNS of `messages` (unaliased) plus the folded state a reader sees: reactions
 * aggregated per emoji (most used first) and whether the viewer (parameter `viewerParam`) hid it.
 */
export function foldedColumns(viewerParam: string): string {
  return `${MESSAGE_COLUMNS},
    (SELECT jsonb_agg(jsonb_build_object('emoji', e.emoji, 'count', e.n, 'userIds', e.users) ORDER BY e.n DESC, e.first)
       FROM (SELECT r.emoji, count(*) AS n, array_agg(r.user_id::text ORDER BY r.event_seq) AS users, min(r.event_seq) AS first
             FROM message_reactions r WHERE r.conversation_id = messages.conversation_id AND r.message_seq = messages.seq
             GROUP BY r.emoji) e) AS reactions,
    EXISTS (SELECT 1 FROM message_hides h
            WHERE h.user_id = ${viewerParam} AND h.conversation_id = messages.conversation_id AND h.seq = messages.seq) AS hidden`;
}

/** A text's or edit's mentions as the message carries them: absent when none, deleted or hidden. */
function mentionsOf(r: MessageRow): Pick<Message, "mentions" | "mentionsAll"> {
  if ((r.kind !== "text" && r.kind !== "edit") || r.hidden || r.deleted_at) return {};
  return {
    ...(r.mentions && r.mentions.length > 0 ? { mentions: r.mentions } : {}),
    ...(r.mentions_all ? { mentionsAll: true as const } : {}),
  };
}

const iso = (d: Date | string): string => (d instanceof Date ? d : new Date(d)).toISOString();

export function toMessage(r: MessageRow): Message {
  const createdAt = r.created_at instanceof Date ? r.created_at : new Date(r.created_at);
  return {
    id: r.id,
    conversationId: r.conversation_id,
    seq: Number(r.seq),
    senderId: r.sender_id,
    clientMsgId: r.client_msg_id,
    kind: r.kind,
    body: r.body,
    ...(r.kind === "system" && r.system ? { system: r.system } : {}),
    ...((r.kind === "image" || r.kind === "file") && r.attachment && !r.hidden ? { attachment: r.attachment } : {}),
    ...(r.reply_to != null && !r.hidden ? { replyTo: Number(r.reply_to) } : {}),
    ...(isEventKind(r.kind) && r.target_seq != null ? { targetSeq: Number(r.target_seq) } : {}),
    ...(r.edited_at && !r.hidden ? { editedAt: iso(r.edited_at) } : {}),
    ...(r.deleted_at ? { deletedAt: iso(r.deleted_at) } : {}),
    ...(r.hidden ? { hidden: true as const, body: "" } : {}),
    ...(r.reactions && r.reactions.length > 0 && !r.hidden ? { reactions: r.reactions } : {}),
    ...mentionsOf(r),
    createdAt: createdAt.toISOString(),
  };
}

/**
 * Runs one of the store's statements: through a pg pool as a named prepared statement, otherwise
 * through Prisma's raw queries (same text).
 */
export type StoreQuery = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;
