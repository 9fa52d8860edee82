/**
 * The contacts' presence as the server shows it (protocol §18.2): filled by the answer to
 * `presence.query` (sent after every welcome; the whole list, over frames until `last`, replaces
 * what was held) and kept current by pushes (`full: false`: the contacts that changed).
 */
import { EphemeralLimits, type ContactPresence, type PresenceFrame } from "@dim/shared";

export interface PresenceBookOptions {
  link: { write(frame: { type: "presence.query" }): boolean };
  /** These contacts' presence changed (or went: no longer a contact, on a full answer). */
  changed: (contacts: ContactPresence[]) => void;
}

/** Past the server's interval, measured from our write (the server measures from its read). */
const REQUERY_MARGIN_MS = 250;

export class PresenceBook {
  private readonly entries = new Map<string, ContactPresence>();
  /** Contacts named by the full answer being received (its frames until `last`). */
  private answer: Set<string> | undefined;
  /** When the last `presence.query` went out (the server takes one per socket per interval). */
  private lastQueryAt = Number.NEGATIVE_INFINITY;
  private requeryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly options: PresenceBookOptions) {}

  /** Asks for the whole list (after each welcome: pushes are not replayed). */
  query(): void {
    clearTimeout(this.requeryTimer);
    this.requeryTimer = undefined;
    this.lastQueryAt = Date.now();
    this.options.link.write({ type: "presence.query" });
  }

  /**
   * Asks again because who is a visible contact changed (a contact accepted, a block lifted): at
   * once, or when the server's per-socket interval since the last query has passed.
   */
  requery(): void {
    const wait = this.lastQueryAt + EphemeralLimits.presenceQueryMinIntervalMs + REQUERY_MARGIN_MS - Date.now();
    if (wait <= 0) return this.query();
    this.requeryTimer ??= setTimeout(() => this.query(), wait);
    (this.requeryTimer as { unref?: () => void }).unref?.();
  }

  /** The server refused a query as too soon (its clock runs from its read): ask again later. */
  onRateLimited(): void {
    this.lastQueryAt = Date.now();
    this.requery();
  }

  /** This user is no longer a visible contact (removed, blocked): forget their presence. */
  forget(userId: string): void {
    const held = this.entries.get(userId);
    if (!held) return;
    this.entries.delete(userId);
    this.options.changed([{ ...held, online: false, lastSeenAt: null }]);
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
    clearTimeout(this.requeryTimer);
    this.requeryTimer = undefined;
    this.entries.clear();
    this.answer = undefined;
  }
}
