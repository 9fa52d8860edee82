// One conversation as a client holds it: messages by seq, the ACK cursor, the receipt cursors.
import { isEventKind, mentionsUser, type Message } from "@dim/shared";
import { restoredConversationMeta } from "./conversation-meta";
import { groupReceiptsOf, groupStateOf } from "./group-receipts";
import type { ConversationMeta, GroupReceipts, MessageState } from "./types";

/**
 * What one client holds of one conversation: messages by seq (each shown once, whatever the
 * number of pushes, re-pushes and syncs that brought it), the contiguous cursor the client
 * ACKs, and the cursors that give own messages their state.
 */
export class ConversationState {
  readonly meta: ConversationMeta;
  private readonly bySeq = new Map<number, Message>();
  private readonly ids = new Set<string>();
  private contiguous: number;
  private sortedCache: Message[] | null = null;

  constructor(meta: ConversationMeta) {
    this.meta = restoredConversationMeta(meta);
    this.contiguous = meta.baseSeq;
  }

  /** Highest seq such that every message in (baseSeq, seq] is held. */
  get contiguousSeq(): number {
    return this.contiguous;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  get(seq: number): Message | undefined {
    return this.bySeq.get(seq);
  }

  /** Adds a message; false when it was already held (same id or same seq). */
  insert(message: Message): boolean {
    if (this.ids.has(message.id) || this.bySeq.has(message.seq)) return false;
    this.bySeq.set(message.seq, message);
    this.ids.add(message.id);
    this.sortedCache = null;
    if (message.seq > this.meta.knownLastSeq) this.meta.knownLastSeq = message.seq;
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous++;
    return true;
  }

  /**
   * Lowers baseSeq after older history was paged in (contiguity from the new base). Not while a
   * jump left a gap below the base: contiguity from below it would make the socket sync the
   * whole gap; the gap is filled by `loadGap` (the base may then stay where it is).
   */
  lowerBase(baseSeq: number): void {
    if (baseSeq >= this.meta.baseSeq || this.gaps().length > 0) return;
    this.meta.baseSeq = baseSeq;
    this.contiguous = baseSeq;
    while (this.bySeq.has(this.contiguous + 1)) this.contiguous++;
  }

  /**
   * Sets baseSeq of a conversation that holds no message yet (its first page is the latest one,
   * not the start): contiguity then counts from there.
   */
  startAt(baseSeq: number): void {
    if (this.bySeq.size > 0) return;
    this.meta.baseSeq = baseSeq;
    this.contiguous = baseSeq;
  }

  /**
   * Holes in what is held below the base (a jump paged in a block far below it): each
   * `{ afterSeq, beforeSeq }` says the seqs strictly between are not held. Holes above the base
   * are the socket's (sync repairs them) and are not listed.
   */
  gaps(): Array<{ afterSeq: number; beforeSeq: number }> {
    const out: Array<{ afterSeq: number; beforeSeq: number }> = [];
    const seqs = [...this.bySeq.keys()].sort((a, b) => a - b);
    for (let i = 1; i < seqs.length; i++) {
      const [lo, hi] = [seqs[i - 1]!, seqs[i]!];
      if (hi > lo + 1 && lo < this.meta.baseSeq) out.push({ afterSeq: lo, beforeSeq: Math.min(hi, this.meta.baseSeq + 1) });
    }
    return out.filter((g) => g.beforeSeq > g.afterSeq + 1);
  }

  /** A seq after the contiguous cursor means something in between is missing. */
  hasGapBefore(seq: number): boolean {
    return seq > this.contiguous + 1;
  }

  /** Ascending by seq. */
  messages(): Message[] {
    this.sortedCache ??= [...this.bySeq.values()].sort((a, b) => a.seq - b.seq);
    return this.sortedCache;
  }

  lowestSeq(): number | undefined {
    return this.messages()[0]?.seq;
  }

  /** State of an own stored message, from the other members' receipts (groups: all of them). */
  stateOfSeq(seq: number): MessageState {
    if (this.meta.kind === "group") return groupStateOf(groupReceiptsOf(this.meta, seq));
    if (seq <= this.meta.peersReadSeq) return "read";
    if (seq <= this.meta.peersDeliveredSeq) return "delivered";
    return "sent";
  }

  /** k of n for an own stored message in a group; null in a direct conversation. */
  receiptsOfSeq(seq: number): GroupReceipts | null {
    return this.meta.kind === "group" ? groupReceiptsOf(this.meta, seq) : null;
  }

  /** Own messages with seq in (from, to], for state-change events after a receipt. */
  ownMessagesIn(from: number, to: number, userId: string | null): Message[] {
    if (userId === null || to <= from) return [];
    return this.messages().filter((m) => m.seq > from && m.seq <= to && m.senderId === userId);
  }

  /** Messages from others after my read cursor. */
  unreadCount(userId: string | null): number {
    let count = 0;
    const hidden = new Set(this.meta.hiddenSeqs);
    for (const m of this.bySeq.values()) {
      if (m.seq > this.meta.readSeq && m.senderId !== userId && !isEventKind(m.kind) && !hidden.has(m.seq)) count++;
    }
    return count;
  }

  /**
   * Unread messages from others that mention me, as folded: a held edit's mentions replace its
   * target's (the highest-seq edit with a text wins), a held delete takes them away.
   */
  unreadMentions(userId: string | null): number {
    if (userId === null) return 0;
    const lastEdit = new Map<number, Message>();
    const deleted = new Set<number>();
    for (const m of this.bySeq.values()) {
      if (m.targetSeq === undefined || m.targetSeq <= this.meta.readSeq) continue;
      if (m.kind === "delete") deleted.add(m.targetSeq);
      else if (m.kind === "edit" && m.body !== "" && (lastEdit.get(m.targetSeq)?.seq ?? 0) < m.seq) lastEdit.set(m.targetSeq, m);
    }
    const hidden = new Set(this.meta.hiddenSeqs);
    let count = 0;
    for (const m of this.bySeq.values()) {
      if (m.seq <= this.meta.readSeq || m.kind !== "text" || hidden.has(m.seq) || deleted.has(m.seq)) continue;
      const edit = lastEdit.get(m.seq);
      if (mentionsUser(edit ? { ...m, mentions: edit.mentions, mentionsAll: edit.mentionsAll } : m, userId)) count++;
    }
    return count;
  }

  /** "Delete for me" (mine, from any device): true when it hid something new. Idempotent. */
  hide(seqs: readonly number[]): boolean {
    const set = new Set(this.meta.hiddenSeqs);
    const before = set.size;
    for (const s of seqs) set.add(s);
    if (set.size === before) return false;
    this.meta.hiddenSeqs = [...set].sort((a, b) => a - b);
    return true;
  }
}
