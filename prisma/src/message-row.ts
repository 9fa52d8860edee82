/** Rows of the `messages` table as the store's statements return them, and what they become. */
import type { Message, MessageKind, SystemEvent } from "@dim/shared";

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
  created_at: Date;
}

export const MESSAGE_COLUMNS =
  "id::text, conversation_id::text, seq, sender_id::text, client_msg_id, kind::text AS kind, body, system, created_at";

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
    createdAt: createdAt.toISOString(),
  };
}

/**
 * Runs one of the store's statements: through a pg pool as a named prepared statement, otherwise
 * through Prisma's raw queries (same text).
 */
export type StoreQuery = <T>(name: string, text: string, values: unknown[]) => Promise<T[]>;

/** The SQLSTATE of a PostgreSQL error, however Prisma's driver adapter wraps it. */
function hasSqlState(err: unknown, code: string, messagePattern: RegExp): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const o = e as { code?: unknown; meta?: { code?: unknown; driverAdapterError?: unknown }; cause?: unknown; message?: unknown };
    if (o.code === code || o.meta?.code === code) return true;
    if (typeof o.message === "string" && messagePattern.test(o.message)) return true;
    e = o.cause ?? o.meta?.driverAdapterError;
  }
  return false;
}

/** unique_violation (23505). */
export const isUniqueViolation = (err: unknown): boolean => hasSqlState(err, "23505", /\b23505\b|unique constraint/i);

/** deadlock_detected (40P01): the statement was chosen as the victim and rolled back as a whole. */
export const isDeadlock = (err: unknown): boolean => hasSqlState(err, "40P01", /\b40P01\b|deadlock detected/i);
