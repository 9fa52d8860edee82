/**
 * The contacts' presence as the server shows it (protocol §18.2): filled by the answer to
 * `presence.query` (sent after every welcome; the whole list, over frames until `last`, replaces
 * what was held) and kept current by pushes (`full: false`: the contacts that changed).
 */
import type { ContactPresence, PresenceFrame } from "@dim/shared";

export interface PresenceBookOptions {
  link: { write(frame: { type: "presence.query" }): boolean };
  /** These contacts' presence changed (or went: no longer a contact, on a full answer). */
  changed: (contacts: ContactPresence[]) => void;
}

export class PresenceBook {
  private readonly entries = new Map<string, ContactPresence>();
  /** Contacts named by the full answer being received (its frames until `last`). */
  private answer: Set<string> | undefined;

  constructor(private readonly options: PresenceBookOptions) {}

  /** Asks for the whole list (after each welcome: pushes are not replayed). */
  query(): void {
    this.options.link.write({ type: "presence.query" });
  }

  presenceOf(userId: string): ContactPresence | undefined {
    return this.entries.get(userId);
  }

  all(): ContactPresence[] {
    return [...this.entries.values()];
  }

  onFrame(frame: PresenceFrame): void {
    const changed: ContactPresence[] = [];
    if (frame.full) this.answer ??= new Set();
    for (const entry of frame.contacts) {
      this.answer?.add(entry.userId);
      const held = this.entries.get(entry.userId);
      if (held && held.online === entry.online && held.lastSeenAt === entry.lastSeenAt) continue;
      this.entries.set(entry.userId, entry);
      changed.push(entry);
    }
    if (frame.full && frame.last) {
      // Whoever the full answer does not name is no longer a contact.
      for (const [userId, held] of this.entries) {
        if (this.answer?.has(userId)) continue;
        this.entries.delete(userId);
        changed.push({ ...held, online: false, lastSeenAt: null });
      }
      this.answer = undefined;
    }
    if (changed.length > 0) this.options.changed(changed);
  }

  reset(): void {
    this.entries.clear();
    this.answer = undefined;
  }
}
