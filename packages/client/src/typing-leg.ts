/**
 * Typing, both ways (protocol §18.1). Out: `typing(conversationId)` may be called on every
 * keystroke; a frame goes out at most once per EphemeralLimits.typingSendIntervalMs per
 * conversation (so receivers' copies, which last typingTtlMs, never lapse while the person types).
 * `stop` (blur, send) ends that: nothing more is sent, and the next start waits only for the
 * server's own limit (typingMinIntervalMs) instead of the full interval. In: who is typing per
 * conversation, each entry expiring after its `ttlMs`, or at once on a message from that user.
 */
import { EphemeralLimits, type Message, type TypingServerFrame } from "@dim/shared";

export interface TypingLegOptions {
  link: { write(frame: { type: "typing"; conversationId: string }): boolean };
  /** Who we are (our own typing is never shown). */
  selfId: () => string | null;
  /** Who is typing in this conversation changed (a start, an expiry, a message). */
  changed: (conversationId: string, userIds: string[]) => void;
  now?: () => number;
}

interface Sent {
  at: number;
  stopped: boolean;
}

export class TypingLeg {
  private readonly sent = new Map<string, Sent>();
  /** conversationId → userId → its expiry timer (insertion order: who started first). */
  private readonly typists = new Map<string, Map<string, ReturnType<typeof setTimeout>>>();
  private readonly now: () => number;

  constructor(private readonly options: TypingLegOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The person typed in this conversation: tell the others, throttled. True when a frame went out. */
  typing(conversationId: string): boolean {
    const now = this.now();
    const last = this.sent.get(conversationId);
    if (last) {
      const wait = last.stopped ? EphemeralLimits.typingMinIntervalMs : EphemeralLimits.typingSendIntervalMs;
      if (now - last.at < wait) return false;
    }
    if (!this.options.link.write({ type: "typing", conversationId })) return false;
    this.sent.set(conversationId, { at: now, stopped: false });
    return true;
  }

  /** The person stopped (blur, or sent the message): nothing more goes out until they type again. */
  stop(conversationId: string): void {
    const last = this.sent.get(conversationId);
    if (last) last.stopped = true;
  }

  /** Users typing in the conversation now, in the order they started. */
  typingUsers(conversationId: string): string[] {
    return [...(this.typists.get(conversationId)?.keys() ?? [])];
  }

  onTyping(frame: TypingServerFrame): void {
    if (frame.userId === this.options.selfId()) return;
    let users = this.typists.get(frame.conversationId);
    if (!users) this.typists.set(frame.conversationId, (users = new Map()));
    const known = users.get(frame.userId);
    if (known !== undefined) clearTimeout(known);
    users.set(frame.userId, setTimeout(() => this.clear(frame.conversationId, frame.userId), frame.ttlMs));
    if (known === undefined) this.options.changed(frame.conversationId, this.typingUsers(frame.conversationId));
  }

  /** A message from a typist ends its typing. */
  onMessage(message: Message): void {
    this.clear(message.conversationId, message.senderId);
  }

  /** Forgets everything (logout, another account). */
  reset(): void {
    for (const users of this.typists.values()) for (const timer of users.values()) clearTimeout(timer);
    const ids = [...this.typists.keys()];
    this.typists.clear();
    this.sent.clear();
    for (const id of ids) this.options.changed(id, []);
  }

  private clear(conversationId: string, userId: string): void {
    const users = this.typists.get(conversationId);
    const timer = users?.get(userId);
    if (!users || timer === undefined) return;
    clearTimeout(timer);
    users.delete(userId);
    if (users.size === 0) this.typists.delete(conversationId);
    this.options.changed(conversationId, this.typingUsers(conversationId));
  }
}
