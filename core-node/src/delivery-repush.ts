/**
 * One socket's deliveries awaiting an `ack`: each tracked push gets ONE re-push when no `ack`
 * (or `read`) covering it arrives within ackTimeoutMs; after that, sync repairs. Created with the
 * socket's first tracked delivery and dropped (by its owner) once it holds nothing, so an idle
 * socket holds no map and no timer.
 */
import type { Message } from "@dim/shared";

/** Deliveries awaiting an `ack` that get a re-push; beyond, sync repairs. */
export const MAX_TRACKED_DELIVERIES = 1000;

export class DeliveryRepush {
  /** conversationId → seq → re-push timer. */
  private readonly unacked = new Map<string, Map<number, NodeJS.Timeout>>();
  private count = 0;

  /**
   * @param repush writes the message once more (the socket may be gone by then: it checks).
   * @param ackTimeoutMs how long a push waits for its `ack` before the re-push.
   */
  constructor(
    private readonly repush: (message: Message) => void,
    private readonly ackTimeoutMs: number,
  ) {}

  get empty(): boolean {
    return this.count === 0;
  }

  /** Arms the re-push of a message just written, unless it is already waiting or too many are. */
  track(message: Message): void {
    let bySeq = this.unacked.get(message.conversationId);
    if (bySeq?.has(message.seq) || this.count >= MAX_TRACKED_DELIVERIES) return;
    if (!bySeq) this.unacked.set(message.conversationId, (bySeq = new Map()));
    const timer = setTimeout(() => {
      this.forget(message.conversationId, message.seq);
      this.repush(message);
    }, this.ackTimeoutMs);
    bySeq.set(message.seq, timer);
    this.count++;
  }

  /** The client holds everything up to `seq` in this conversation: no re-push for those. */
  acknowledged(conversationId: string, seq: number): void {
    const bySeq = this.unacked.get(conversationId);
    if (!bySeq) return;
    for (const [s, timer] of bySeq) {
      if (s <= seq) {
        clearTimeout(timer);
        bySeq.delete(s);
        this.count--;
      }
    }
    if (bySeq.size === 0) this.unacked.delete(conversationId);
  }

  /** Cancels every re-push (the socket is closing). */
  clear(): void {
    for (const bySeq of this.unacked.values()) for (const timer of bySeq.values()) clearTimeout(timer);
    this.unacked.clear();
    this.count = 0;
  }

  private forget(conversationId: string, seq: number): void {
    const bySeq = this.unacked.get(conversationId);
    if (bySeq?.delete(seq)) this.count--;
    if (bySeq?.size === 0) this.unacked.delete(conversationId);
  }
}
