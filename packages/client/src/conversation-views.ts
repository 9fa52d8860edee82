/**
 * What the client holds, as the UI reads it: who the user is, every conversation's state, and
 * the frozen views built from them (same identity until a `conversation` event says otherwise).
 */
import { mentionsUser, type Message } from "@dim/shared";
import { foldMessages, myReaction, type FoldedMessage } from "./event-fold";
import { newConversationMeta } from "./conversation-meta";
import { ConversationState } from "./conversation-state";
import type { ClientPersistence } from "./persistence";
import type { ClientSnapshot } from "./store";
import type { ChatAttachment, ChatMessage, ConversationMeta, OutboxAttachment, OutboxItem } from "./types";

/** The sender leg's queue, read-only: views show its items after the stored messages. */
export interface OutboxReader {
  all(): OutboxItem[];
  inConversation(conversationId: string): OutboxItem[];
}

export interface ConversationViewsOptions {
  outbox: OutboxReader;
  persistence: Pick<ClientPersistence, "saveConversation">;
  /** A conversation first seen with lastSeq N starts at N - maxInitialSync (older: paged in). */
  maxInitialSync: number;
  /** A conversation's view changed: tell the UI. */
  changed(conversationId: string): void;
}

export class ConversationViews {
  /** Known after the first welcome (or from the store); null before. */
  userId: string | null = null;
  private readonly conversations = new Map<string, ConversationState>();
  /** Cached views (stable identities for UI snapshots), dropped on every change. */
  private readonly views = new Map<string, readonly ChatMessage[]>();
  private outboxView: readonly OutboxItem[] | null = null;

  constructor(private readonly options: ConversationViewsOptions) {}

  ids(): string[] {
    return [...this.conversations.keys()];
  }

  get(conversationId: string): ConversationState | undefined {
    return this.conversations.get(conversationId);
  }

  /** The conversation's state, created (and saved) on first sight. `lastSeq` bounds the initial sync. */
  conversation(conversationId: string, lastSeq = 0): ConversationState {
    let conv = this.conversations.get(conversationId);
    if (!conv) {
      const baseSeq = Math.max(0, lastSeq - this.options.maxInitialSync);
      conv = new ConversationState(newConversationMeta(conversationId, baseSeq));
      this.conversations.set(conversationId, conv);
      this.options.persistence.saveConversation(conv);
    }
    return conv;
  }

  meta(conversationId: string): (ConversationMeta & { heldSeq: number; unreadCount: number; unreadMentions: number }) | undefined {
    const conv = this.conversations.get(conversationId);
    if (!conv) return undefined;
    return { ...conv.meta, heldSeq: conv.contiguousSeq, unreadCount: conv.unreadCount(this.userId), unreadMentions: conv.unreadMentions(this.userId) };
  }

  /** Stored messages ascending by seq, then own messages still in the outbox, in queue order. */
  messages(conversationId: string): readonly ChatMessage[] {
    const cached = this.views.get(conversationId);
    if (cached) return cached;
    const conv = this.conversations.get(conversationId);
    // Events are folded into the messages they change; hidden ones ("delete for me") are left out.
    const stored = conv ? foldMessages(conv.messages(), new Set(conv.meta.hiddenSeqs)).map((f) => this.viewOfFolded(conv, f)) : [];
    // Queued events show once stored (folded); queued texts and attachments show at once.
    const pending = this.options.outbox
      .inConversation(conversationId)
      .filter((i) => i.kind === "text" || i.kind === "image" || i.kind === "file")
      .map((i) => this.viewOfOutbox(i));
    const view = Object.freeze([...stored, ...pending]);
    this.views.set(conversationId, view);
    return view;
  }

  outbox(): readonly OutboxItem[] {
    this.outboxView ??= Object.freeze(this.options.outbox.all().map((i) => ({ ...i })));
    return this.outboxView;
  }

  /** True when an own message with this clientMsgId is already stored in the conversation. */
  hasOwnStored(conversationId: string, clientMsgId: string): boolean {
    return this.conversations.get(conversationId)?.messages().some((m) => m.clientMsgId === clientMsgId && m.senderId === this.userId) ?? false;
  }

