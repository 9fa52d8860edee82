/**
 * What a user does to messages already in a conversation: reply, edit, delete for everyone,
 * react (toggled), delete for me. The first four are sends through the sender leg (outbox, ACK
 * clock, idempotent re-sends by clientMsgId); their effect shows once stored, folded into the
 * target by the views (event-fold.ts). "Delete for me" hides at once on this device and tells the
 * server (`hide`), which tells my other devices (`hidden`, and every later `sync.batch`).
 */
import { AppError, ErrorCode, isSingleEmoji, Limits, type HiddenFrame } from "@dim/shared";
import type { ConversationViews } from "./conversation-views";
import type { FrameWriter } from "./node-link";
import type { ClientPersistence } from "./persistence";
import { mentionSpec, type MentionOptions, type SenderLeg } from "./sender-leg";
import type { ChatMessage } from "./types";

export interface MessageActionsOptions {
  sender: Pick<SenderLeg, "queue">;
  views: Pick<ConversationViews, "get" | "conversation" | "messages" | "changed" | "userId">;
  link: FrameWriter;
  persistence: Pick<ClientPersistence, "saveConversation">;
  emitHidden(frame: HiddenFrame): void;
}

export class MessageActions {
  /** Hides not written yet (no socket): conversationId → seqs, sent at the next welcome. */
  private readonly pendingHides = new Map<string, Set<number>>();

  constructor(private readonly options: MessageActionsOptions) {}

  reply(conversationId: string, replyTo: number, body: string, mentions: MentionOptions = {}): ChatMessage {
    return this.options.sender.queue(conversationId, { kind: "text", body, replyTo, ...mentionSpec(mentions) });
  }

  /** The edit's mentions replace the message's (none given: it mentions nobody any more). */
  edit(conversationId: string, targetSeq: number, body: string, mentions: MentionOptions = {}): ChatMessage {
    return this.options.sender.queue(conversationId, { kind: "edit", body, targetSeq, ...mentionSpec(mentions) });
  }

  deleteForEveryone(conversationId: string, targetSeq: number): ChatMessage {
    return this.options.sender.queue(conversationId, { kind: "delete", body: "", targetSeq });
  }

  /** Toggles my reaction: the same emoji again removes it, another one replaces it. */
  react(conversationId: string, targetSeq: number, emoji: string): ChatMessage {
    if (!isSingleEmoji(emoji)) throw new AppError(ErrorCode.BadRequest, "a reaction is exactly one emoji");
    const current = this.options.views.messages(conversationId).find((m) => m.seq === targetSeq)?.myReaction ?? null;
    return this.options.sender.queue(conversationId, { kind: "reaction", body: current === emoji ? "" : emoji, targetSeq });
  }

  /** Hides these messages on all my devices (not for the other members). */
  deleteForMe(conversationId: string, seqs: number[]): void {
    if (seqs.length === 0 || seqs.length > Limits.maxHideBatch || seqs.some((s) => !Number.isSafeInteger(s) || s < 1)) {
      throw new AppError(ErrorCode.BadRequest, `deleteForMe takes 1 to ${Limits.maxHideBatch} seqs`);
    }
    this.apply({ type: "hidden", conversationId, seqs });
    if (!this.options.link.write({ type: "hide", conversationId, seqs })) {
      const pending = this.pendingHides.get(conversationId) ?? new Set<number>();
      for (const s of seqs) pending.add(s);
      this.pendingHides.set(conversationId, pending);
    }
  }

  /** Welcomed: write the hides made while offline. */
  flush(): void {
    for (const [conversationId, seqs] of this.pendingHides) {
      const all = [...seqs];
      for (let i = 0; i < all.length; i += Limits.maxHideBatch) {
        if (!this.options.link.write({ type: "hide", conversationId, seqs: all.slice(i, i + Limits.maxHideBatch) })) return;
      }
      this.pendingHides.delete(conversationId);
    }
  }

  /** A `hidden` frame, or the `hidden` list of a sync batch: idempotent. */
  apply(frame: HiddenFrame): void {
    const conv = this.options.views.get(frame.conversationId) ?? this.options.views.conversation(frame.conversationId);
    if (!conv.hide(frame.seqs)) return;
    this.options.persistence.saveConversation(conv);
    this.options.views.changed(frame.conversationId);
    this.options.emitHidden(frame);
  }

  reset(): void {
    this.pendingHides.clear();
  }
}
