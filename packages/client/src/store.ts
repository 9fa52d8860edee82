// What a client persists between runs (ClientStore) and the in-memory implementation.
import type { Message } from "@dim/shared";
import type { ConversationMeta, OutboxItem } from "./types";

/** Everything a client persisted, handed back when it starts again. */
export interface ClientSnapshot {
  userId: string | null;
  conversations: ConversationMeta[];
  messages: Message[];
  /** In queue order. */
  outbox: OutboxItem[];
}

/**
 * Persistence hook. DimClient keeps its working state in memory and writes through to this
 * store (in order, without waiting), and reads it once at start. The default keeps nothing
 * beyond the process; the PWA plugs in IndexedDB. A store that trims old messages must raise
 * the conversation's `baseSeq` to match, so contiguity stays true.
 */
export interface ClientStore {
  load(): Promise<ClientSnapshot>;
  saveUserId(userId: string): Promise<void>;
  saveConversation(meta: ConversationMeta): Promise<void>;
  saveMessages(messages: Message[]): Promise<void>;
  saveOutboxItem(item: OutboxItem): Promise<void>;
  deleteOutboxItem(clientMsgId: string): Promise<void>;
  /** Logout, or another user on this device: forget everything. */
  clear(): Promise<void>;
}

/** In-memory ClientStore. Share one instance between two DimClients to simulate a restart. */
export class MemoryClientStore implements ClientStore {
  private userId: string | null = null;
  private readonly conversations = new Map<string, ConversationMeta>();
  private readonly messages = new Map<string, Message>();
  private readonly outbox = new Map<string, OutboxItem>();

  async load(): Promise<ClientSnapshot> {
    return structuredClone({
      userId: this.userId,
      conversations: [...this.conversations.values()],
      messages: [...this.messages.values()],
      outbox: [...this.outbox.values()],
    });
  }
  async saveUserId(userId: string): Promise<void> {
    this.userId = userId;
  }
  async saveConversation(meta: ConversationMeta): Promise<void> {
    this.conversations.set(meta.conversationId, { ...meta });
  }
  async saveMessages(messages: Message[]): Promise<void> {
    for (const m of messages) this.messages.set(m.id, { ...m });
  }
  async saveOutboxItem(item: OutboxItem): Promise<void> {
    // Map keeps first-insertion order, so updates do not reorder the queue.
    this.outbox.set(item.clientMsgId, structuredClone(item));
  }
  async deleteOutboxItem(clientMsgId: string): Promise<void> {
    this.outbox.delete(clientMsgId);
  }
  async clear(): Promise<void> {
    this.userId = null;
    this.conversations.clear();
    this.messages.clear();
    this.outbox.clear();
  }
}
