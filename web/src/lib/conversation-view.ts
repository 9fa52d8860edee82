/**
 * What the sidebar shows for a conversation: the gateway's summary (authoritative at the time it
 * was listed) brought up to date with what the live client holds since.
 */
import type { ChatMessage, MessageState } from "@dim/client";
import type { ConversationSummary, PublicUser, SystemEvent } from "@dim/shared";
import { attachmentPreview } from "./attachment-text";
import { systemOf } from "./group-client";
import type { Translator } from "@/i18n";
import { systemText, type NameOf } from "./system-text";

export interface ConversationView {
  id: string;
  kind: "direct" | "group";
  title: string;
  peer: PublicUser | null;
  /** For groups: active members; "left" / "removed": a former group, read-only. */
  memberCount: number;
  membership: ConversationSummary["membership"];
  /**
   * `sender`: who wrote it, shown before the body in groups ("Ana: hi"); null for own messages,
   * direct conversations and system messages (whose `body` is the event in words).
   */
  preview: { body: string; own: boolean; sender: string | null; system: boolean; state: MessageState | null; createdAt: string } | null;
  unreadCount: number;
  /** Unread messages that mention me: the "@" marker while above 0. */
  unreadMentions: number;
  /** Last activity, for sorting (ISO). */
  activityAt: string;
}

/** The live client's view of one conversation (DimClient.conversationMeta + last message). */
export interface LiveConversation {
  heldSeq: number;
  baseSeq: number;
  readSeq: number;
  unreadCount: number;
  unreadMentions: number;
  last: ChatMessage | undefined;
}

/** The list's line for a last message: system events in words, others' names in groups. */
function previewOf(
  m: { senderId: string | null; kind: string; body: string; createdAt: string; system: SystemEvent | null; attachment?: { name: string } | null | undefined },
  group: boolean,
  own: boolean,
  state: MessageState | null,
  ctx: { meId: string; nameOf: NameOf; t: Translator },
): NonNullable<ConversationView["preview"]> {
  if (m.system || m.kind === "system") {
    const body = m.system ? systemText(m.system, m.senderId, ctx, ctx.t) : ctx.t("system.changed");
    return { body, own, sender: null, system: true, state: null, createdAt: m.createdAt };
  }
  const sender = group && !own && m.senderId ? (ctx.nameOf(m.senderId) ?? ctx.t("system.someone")) : null;
  // An image says "Photo", a file its name (with the caption, if any).
  return { body: attachmentPreview(m.kind, m.attachment, m.body, ctx.t), own, sender, system: false, state, createdAt: m.createdAt };
}

const NO_NAMES: NameOf = () => undefined;

/** `t`: the previews' words (system events, "Photo") are in the UI's language. */
export function conversationView(summary: ConversationSummary, live: LiveConversation | undefined, meId: string, t: Translator, nameOf: NameOf = NO_NAMES): ConversationView {
  const title = summary.peer?.displayName ?? summary.title;
  const group = summary.kind === "group";
  const ctx = { meId, nameOf, t };
  const stored = summary.lastMessage;
  let preview: ConversationView["preview"] = stored
    ? previewOf(
        { ...stored, system: stored.system ?? null },
        group,
        stored.senderId === meId,
        stored.senderId === meId ? ownState(summary, stored.seq) : null,
        ctx,
      )
    : null;
  let unreadCount = summary.unreadCount;
  let unreadMentions = summary.unreadMentions;

  if (live) {
    const last = live.last;
    // Outbox items (seq null) are newer than anything stored.
    if (last && (last.seq === null || last.seq >= (summary.lastMessage?.seq ?? 0))) {
      preview = previewOf({ ...last, system: systemOf(last) }, group, last.own, last.state, ctx);
    }
    // The client's count is exact when it holds every message after its read cursor.
    if (live.baseSeq <= live.readSeq && live.heldSeq >= summary.lastSeq) {
      unreadCount = live.unreadCount;
      unreadMentions = live.unreadMentions;
    } else if (live.readSeq >= summary.lastSeq) {
      unreadCount = 0;
      unreadMentions = 0;
    } else if (live.unreadMentions > unreadMentions) unreadMentions = live.unreadMentions; // a mention pushed since the list
  }

  const activityAt = preview && preview.createdAt > summary.updatedAt ? preview.createdAt : summary.updatedAt;
  return { id: summary.id, kind: summary.kind, title, peer: summary.peer, memberCount: summary.memberCount, membership: summary.membership, preview, unreadCount, unreadMentions, activityAt };
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
