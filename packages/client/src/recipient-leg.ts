/**
 * The recipient leg: what comes in and the cursors that answer it — messages applied once each
 * (push, sync, history page), the coalesced ACK of the highest contiguous seq, sync on gaps and
 * from welcome cursors, receipts applied as watermarks, and my read cursor.
 */
import {
  AppError,
  ErrorCode,
  isEventKind,
  Limits,
  markReadInput,
  type ConversationCursor,
  type Message,
  type MessageFrame,
  type ReceiptFrame,
  type SyncBatchFrame,
} from "@dim/shared";
import type { ConversationState } from "./conversation-state";
import type { ConversationViews } from "./conversation-views";
import type { FrameWriter } from "./node-link";
import type { ClientPersistence } from "./persistence";
import type { ConfirmedSink } from "./sender-leg";
import type { DimClientEvents, DimGateway, MessageState } from "./types";

/** The sender leg as the recipient leg sees it: my own queued message may come back as a push. */
export interface EchoClaimer {
  /** True when `message` is my queued message (now confirmed by the sender leg). */
  claimEcho(message: Message): boolean;
}

export interface RecipientLegOptions {
  link: FrameWriter;
  views: Pick<ConversationViews, "userId" | "conversation" | "get" | "viewOf" | "changed">;
  persistence: Pick<ClientPersistence, "saveConversation" | "saveMessages">;
  sender: EchoClaimer;
  gateway: Pick<DimGateway, "history">;
  /** Messages per `sync` request (at most Limits.maxPageSize). */
  syncPageSize: number;
  /** A group's deliveries are ACKed together after this long (0: at once, as 1:1). */
  groupAckDelayMs: number;
  emit<K extends "message" | "messageState" | "receipt" | "synced" | "error">(event: K, payload: DimClientEvents[K]): void;
}

export class RecipientLeg implements ConfirmedSink {
  /** conversationId → ACK due (true: repeat it even if already sent) until the next flush. */
  private readonly acksDue = new Map<string, boolean>();
  private ackTimer: ReturnType<typeof setTimeout> | undefined;
  /** The later flush for groups' ACKs (groupAckDelayMs); an earlier flush takes them along. */
  private groupAckTimer: ReturnType<typeof setTimeout> | undefined;
  /** Highest `ack` the server has (from welcome cursors) or was sent on this connection. */
  private readonly acked = new Map<string, number>();
  /** In-flight sync per conversation on this socket: the afterSeq asked for. */
  private readonly syncing = new Map<string, number>();
  /** Reads made while no socket was up, for conversations the next welcome may not list. */
  private readonly pendingReads = new Map<string, number>();

  constructor(private readonly options: RecipientLegOptions) {}

  /** "I have read everything up to seq" in this conversation (sent now, or when connected). */
  markRead(conversationId: string, seq: number): void {
    const parsed = markReadInput.safeParse({ conversationId, seq });
    if (!parsed.success) throw new AppError(ErrorCode.BadRequest, "markRead needs a conversation id and a seq ≥ 1");
    const conv = this.options.views.conversation(conversationId);
    if (seq <= conv.meta.readSeq) return;
    conv.meta.readSeq = seq;
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(conversationId);
    if (!this.options.link.write({ type: "read", conversationId, seq })) {
      this.pendingReads.set(conversationId, Math.max(seq, this.pendingReads.get(conversationId) ?? 0));
    }
  }

