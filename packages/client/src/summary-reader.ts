// `conversations.list`, read at most once at a time: calls made while one is running share the next read.
import type { ConversationSummary } from "@dim/shared";
import type { DimGateway } from "./types";

export class SummaryReader {
  private running: Promise<ConversationSummary[]> | null = null;
  private next: Promise<ConversationSummary[] | null> | null = null;
  /** Conversations some read returned (since start or the last reset). */
  private readonly seen = new Set<string>();

  constructor(private readonly gateway: Pick<DimGateway, "listConversations">) {}

  /**
   * The summaries as of a read that started after this call: the running read if none is, else
   * one follow-up read shared by every caller that came while it ran. null without the port.
   */
  read(): Promise<ConversationSummary[] | null> {
    if (!this.gateway.listConversations) return Promise.resolve(null);
    if (!this.running) return this.start();
    this.next ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        return this.start();
      });
    return this.next;
  }

  has(conversationId: string): boolean {
    return this.seen.has(conversationId);
  }

  reset(): void {
    this.seen.clear();
  }

  private start(): Promise<ConversationSummary[]> {
    const gateway = this.gateway;
    const running = (async () => {
      try {
        const list = (await gateway.listConversations!()) ?? [];
        for (const s of list) this.seen.add(s.id);
        return list;
      } finally {
        this.running = null;
      }
    })();
    this.running = running;
    return running;
  }
}
