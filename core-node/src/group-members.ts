/**
 * A node's cache of conversation member lists with their windows, read from PostgreSQL (the
 * store's `membership`): conversationId → { kind, membershipSeq, members }. It never expires by
 * time. An entry is dropped when `members.changed` names a newer membershipSeq, and re-read
 * when a caller needs a newer one than it holds (a `deliver.group` carries the membershipSeq its
 * append saw), so a removed member is never pushed a seq past its leaving, whatever the bus
 * timing. Bounded: the least recently used entries go first. Concurrent reads of one
 * conversation share one query. A direct conversation's entry also says whether it is open
 * (contacts both ways, no block): dropped by `direct.changed` when the gateway changes that.
 */
import type { Membership, MessageStore } from "@dim/db";

export interface MemberWindow {
  joinedSeq: number;
  /** null while the member is active. */
  leftSeq: number | null;
}

export interface ConversationMembers {
  kind: "direct" | "group";
  membershipSeq: number;
  /** Active and former members. */
  members: Map<string, MemberWindow>;
  /** Active member ids. */
  active: string[];
  /** Direct: both users may write (contacts, no block either way). Groups: true. */
  open: boolean;
}

/** Re-reads of one `get` when the database keeps answering an older membershipSeq than asked. */
const MAX_READS = 3;

/** True when the member's window [joinedSeq, leftSeq ?? +∞] holds `seq`. */
export function windowHolds(w: MemberWindow, seq: number): boolean {
  return w.joinedSeq <= seq && (w.leftSeq === null || seq <= w.leftSeq);
}

export class GroupMembers {
  private readonly entries = new Map<string, ConversationMembers>();
  private readonly loading = new Map<string, Promise<ConversationMembers | null>>();

  constructor(
    private readonly store: Pick<MessageStore, "membership">,
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * The members as of at least `minMembershipSeq`; null when the conversation does not exist.
   * Rejects when the store fails.
   */
  async get(conversationId: string, minMembershipSeq = 0): Promise<ConversationMembers | null> {
    const hit = this.entries.get(conversationId);
    if (hit && hit.membershipSeq >= minMembershipSeq) {
      this.entries.delete(conversationId); // most recently used last
      this.entries.set(conversationId, hit);
      return hit;
    }
    let loaded: ConversationMembers | null = null;
    for (let read = 0; read < MAX_READS; read++) {
      loaded = await this.load(conversationId, read > 0 || hit !== undefined);
      if (loaded === null || loaded.membershipSeq >= minMembershipSeq) return loaded;
    }
    return loaded;
  }

  /** A membership change up to `membershipSeq` committed: forget anything older. */
  invalidate(conversationId: string, membershipSeq: number): void {
    const hit = this.entries.get(conversationId);
    if (hit && hit.membershipSeq >= membershipSeq) return;
    this.entries.delete(conversationId);
    // A read in flight may have started before the change committed: later callers read afresh.
    this.loading.delete(conversationId);
  }

  /**
   * A direct conversation's contacts or blocks changed (`direct.changed`): forget it whatever its
   * membershipSeq (always 0 for a direct conversation), and any read in flight.
   */
  forget(conversationId: string): void {
    this.entries.delete(conversationId);
    this.loading.delete(conversationId);
  }

  /** One shared read per conversation; `fresh` starts a new one instead of joining one in flight. */
  private load(conversationId: string, fresh: boolean): Promise<ConversationMembers | null> {
    const inFlight = this.loading.get(conversationId);
    if (inFlight && !fresh) return inFlight;
    const read = this.store.membership(conversationId).then(
      (m) => {
        const entry = m === null ? null : toEntry(m);
        if (this.loading.get(conversationId) === read) {
          this.loading.delete(conversationId);
          if (entry) this.remember(conversationId, entry);
        }
        return entry;
      },
      (err: unknown) => {
        if (this.loading.get(conversationId) === read) this.loading.delete(conversationId);
        throw err;
      },
    );
    this.loading.set(conversationId, read);
    return read;
  }

  private remember(conversationId: string, entry: ConversationMembers): void {
    const held = this.entries.get(conversationId);
    if (held && held.membershipSeq > entry.membershipSeq) return;
    this.entries.delete(conversationId);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(conversationId, entry);
  }
}

function toEntry(m: Membership): ConversationMembers {
  const members = new Map<string, MemberWindow>();
  const active: string[] = [];
  for (const w of m.members) {
    members.set(w.userId, { joinedSeq: w.joinedSeq, leftSeq: w.leftSeq });
    if (w.leftSeq === null) active.push(w.userId);
  }
  return { kind: m.kind, membershipSeq: m.membershipSeq, members, active, open: m.open };
}
