/**
 * The group leg: what the client learns about conversations beyond their messages — summaries
 * from `conversations.list` (kind, members, membership, the receipt floors), the `receipts` frames
 * of groups (per-member watermarks), the `conversation` frames (re-read the summary, then a
 * `membership` event) and the member cursors read with `groups.members`. Own message states
 * follow from group-receipts.ts; every change that moves one is emitted.
 */
import { AppError, ErrorCode, Limits, type ConversationFrame, type ConversationSummary, type MemberCursor, type ReceiptFrame, type ReceiptsFrame } from "@dim/shared";
import type { ConversationState } from "./conversation-state";
import type { ConversationViews } from "./conversation-views";
import { applyMemberCursors, replaceMembers, type LooseMemberCursor } from "./group-receipts";
import type { ClientPersistence } from "./persistence";
import type { SenderLeg } from "./sender-leg";
import { SummaryReader } from "./summary-reader";
import type { DimClientEvents, DimGateway } from "./types";

/** More pages than a group can have members per page: a gateway that never ends its list. */
const MAX_MEMBER_PAGES = 1000;

export interface GroupLegOptions {
  views: Pick<ConversationViews, "userId" | "conversation" | "get" | "changed">;
  persistence: Pick<ClientPersistence, "saveConversation">;
  gateway: Pick<DimGateway, "listConversations" | "groupMembers">;
  sender: Pick<SenderLeg, "failConversation">;
  emit<K extends "messageState" | "membership" | "receipts" | "error">(event: K, payload: DimClientEvents[K]): void;
}

export class GroupLeg {
  private readonly summaries: SummaryReader;
  /** Groups whose members were loaded since start: a `changed` frame loads them again. */
  private readonly membersLoaded = new Set<string>();
  /** `groups.members` reads in flight, and the one queued after each (loadMemberCursors). */
  private readonly memberLoads = new Map<string, { running: Promise<void>; again: Promise<void> | null }>();
  /** Moves on reset: answers to calls made before a logout are dropped. */
  private generation = 0;

  constructor(private readonly options: GroupLegOptions) {
    this.summaries = new SummaryReader(options.gateway);
  }

  /** Reads `conversations.list` (coalesced) and applies every summary. Errors are reported. */
  async refreshSummaries(): Promise<ConversationSummary[] | null> {
    const generation = this.generation;
    try {
      const list = await this.summaries.read();
      if (list === null || generation !== this.generation) return null;
      for (const summary of list) this.applySummary(summary);
      return list;
    } catch (error) {
      this.options.emit("error", asAppError(error, "cannot read conversations"));
      return null;
    }
  }

  /**
   * Group receipts (only the cursors that passed my messages, and mine from my other devices):
   * each member's watermarks move forward; mine move my read cursor.
   */
  onReceipts(frame: ReceiptsFrame): void {
    this.applyCursors(frame.conversationId, frame.cursors);
    this.options.emit("receipts", frame);
  }

  /** A 1:1-style `receipt` of another member in a group is one member's cursor. False otherwise. */
  onReceipt(frame: ReceiptFrame): boolean {
    const conv = this.options.views.get(frame.conversationId);
    if (frame.userId === this.options.views.userId || conv?.meta.kind !== "group") return false;
    const cursor: LooseMemberCursor = { userId: frame.userId, deliveredSeq: frame.seq, readSeq: frame.kind === "read" ? frame.seq : 0 };
    this.applyCursors(frame.conversationId, [cursor]);
    // the event carries a joinedSeq: the one known, else 0 ("not known")
    const joinedSeq = conv.meta.members[frame.userId]?.joinedSeq ?? 0;
    this.options.emit("receipts", { type: "receipts", conversationId: frame.conversationId, cursors: [{ ...cursor, joinedSeq }] });
    return true;
  }

  private applyCursors(conversationId: string, cursors: readonly LooseMemberCursor[]): void {
    const conv = this.options.views.conversation(conversationId);
    const me = this.options.views.userId;
    this.withOwnStates(conv, () => {
      if (conv.meta.kind !== "group") this.becomeGroup(conv, cursors.length);
      let changed = applyMemberCursors(conv.meta, cursors, me) || conv.meta.kind === "group";
      const mine = cursors.find((c) => c.userId === me);
      if (mine && mine.readSeq > conv.meta.readSeq) {
        conv.meta.readSeq = mine.readSeq; // my other device read
        changed = true;
      }
      return changed;
    });
  }

  /** A doorbell: re-read the summary, update the meta, then tell the UI (`membership`). */
  async onConversation(frame: ConversationFrame): Promise<void> {
    const { conversationId, event } = frame;
    const generation = this.generation;
    if (event === "removed") {
      const conv = this.options.views.conversation(conversationId);
      this.withOwnStates(conv, () => {
        conv.meta.membership = "removed";
        return true;
      });
      this.options.sender.failConversation(conversationId, { code: ErrorCode.Forbidden, message: "you are no longer a member of this conversation" });
    }
    let summary = frame.summary;
    if (!summary) summary = (await this.refreshSummaries())?.find((s) => s.id === conversationId);
    else this.applySummary(summary);
    if (generation !== this.generation) return;
    this.options.emit("membership", summary ? { conversationId, event, summary } : { conversationId, event });
    if (event === "changed" && this.membersLoaded.has(conversationId) && this.options.views.get(conversationId)?.meta.kind === "group") {
      await this.loadMemberCursors(conversationId).catch((error: unknown) => this.options.emit("error", asAppError(error, "cannot read group members")));
    }
  }

