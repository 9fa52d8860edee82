// The outbox: own messages awaiting `sent`, in queue order, each with its clientMsgId for life.
import type { OutboxItem } from "./types";

/**
 * Own messages not yet confirmed by `sent`, in the order they were queued. Items keep their
 * clientMsgId for life, so every re-send (ACK clock, reconnect, manual retry) is idempotent.
 */
export class Outbox {
  private readonly items = new Map<string, OutboxItem>();

  get size(): number {
    return this.items.size;
  }

  get(clientMsgId: string): OutboxItem | undefined {
    return this.items.get(clientMsgId);
  }

  has(clientMsgId: string): boolean {
    return this.items.has(clientMsgId);
  }

  add(item: OutboxItem): void {
    this.items.set(item.clientMsgId, item);
  }

  remove(clientMsgId: string): OutboxItem | undefined {
    const item = this.items.get(clientMsgId);
    this.items.delete(clientMsgId);
    return item;
  }

  /** Restores persisted items ahead of anything queued since start, keeping both orders. */
  prepend(items: OutboxItem[]): void {
    const current = [...this.items.values()];
    this.items.clear();
    for (const item of items) this.items.set(item.clientMsgId, item);
    for (const item of current) if (!this.items.has(item.clientMsgId)) this.items.set(item.clientMsgId, item);
  }

  /** Items waiting to be written, in queue order. */
  pending(): OutboxItem[] {
    return [...this.items.values()].filter((i) => i.state === "sending");
  }

  all(): OutboxItem[] {
    return [...this.items.values()];
  }

  inConversation(conversationId: string): OutboxItem[] {
    return this.all().filter((i) => i.conversationId === conversationId);
  }

  clear(): void {
    this.items.clear();
  }
}
