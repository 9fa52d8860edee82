// A conversation's meta as the client first creates it, and as it reads one back from a store.
import type { ConversationMeta } from "./types";

/** A conversation first seen now: a direct one until `conversations.list` says otherwise. */
export function newConversationMeta(conversationId: string, baseSeq: number): ConversationMeta {
  return {
    conversationId,
    baseSeq,
    knownLastSeq: 0,
    readSeq: 0,
    peersDeliveredSeq: 0,
    peersReadSeq: 0,
    kind: "direct",
    memberCount: 2,
    membership: "active",
    members: {},
    hiddenSeqs: [],
  };
}

/**
 * A stored meta, completed: snapshots written before groups existed lack kind, memberCount,
 * membership and members; they were direct conversations, so they get a direct one's defaults.
 */
export function restoredConversationMeta(stored: ConversationMeta): ConversationMeta {
  const partial = stored as Partial<ConversationMeta> & Pick<ConversationMeta, "conversationId">;
  const base = newConversationMeta(partial.conversationId, 0);
  return {
    ...base,
    ...partial,
    kind: partial.kind === "group" ? "group" : "direct",
    memberCount: typeof partial.memberCount === "number" ? partial.memberCount : base.memberCount,
    membership: partial.membership ?? "active",
    members: { ...(partial.members ?? {}) },
    hiddenSeqs: Array.isArray(partial.hiddenSeqs) ? [...partial.hiddenSeqs] : [],
  };
}
