/**
 * Inputs and outputs of the gateway's tRPC procedures (version 1). Procedures live in
 * packages/api; docs/protocol.md documents each with an example.
 */
import { z } from "zod";
import { Limits } from "./limits";
import { isoDate, messageSchema, publicUser, seq, username, uuid } from "./protocol";

export const password = z.string().min(Limits.passwordMin).max(Limits.passwordMax);
export const displayName = z
  .string()
  .trim()
  .min(1)
  .max(Limits.displayNameMax);

// auth.*
export const registerInput = z.strictObject({ username, password, displayName: displayName.optional() });
/** Login matches usernames case-insensitively: the bound applies after trimming and lower-casing. */
export const loginInput = z.strictObject({
  username: z.string().trim().toLowerCase().min(1).max(Limits.usernameMax),
  password: z.string().min(1).max(Limits.passwordMax),
});
/** `sessionToken` is also set as an httpOnly cookie for browsers; other clients send it as a Bearer token. */
export const sessionOutput = z.strictObject({ user: publicUser, sessionToken: z.string(), expiresAt: isoDate });
export type SessionOutput = z.infer<typeof sessionOutput>;

// users.*
export const searchUsersInput = z.strictObject({
  query: z.string().trim().min(1).max(Limits.usernameMax),
  limit: z.number().int().min(1).max(Limits.maxSearchResults).default(10),
});

// contacts.*
export const contactRequestInput = z.strictObject({ username });
export const contactRequestIdInput = z.strictObject({ requestId: uuid });
export const contactRequest = z.strictObject({
  id: uuid,
  from: publicUser,
  to: publicUser,
  status: z.enum(["pending", "accepted", "declined"]),
  createdAt: isoDate,
});
export type ContactRequest = z.infer<typeof contactRequest>;
export const contactRequestsOutput = z.strictObject({
  incoming: z.array(contactRequest),
  outgoing: z.array(contactRequest),
});
export const contact = z.strictObject({ user: publicUser, conversationId: uuid, since: isoDate });
export type Contact = z.infer<typeof contact>;
export const acceptOutput = z.strictObject({ contact });
/** contacts.block / contacts.unblock / contacts.remove: the other user, by id. */
export const contactUserInput = z.strictObject({ userId: uuid });
/** A user you blocked, and since when. */
export const blockedUser = z.strictObject({ user: publicUser, since: isoDate });
export type BlockedUser = z.infer<typeof blockedUser>;
export const blockedUsersOutput = z.array(blockedUser);

// conversations.* (ConversationSummary is in protocol.ts: the `conversation` frame carries it too)

/** History page: give `beforeSeq` to page backwards (newest first is NOT used: always ascending), or `afterSeq` to page forwards. */
export const historyInput = z
  .strictObject({
    conversationId: uuid,
    beforeSeq: seq.min(1).optional(),
    afterSeq: seq.optional(),
    /** A page around this seq (a search result, a date, the first unread): about half before it, it and the rest after. */
    aroundSeq: seq.min(1).optional(),
    limit: z.number().int().min(1).max(Limits.maxPageSize).default(Limits.defaultPageSize),
  })
  .refine(
    (v) => [v.beforeSeq, v.afterSeq, v.aroundSeq].filter((x) => x !== undefined).length <= 1,
    "give at most one of beforeSeq, afterSeq, aroundSeq",
  );
export const historyOutput = z.strictObject({
  /** Ascending by seq. */
  messages: z.array(messageSchema),
  /** More messages exist in the paging direction (with aroundSeq: older ones). */
  hasMore: z.boolean(),
  /** With aroundSeq only: newer messages exist after the page. */
  hasMoreAfter: z.boolean().optional(),
  lastSeq: seq,
});
export type HistoryOutput = z.infer<typeof historyOutput>;

export const markReadInput = z.strictObject({ conversationId: uuid, seq: seq.min(1) });
export const markReadOutput = z.strictObject({ readSeq: seq });

// nodes.*
export const assignNodeInput = z
  .strictObject({
    /** Node ids the client saw fail; they are not assigned again if another node is live. */
    exclude: z.array(z.string().min(1).max(64)).max(16).default([]),
  })
  .default({ exclude: [] });
export const assignNodeOutput = z.strictObject({
  nodeId: z.string(),
  wsUrl: z.string(),
  /** Short-lived, bound to nodeId. Send it in the `auth` frame, never in a URL. */
  token: z.string(),
  expiresAt: isoDate,
  protocolVersion: z.number().int().positive(),
});
export type AssignNodeOutput = z.infer<typeof assignNodeOutput>;

export const okOutput = z.strictObject({ ok: z.literal(true) });
