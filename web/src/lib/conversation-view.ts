/**
 * What the sidebar shows for a conversation: the gateway's summary (authoritative at the time it
 * was listed) brought up to date with what the live client holds since.
 */
import type { ChatMessage, MessageState } from "@dim/client";
import type { ConversationSummary, PublicUser } from "@dim/shared";

export interface ConversationView {
  id: string;
  title: string;
  peer: PublicUser | null;
  preview: { body: string; own: boolean; state: MessageState | null; createdAt: string } | null;
  unreadCount: number;
  /** Last activity, for sorting (ISO). */
  activityAt: string;
}

/** The live client's view of one conversation (DimClient.conversationMeta + last message). */
export interface LiveConversation {
  heldSeq: number;
  baseSeq: number;
  readSeq: number;
  unreadCount: number;
  last: ChatMessage | undefined;
}

export function conversationView(summary: ConversationSummary, live: LiveConversation | undefined, meId: string): ConversationView {
  const title = summary.peer?.displayName ?? summary.title;
  let preview: ConversationView["preview"] = summary.lastMessage
    ? {
        body: summary.lastMessage.body,
        own: summary.lastMessage.senderId === meId,
        state: summary.lastMessage.senderId === meId ? ownState(summary, summary.lastMessage.seq) : null,
        createdAt: summary.lastMessage.createdAt,
      }
    : null;
  let unreadCount = summary.unreadCount;

  if (live) {
    const last = live.last;
    // Outbox items (seq null) are newer than anything stored.
    if (last && (last.seq === null || last.seq >= (summary.lastMessage?.seq ?? 0))) {
      preview = { body: last.body, own: last.own, state: last.state, createdAt: last.createdAt };
    }
    // The client's count is exact when it holds every message after its read cursor.
    if (live.baseSeq <= live.readSeq && live.heldSeq >= summary.lastSeq) unreadCount = live.unreadCount;
    else if (live.readSeq >= summary.lastSeq) unreadCount = 0;
  }

  const activityAt = preview && preview.createdAt > summary.updatedAt ? preview.createdAt : summary.updatedAt;
  return { id: summary.id, title, peer: summary.peer, preview, unreadCount, activityAt };
}

/** Most recent activity first. */
export function sortByActivity(views: ConversationView[]): ConversationView[] {
  return [...views].sort((a, b) => (a.activityAt < b.activityAt ? 1 : a.activityAt > b.activityAt ? -1 : a.id.localeCompare(b.id)));
}

/** State of an own stored message from the summary's cursors (how far the others got). */
export function ownState(summary: Pick<ConversationSummary, "peersReadSeq" | "peersDeliveredSeq">, seq: number): MessageState {
  if (seq <= summary.peersReadSeq) return "read";
  if (seq <= summary.peersDeliveredSeq) return "delivered";
  return "sent";
}
