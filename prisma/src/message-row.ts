/** Rows of the `messages` table as the store's statements return them, and what they become. */
import type { AttachmentRef, Message, MessageKind, SystemEvent } from "@dim/shared";

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
  created_at: Date;
}

export const MESSAGE_COLUMNS =
  "id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, system, attachment, created_at";

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
    ...((r.kind === "image" || r.kind === "file") && r.attachment ? { attachment: r.attachment } : {}),
    createdAt: createdAt.toISOString(),
  };
}

/**
 * Runs one of the store's statements: through a pg pool as a named prepared statement, otherwise
 * through Prisma's raw queries (same text).
 */
export type StoreQuery = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;