  /** The latest page through the gateway; a conversation held nothing of starts at that page. */
  async loadLatest(conversationId: string, limit: number = Limits.defaultPageSize): Promise<{ added: number; hasMore: boolean }> {
    const history = this.history();
    const page = await history({ conversationId, limit });
    const conv = this.options.views.conversation(conversationId, page.lastSeq);
    const first = page.messages[0];
    if (first && conv.lowestSeq() === undefined) conv.startAt(page.hasMore ? first.seq - 1 : 0);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, page.lastSeq);
    const added = this.applyMessages(conv, page.messages);
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(conversationId);
    if (this.options.link.welcomed) {
      if (conv.contiguousSeq < conv.meta.knownLastSeq) this.requestSync(conv);
      this.ackContiguous(conv, false);
    }
    return { added, hasMore: page.hasMore };
  }

  /** Pages older history in through the gateway (below what the client holds). */
  async loadOlder(conversationId: string, limit: number = Limits.defaultPageSize): Promise<{ added: number; hasMore: boolean }> {
    const history = this.history();
    const conv = this.options.views.conversation(conversationId);
    const before = Math.min(conv.lowestSeq() ?? conv.meta.baseSeq + 1, conv.meta.baseSeq + 1);
    if (before <= 1) return { added: 0, hasMore: false };
    const page = await history({ conversationId, beforeSeq: before, limit });
    const added = this.applyMessages(conv, page.messages);
    const first = page.messages[0];
    conv.lowerBase(page.hasMore && first ? first.seq - 1 : 0);
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(conversationId);
    return { added, hasMore: page.hasMore };
  }

  /**
   * A page around `seq` through the gateway (`history { aroundSeq }`): one call however far back
   * it is. Below what is held it leaves a gap (`gaps`), filled forwards by `loadGap`.
   */
  async loadAround(
    conversationId: string,
    seq: number,
    limit: number = Limits.defaultPageSize,
  ): Promise<{ added: number; hasMore: boolean; hasMoreAfter: boolean; firstSeq: number | null; lastSeq: number | null }> {
    if (!Number.isSafeInteger(seq) || seq < 1) throw new AppError(ErrorCode.BadRequest, "seq must be a positive integer");
    const history = this.history();
    const page = await history({ conversationId, aroundSeq: seq, limit });
    const conv = this.options.views.conversation(conversationId, page.lastSeq);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, page.lastSeq);
    const added = this.applyMessages(conv, page.messages);
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(conversationId);
    return {
      added,
      hasMore: page.hasMore,
      hasMoreAfter: page.hasMoreAfter ?? false,
      firstSeq: page.messages[0]?.seq ?? null,
      lastSeq: page.messages.at(-1)?.seq ?? null,
    };
  }

  /** Fills a gap forwards: the page after `afterSeq` (a `gaps` entry's), through the gateway. */
  async loadGap(conversationId: string, afterSeq: number, limit: number = Limits.maxPageSize): Promise<{ added: number; hasMore: boolean }> {
    if (!Number.isSafeInteger(afterSeq) || afterSeq < 0) throw new AppError(ErrorCode.BadRequest, "afterSeq must be a non-negative integer");
    const history = this.history();
    const page = await history({ conversationId, afterSeq, limit });
    const conv = this.options.views.conversation(conversationId, page.lastSeq);
    const added = this.applyMessages(conv, page.messages);
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(conversationId);
    return { added, hasMore: page.hasMore };
  }

  /** Welcome cursors: offline reads go out, the server's ACK is noted, what is missing is synced. */
  applyCursors(cursors: ConversationCursor[]): void {
    for (const cursor of cursors) {
      const conv = this.options.views.conversation(cursor.conversationId, cursor.lastSeq);
      conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, cursor.lastSeq);
      // Reads made while offline go out now; the server's cursor only moves forward.
      if (conv.meta.readSeq > cursor.readSeq) this.options.link.write({ type: "read", conversationId: cursor.conversationId, seq: conv.meta.readSeq });
      conv.meta.readSeq = Math.max(conv.meta.readSeq, cursor.readSeq);
      this.options.persistence.saveConversation(conv);
      this.acked.set(cursor.conversationId, cursor.deliveredSeq);
      this.ackContiguous(conv, false);
      // Fewer hides held than the server has: "delete for me" on another device while this one
      // was away; a sync (even with nothing new) lists them all.
      const hidesMissing = (cursor.hiddenCount ?? 0) > conv.meta.hiddenSeqs.length;
      if (conv.contiguousSeq < cursor.lastSeq || hidesMissing) this.requestSync(conv);
      else this.options.emit("synced", { conversationId: cursor.conversationId, lastSeq: conv.contiguousSeq });
    }
  }

  /** After welcome: reads of conversations the welcome did not list (theirs went with the cursors). */
  flushPendingReads(cursors: ConversationCursor[]): void {
    const known = new Set(cursors.map((c) => c.conversationId));
    for (const [conversationId, seq] of this.pendingReads) if (!known.has(conversationId)) this.options.link.write({ type: "read", conversationId, seq });
    this.pendingReads.clear();
  }

  onMessage(frame: MessageFrame): void {
    const message = frame.message;
    const conv = this.options.views.conversation(message.conversationId, message.seq);
    const gapBefore = conv.hasGapBefore(message.seq);
    const added = this.applyMessages(conv, [message]);
    this.options.persistence.saveConversation(conv);
    if (gapBefore) this.requestSync(conv);
    // A duplicate push means the server did not get our ACK: say it again.
    this.ackContiguous(conv, added === 0);
  }

  onSyncBatch(frame: SyncBatchFrame): void {
    const conv = this.options.views.conversation(frame.conversationId, frame.lastSeq);
    const askedAfter = this.syncing.get(frame.conversationId) ?? -1;
    this.syncing.delete(frame.conversationId);
    conv.meta.knownLastSeq = Math.max(conv.meta.knownLastSeq, frame.lastSeq);
    this.applyMessages(conv, frame.messages);
    this.options.persistence.saveConversation(conv);
    this.ackContiguous(conv, false);
    const progressed = conv.contiguousSeq > askedAfter;
    if ((frame.hasMore || conv.contiguousSeq < conv.meta.knownLastSeq) && progressed) {
      this.requestSync(conv);
    } else if (conv.contiguousSeq >= conv.meta.knownLastSeq) {
      this.options.emit("synced", { conversationId: frame.conversationId, lastSeq: conv.contiguousSeq });
    } else {
      const why = `sync of ${frame.conversationId} stalled at seq ${conv.contiguousSeq} (server lastSeq ${conv.meta.knownLastSeq})`;
      this.options.emit("error", new AppError(ErrorCode.Internal, why));
    }
  }

  /** An error answering a `sync`: we cannot tell which conversation; the next gap or welcome asks again. */
  onSyncError(): void {
    this.syncing.clear();
  }

  onReceipt(frame: ReceiptFrame): void {
    if (frame.userId === this.options.views.userId) {
      // My other device moved my own cursor.
      if (frame.kind === "read") {
        const conv = this.options.views.conversation(frame.conversationId);
        if (frame.seq > conv.meta.readSeq) {
          conv.meta.readSeq = frame.seq;
          this.options.persistence.saveConversation(conv);
          this.options.views.changed(frame.conversationId);
        }
      }
    } else {
      this.applyPeerCursor(frame.conversationId, frame.kind, frame.seq);
    }
    this.options.emit("receipt", frame);
  }

  /** The sender leg's message was confirmed: file it in its conversation. */
  storeOwn(message: Message, previous: MessageState): void {
    const conv = this.options.views.conversation(message.conversationId);
    const gapBefore = conv.hasGapBefore(message.seq);
    if (conv.insert(message)) this.options.persistence.saveMessages([message]);
    this.options.persistence.saveConversation(conv);
    const stored = conv.get(message.seq) ?? message;
    this.options.emit("messageState", {
      conversationId: message.conversationId,
      clientMsgId: message.clientMsgId,
      messageId: stored.id,
      seq: stored.seq,
      previous,
      state: conv.stateOfSeq(stored.seq),
      error: null,
    });
    this.options.views.changed(message.conversationId);
    if (this.options.link.welcomed) {
      if (gapBefore) this.requestSync(conv);
      this.ackContiguous(conv, false);
    }
  }

  /** The socket went away: in-flight syncs are void (a new socket asks again). */
  pause(): void {
    this.syncing.clear();
  }

  /** Forgets every cursor (logout, another user). */
  reset(): void {
    this.pendingReads.clear();
    this.acked.clear();
    this.acksDue.clear();
    clearTimeout(this.ackTimer);
    clearTimeout(this.groupAckTimer);
    this.ackTimer = undefined;
    this.groupAckTimer = undefined;
  }

  private history(): NonNullable<DimGateway["history"]> {
    const gateway = this.options.gateway;
    if (!gateway.history) throw new AppError(ErrorCode.InvalidConfig, "this gateway port cannot page history");
    return gateway.history.bind(gateway);
  }

  /** Watermark: every own message with seq ≤ `seq` is now at least delivered / read. */
  private applyPeerCursor(conversationId: string, kind: "delivered" | "read", seq: number): void {
    const conv = this.options.views.conversation(conversationId);
    const key = kind === "read" ? "peersReadSeq" : "peersDeliveredSeq";
    const before = conv.meta[key];
    if (seq <= before) return;
    const oldStates = new Map(conv.ownMessagesIn(before, seq, this.options.views.userId).map((m) => [m.seq, conv.stateOfSeq(m.seq)]));
    conv.meta[key] = seq;
    this.options.persistence.saveConversation(conv);
    for (const [s, previous] of oldStates) {
      const m = conv.get(s);
      const state = conv.stateOfSeq(s);
      if (!m || state === previous) continue;
      this.options.emit("messageState", { conversationId, clientMsgId: m.clientMsgId, messageId: m.id, seq: s, previous, state, error: null });
    }
    this.options.views.changed(conversationId);
  }

  /** Stores new messages (ignoring ones already held) and announces them. Returns how many were new. */
  private applyMessages(conv: ConversationState, messages: Message[]): number {
    const fresh: Message[] = [];
    for (const message of messages) {
      if (message.conversationId !== conv.meta.conversationId) continue;
      if (this.options.sender.claimEcho(message)) continue;
      if (conv.insert(message)) fresh.push(message);
    }
    if (fresh.length === 0) return 0;
    this.options.persistence.saveMessages(fresh);
    // Events (edit, delete, reaction) are not messages of their own: they change the view of
    // their target, which the `conversation` event below announces.
    for (const m of fresh) if (!isEventKind(m.kind)) this.options.emit("message", this.options.views.viewOf(conv, m));
    this.options.views.changed(conv.meta.conversationId);
    return fresh.length;
  }

  /**
   * ACKs are coalesced: the ones made due while handling a burst of frames go out as one `ack`
   * per conversation on the next macrotask (a re-pushed backlog must not become a frame flood).
   * A group's wait groupAckDelayMs (DEFAULT_GROUP_ACK_DELAY_MS): one `ack` per member per window
   * instead of one per message; a forced one (a re-push of what is held) goes at once.
   */
  private ackContiguous(conv: ConversationState, force: boolean): void {
    const conversationId = conv.meta.conversationId;
    this.acksDue.set(conversationId, force || (this.acksDue.get(conversationId) ?? false));
    if (conv.meta.kind === "group" && !force && this.options.groupAckDelayMs > 0) {
      this.groupAckTimer ??= setTimeout(() => this.flushAcks(), this.options.groupAckDelayMs);
    } else {
      this.ackTimer ??= setTimeout(() => this.flushAcks(), 0);
    }
  }

  private flushAcks(): void {
    clearTimeout(this.ackTimer);
    clearTimeout(this.groupAckTimer);
    this.ackTimer = undefined;
    this.groupAckTimer = undefined;
    const due = [...this.acksDue];
    this.acksDue.clear();
    for (const [conversationId, force] of due) {
      const conv = this.options.views.get(conversationId);
      if (conv) this.writeAck(conv, force);
    }
  }

  /** ACK the highest contiguous seq held (never past a gap, never a seq not held). */
  private writeAck(conv: ConversationState, force: boolean): void {
    const seq = conv.contiguousSeq;
    if (seq < 1 || !conv.has(seq)) return;
    const acked = this.acked.get(conv.meta.conversationId) ?? 0;
    if (seq <= acked && !force) return;
    if (this.options.link.write({ type: "ack", conversationId: conv.meta.conversationId, seq })) {
      this.acked.set(conv.meta.conversationId, Math.max(acked, seq));
    }
  }

  private requestSync(conv: ConversationState): void {
    const conversationId = conv.meta.conversationId;
    if (this.syncing.has(conversationId) || !this.options.link.welcomed) return;
    const afterSeq = conv.contiguousSeq;
    this.syncing.set(conversationId, afterSeq);
    this.options.link.write({ type: "sync", conversationId, afterSeq, limit: this.options.syncPageSize });
  }
}