  /**
   * Reads every member's cursors (`groups.members`, all pages) and replaces the group's `members`
   * with them (others only; members gone are dropped), then re-derives own message states.
   * Coalesced: one read in flight per conversation; calls made during it share ONE more read
   * after it (they may follow a membership change the running read started before).
   */
  loadMemberCursors(conversationId: string): Promise<void> {
    const load = this.memberLoads.get(conversationId);
    if (load) {
      load.again ??= load.running.then(
        () => this.startMemberLoad(conversationId),
        () => this.startMemberLoad(conversationId),
      );
      return load.again;
    }
    return this.startMemberLoad(conversationId);
  }

  private startMemberLoad(conversationId: string): Promise<void> {
    const running = this.readMemberCursors(conversationId);
    const load = { running, again: null as Promise<void> | null };
    this.memberLoads.set(conversationId, load);
    const settle = () => {
      if (this.memberLoads.get(conversationId) === load && load.again === null) this.memberLoads.delete(conversationId);
    };
    running.then(settle, settle);
    return running;
  }

  private async readMemberCursors(conversationId: string): Promise<void> {
    const gateway = this.options.gateway;
    if (!gateway.groupMembers) throw new AppError(ErrorCode.InvalidConfig, "this gateway port cannot read group members");
    const generation = this.generation;
    // Kind and floors come from the summary: read it first if this run never has.
    if (!this.summaries.has(conversationId)) await this.refreshSummaries();
    const seen: MemberCursor[] = [];
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      if (page >= MAX_MEMBER_PAGES) throw new AppError(ErrorCode.Internal, `groups.members of ${conversationId} did not end after ${page} pages`);
      const out = await gateway.groupMembers({ conversationId, limit: Limits.maxMembersPage, ...(cursor ? { cursor } : {}) });
      if (generation !== this.generation) return;
      for (const m of out.members) seen.push({ userId: m.user.id, deliveredSeq: m.deliveredSeq, readSeq: m.readSeq, joinedSeq: m.joinedSeq });
      if (out.nextCursor === null) break;
      cursor = out.nextCursor;
    }
    const conv = this.options.views.conversation(conversationId);
    if (conv.meta.kind !== "group") return; // a direct conversation: its receipts are `receipt` frames
    this.membersLoaded.add(conversationId);
    this.withOwnStates(conv, () => {
      replaceMembers(conv.meta, seen, this.options.views.userId);
      conv.meta.memberCount = seen.length;
      return true;
    });
  }

  /** Forgets everything learnt (logout, another user); calls in flight are dropped. */
  reset(): void {
    this.generation++;
    this.membersLoaded.clear();
    this.memberLoads.clear();
    this.summaries.reset();
  }

  private applySummary(summary: ConversationSummary): void {
    const conv = this.options.views.conversation(summary.id, summary.lastSeq);
    const meta = conv.meta;
    this.withOwnStates(conv, () => {
      const before = [meta.kind, meta.memberCount, meta.membership, meta.peersDeliveredSeq, meta.peersReadSeq].join();
      // Floors kept as a direct conversation's (one member's highest) mean nothing in a group.
      const floorsReset = summary.kind === "group" && meta.kind !== "group";
      meta.kind = summary.kind;
      meta.memberCount = summary.memberCount;
      meta.membership = summary.membership;
      meta.peersDeliveredSeq = floorsReset ? summary.peersDeliveredSeq : Math.max(meta.peersDeliveredSeq, summary.peersDeliveredSeq);
      meta.peersReadSeq = floorsReset ? summary.peersReadSeq : Math.max(meta.peersReadSeq, summary.peersReadSeq);
      return before !== [meta.kind, meta.memberCount, meta.membership, meta.peersDeliveredSeq, meta.peersReadSeq].join();
    });
  }

  /** A `receipts` frame for a conversation not known as a group yet: a group it is. */
  private becomeGroup(conv: ConversationState, cursors: number): void {
    conv.meta.kind = "group";
    conv.meta.memberCount = Math.max(conv.meta.memberCount, Object.keys(conv.meta.members).length + cursors + 1);
    conv.meta.peersDeliveredSeq = 0;
    conv.meta.peersReadSeq = 0;
    void this.refreshSummaries();
  }

  /**
   * Runs `change` (true when it changed the meta), saves, and emits `messageState` for every own
   * stored message whose state moved, then `conversation` for the view.
   */
  private withOwnStates(conv: ConversationState, change: () => boolean): void {
    const me = this.options.views.userId;
    const own = me === null ? [] : conv.messages().filter((m) => m.senderId === me);
    const before = own.map((m) => conv.stateOfSeq(m.seq));
    if (!change()) return;
    this.options.persistence.saveConversation(conv);
    own.forEach((m, i) => {
      const state = conv.stateOfSeq(m.seq);
      const previous = before[i]!;
      if (state === previous) return;
      this.options.emit("messageState", { conversationId: m.conversationId, clientMsgId: m.clientMsgId, messageId: m.id, seq: m.seq, previous, state, error: null });
    });
    this.options.views.changed(conv.meta.conversationId);
  }
}

function asAppError(error: unknown, what: string): AppError {
  return error instanceof AppError ? error : new AppError(ErrorCode.Internal, `${what}: ${String(error)}`);
}