  viewOf(conv: ConversationState, m: Message): ChatMessage {
    return this.viewOfFolded(conv, {
      message: m,
      body: m.body,
      editedAt: m.editedAt ?? null,
      deleted: m.deletedAt !== undefined,
      reactions: m.reactions ?? [],
      mentions: m.mentions ?? [],
      mentionsAll: m.mentionsAll === true,
    });
  }

  /** The folded state of one message: its current text, edited / deleted marks and reactions. */
  viewOfFolded(conv: ConversationState, f: FoldedMessage): ChatMessage {
    const m = f.message;
    const own = this.userId !== null && m.senderId === this.userId;
    return {
      clientMsgId: m.clientMsgId,
      conversationId: m.conversationId,
      id: m.id,
      seq: m.seq,
      senderId: m.senderId,
      own,
      kind: m.kind,
      body: f.body,
      createdAt: m.createdAt,
      state: own ? conv.stateOfSeq(m.seq) : null,
      error: null,
      receipts: own ? conv.receiptsOfSeq(m.seq) : null,
      system: m.system ?? null,
      attachment: m.attachment ? { ...m.attachment, localFile: null } : null,
      upload: null,
      replyTo: f.deleted ? null : (m.replyTo ?? null),
      editedAt: f.editedAt,
      deleted: f.deleted,
      reactions: f.reactions,
      myReaction: myReaction(f.reactions, this.userId),
      mentions: f.deleted ? [] : f.mentions,
      mentionsAll: !f.deleted && f.mentionsAll,
      mentionsMe:
        this.userId !== null &&
        !f.deleted &&
        mentionsUser({ kind: m.kind, senderId: m.senderId, mentions: f.mentions, ...(f.mentionsAll ? { mentionsAll: true } : {}) }, this.userId),
    };
  }

  viewOfOutbox(item: OutboxItem): ChatMessage {
    return {
      clientMsgId: item.clientMsgId,
      conversationId: item.conversationId,
      id: null,
      seq: null,
      senderId: this.userId,
      own: true,
      kind: item.kind,
      body: item.body,
      createdAt: item.createdAt,
      state: item.state,
      error: item.error,
      receipts: null,
      system: null,
      attachment: item.attachment ? outboxAttachmentView(item.kind, item.attachment) : null,
      upload: item.attachment && item.attachment.progress.status !== "uploaded" ? { ...item.attachment.progress } : null,
      replyTo: item.replyTo ?? null,
      editedAt: null,
      deleted: false,
      reactions: [],
      myReaction: null,
      mentions: item.mentions ?? [],
      mentionsAll: item.mentionsAll === true,
      mentionsMe: false,
    };
  }

  /** Something in this conversation's view changed: drop its cached views and tell listeners. */
  changed(conversationId: string): void {
    this.views.delete(conversationId);
    this.outboxView = null;
    this.options.changed(conversationId);
  }

  /** Every view may have changed (restored state, another user): drop them all and tell listeners. */
  invalidateAll(also: string[] = []): void {
    const ids = new Set([...also, ...this.views.keys(), ...this.conversations.keys()]);
    this.views.clear();
    this.outboxView = null;
    for (const id of ids) this.options.changed(id);
  }

  /** Takes in what the store kept (what is already in memory wins). */
  restore(snapshot: ClientSnapshot): void {
    if (this.userId === null) this.userId = snapshot.userId;
    for (const meta of snapshot.conversations) {
      if (!this.conversations.has(meta.conversationId)) this.conversations.set(meta.conversationId, new ConversationState(meta));
    }
    for (const message of snapshot.messages) this.conversations.get(message.conversationId)?.insert(message);
  }

  /** Forgets the user and every conversation (views are invalidated by the caller, once). */
  clear(): void {
    this.userId = null;
    this.conversations.clear();
  }
}

/** A queued attachment as the UI sees it: the server's description once uploaded, else the picked file's. */
function outboxAttachmentView(kind: OutboxItem["kind"], a: OutboxAttachment): ChatAttachment {
  if (a.uploaded) return { ...a.uploaded, localFile: a.file };
  return {
    kind: kind === "image" ? "image" : "file",
    id: null,
    name: a.name,
    size: a.file.size,
    mime: a.file.type || "application/octet-stream",
    ...(a.width ? { width: a.width } : {}),
    ...(a.height ? { height: a.height } : {}),
    localFile: a.file,
  };
}
