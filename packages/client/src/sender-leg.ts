/**
 * The sender leg: own messages from `send` until the server confirms them — the outbox (in
 * order, persisted), the ACK clock per written `send` (one re-send, then failed), transient
 * server errors that leave the clock running, manual retry with the same clientMsgId.
 */
import { AppError, ErrorCode, sendFrame, type ErrorFrame, type Message, type SendFrame, type SentFrame } from "@dim/shared";
import { AckClock } from "./ack-clock";
import { ClientErrorCode } from "./client-error-code";
import type { ConversationViews } from "./conversation-views";
import { invalidMessage } from "./invalid-message";
import type { Outbox } from "./outbox";
import type { ClientPersistence } from "./persistence";
import type { FrameWriter } from "./node-link";
import { sendFrameOf, storedFieldsOf } from "./outbox-frame";
import type { ChatMessage, FailureReason, MessageState, MessageStateChange, OutboxItem } from "./types";

/** Who a text or edit mentions (groups): member ids whose `@username` is in the text, or everyone. */
export interface MentionOptions {
  mentions?: readonly string[] | undefined;
  mentionsAll?: boolean | undefined;
}

/** The outbox fields of MentionOptions (absent when none). */
export function mentionSpec(o: MentionOptions): Pick<OutboxItem, "mentions" | "mentionsAll"> {
  return { ...(o.mentions && o.mentions.length > 0 ? { mentions: [...o.mentions] } : {}), ...(o.mentionsAll ? { mentionsAll: true as const } : {}) };
}

/** What `queue` sends: a text (a reply with replyTo) or an event on targetSeq. */
export type QueuedSend = Pick<OutboxItem, "kind" | "body" | "replyTo" | "targetSeq" | "mentions" | "mentionsAll">;

/** Server errors on a `send` that a re-send may cure: the ACK clock keeps running. */
const TRANSIENT_SEND_ERRORS = new Set<string>([ErrorCode.RateLimited, ErrorCode.Internal]);

/** Where a confirmed own message goes: into its conversation (the recipient leg files it). */
export interface ConfirmedSink {
  storeOwn(message: Message, previous: MessageState): void;
}

export interface SenderLegOptions {
  /** The queue this leg fills and empties (views read it too). */
  outbox: Outbox;
  link: FrameWriter;
  views: Pick<ConversationViews, "userId" | "hasOwnStored" | "viewOfOutbox" | "changed">;
  persistence: Pick<ClientPersistence, "saveOutboxItem" | "deleteOutboxItem">;
  confirmed: ConfirmedSink;
  messageState(change: MessageStateChange): void;
  /** Wait for `sent`, re-send once, wait again, then failed. */
  ackTimeoutMs: number;
  newClientMsgId: () => string;
  now: () => Date;
  /** A queued image / file whose bytes are not uploaded yet: the upload queue takes it (then `uploaded`). */
  needsUpload(item: OutboxItem): void;
  /** An item left the outbox unsent (discarded): its upload, if running, stops. */
  discarded(item: OutboxItem): void;
}

export class SenderLeg {
  private readonly outbox: Outbox;
  /** Last transient server error (rate limit, internal) per clientMsgId still on its clock. */
  private readonly transientErrors = new Map<string, FailureReason>();
  /** The link's framesHeard when each clientMsgId was re-sent (and the link probed). */
  private readonly heardAtResend = new Map<string, number>();
  private readonly ackClock: AckClock;

  constructor(private readonly options: SenderLegOptions) {
    this.outbox = options.outbox;
    this.ackClock = new AckClock(options.ackTimeoutMs, {
      resend: (id) => this.resendOnTimeout(id),
      fail: (id) => this.failOnTimeout(id),
    });
  }

  /** Queues a text message and writes it if connected. Bad input throws AppError and queues nothing. */
  send(conversationId: string, body: string, clientMsgId = this.options.newClientMsgId(), mentions: MentionOptions = {}): ChatMessage {
    return this.queue(conversationId, { kind: "text", body, ...mentionSpec(mentions) }, clientMsgId);
  }

  /**
   * Queues a text, a reply or an event (edit, delete, reaction) with the same outbox, ACK clock
   * and idempotent re-sends as any message. Bad input throws AppError and queues nothing.
   */
  queue(conversationId: string, spec: QueuedSend, clientMsgId = this.options.newClientMsgId()): ChatMessage {
    const draft: OutboxItem = { clientMsgId, conversationId, ...spec, createdAt: "", state: "sending", error: null };
    const parsed = sendFrame.safeParse(sendFrameOf(draft));
    if (!parsed.success) {
      throw invalidMessage(parsed.error);
    }
    if (this.isUsed(conversationId, clientMsgId)) {
      throw new AppError(ErrorCode.Conflict, `clientMsgId ${clientMsgId} is already used`);
    }
    return this.enqueue({ ...draft, createdAt: this.options.now().toISOString() });
  }

  /** True when this clientMsgId is taken (queued, or stored as one of mine). */
  isUsed(conversationId: string, clientMsgId: string): boolean {
    return this.outbox.has(clientMsgId) || this.options.views.hasOwnStored(conversationId, clientMsgId);
  }

  /** Queues a checked item (text, event, or an attachment to upload first) and starts it. */
  enqueue(item: OutboxItem): ChatMessage {
    this.outbox.add(item);
    this.options.persistence.saveOutboxItem(item);
    this.emitState(item, null);
    this.writeSend(item);
    return this.options.views.viewOfOutbox(item);
  }

  /** The upload queue has the attachment on the server: the `send` can go out. */
  uploaded(item: OutboxItem): void {
    if (this.outbox.get(item.clientMsgId) !== item) return; // discarded meanwhile
    this.options.persistence.saveOutboxItem(item);
    this.options.views.changed(item.conversationId);
    this.writeSend(item);
  }

  /** The upload was refused (too large, a lying type, …): the message fails with the server's reason. */
  uploadFailed(item: OutboxItem, reason: FailureReason): void {
    if (this.outbox.get(item.clientMsgId) !== item || item.state !== "sending") return;
    this.markFailed(item, reason);
  }

  /**
   * Takes an unsent item out of the outbox: a failed one, or an attachment still waiting for or
   * in its upload (its `send` was never written, so nothing can be stored later). Its upload stops.
   */
  discard(clientMsgId: string): void {
    const item = this.outbox.get(clientMsgId);
    if (!item) throw new AppError(ErrorCode.NotFound, `no queued message ${clientMsgId}`);
    const unsentUpload = item.attachment !== undefined && item.attachment.uploaded === null;
    if (item.state !== "failed" && !unsentUpload) throw new AppError(ErrorCode.Conflict, "this message is being sent; it can no longer be taken back");
    this.ackClock.stop(clientMsgId);
    this.outbox.remove(clientMsgId);
    this.transientErrors.delete(clientMsgId);
    this.heardAtResend.delete(clientMsgId);
    this.options.persistence.deleteOutboxItem(clientMsgId);
    this.options.discarded(item);
    this.options.views.changed(item.conversationId);
  }

  /** Re-sends a failed message with its original clientMsgId (so it is stored at most once). */
  retry(clientMsgId: string): ChatMessage {
    const item = this.outbox.get(clientMsgId);
    if (!item) throw new AppError(ErrorCode.NotFound, `no queued message ${clientMsgId}`);
    if (item.state === "failed") {
      item.state = "sending";
      item.error = null;
      this.options.persistence.saveOutboxItem(item);
      this.emitState(item, "failed");
    }
    if (!this.ackClock.isRunning(clientMsgId)) this.writeSend(item);
    return this.options.views.viewOfOutbox(item);
  }

  /** Connected: every queued message goes out, in order, with its own clientMsgId. */
  flush(): void {
    for (const item of this.outbox.pending()) this.writeSend(item);
  }

  /** The socket went away: clocks stop; unconfirmed sends stay "sending" until the next welcome. */
  pause(): void {
    this.ackClock.stopAll();
    this.heardAtResend.clear();
  }

  onSent(frame: SentFrame): void {
    this.ackClock.stop(frame.clientMsgId);
    const item = this.outbox.get(frame.clientMsgId);
    if (!item || item.conversationId !== frame.conversationId) return; // a second answer to a re-send: already applied
    this.confirm(item, {
      id: frame.messageId,
      conversationId: frame.conversationId,
      seq: frame.seq,
      senderId: this.options.views.userId ?? "",
      clientMsgId: item.clientMsgId,
      ...storedFieldsOf(item),
      createdAt: frame.createdAt,
    });
  }

  /**
   * My own message pushed or synced before its `sent` reached this socket: confirms it from the
   * stored copy. False when the message is not one of mine in the outbox.
   */
  claimEcho(message: Message): boolean {
    const own = this.outbox.get(message.clientMsgId);
    if (!own || message.senderId !== this.options.views.userId || own.conversationId !== message.conversationId) return false;
    this.ackClock.stop(own.clientMsgId);
    this.confirm(own, message);
    return true;
  }

  /** An error frame; true when it answered one of the queued sends (and was handled here). */
  onError(frame: ErrorFrame): boolean {
    const item = frame.ref ? this.outbox.get(frame.ref) : undefined;
    if (!item) return false;
    if (TRANSIENT_SEND_ERRORS.has(frame.code) && this.ackClock.isRunning(item.clientMsgId)) {
      // Worth the one re-send the clock will make; if that fails too, this is the reason shown.
      this.transientErrors.set(item.clientMsgId, { code: frame.code, message: frame.message });
    } else {
      this.ackClock.stop(item.clientMsgId);
      this.markFailed(item, { code: frame.code, message: frame.message });
    }
    return true;
  }

  /**
   * I am no longer a member: every own item queued for the conversation fails with `reason` now
   * (the server would answer each one the same). A `sent` still arriving confirms it as usual.
   */
  failConversation(conversationId: string, reason: FailureReason): void {
    for (const item of this.outbox.inConversation(conversationId)) {
      if (item.state !== "sending") continue;
      this.ackClock.stop(item.clientMsgId);
      this.markFailed(item, reason);
    }
  }

  /** Persisted items go ahead of anything queued since start. */
  restore(items: OutboxItem[]): void {
    // An upload that was running when the app closed starts over (the server kept nothing of it).
    for (const i of items) if (i.attachment && !i.attachment.uploaded) i.attachment.progress = { status: "waiting", loaded: 0, total: i.attachment.file?.size ?? 0 };
    this.outbox.prepend(items);
  }

  /** Forgets the queue (logout, another user). */
  reset(): void {
    this.outbox.clear();
    this.transientErrors.clear();
    this.heardAtResend.clear();
    this.ackClock.stopAll();
  }

  /** The item is stored on the server: it leaves the outbox for its conversation. */
  private confirm(item: OutboxItem, message: Message): void {
    this.outbox.remove(item.clientMsgId);
    this.transientErrors.delete(item.clientMsgId);
    this.heardAtResend.delete(item.clientMsgId);
    this.options.persistence.deleteOutboxItem(item.clientMsgId);
    this.options.confirmed.storeOwn(message, item.state);
  }

  private writeSend(item: OutboxItem): void {
    if (item.state !== "sending") return;
    const frame = sendFrameOf(item);
    if (!frame) return this.options.needsUpload(item);
    if (this.options.link.write(frame)) this.ackClock.start(item.clientMsgId);
  }

  private resendOnTimeout(clientMsgId: string): void {
    const item = this.outbox.get(clientMsgId);
    const frame = item && item.state === "sending" ? sendFrameOf(item) : null;
    if (!frame) return this.ackClock.stop(clientMsgId);
    this.options.link.write(frame);
    // An unanswered send is the first sign of a link that died silently (no `offline` event, no
    // close): probe it now rather than after the next write-idle heartbeat.
    this.heardAtResend.set(clientMsgId, this.options.link.framesHeard);
    this.options.link.probe();
  }

  /**
   * The re-send went unanswered too. If nothing at all was heard since (not even the probe's
   * pong), the link is dead rather than the server refusing: the message stays "sending" (the
   * pong deadline drops the link, and the next welcome writes it again). Otherwise it failed.
   */
  private failOnTimeout(clientMsgId: string): boolean {
    const item = this.outbox.get(clientMsgId);
    if (!item || item.state !== "sending") return true;
    const link = this.options.link;
    if (link.welcomed && link.framesHeard === this.heardAtResend.get(clientMsgId)) {
      link.probe();
      return false;
    }
    this.heardAtResend.delete(clientMsgId);
    this.markFailed(
      item,
      this.transientErrors.get(clientMsgId) ?? {
        code: ClientErrorCode.AckTimeout,
        message: `no server ACK after ${(2 * this.options.ackTimeoutMs) / 1000} s and one re-send`,
      },
    );
    return true;
  }

  private markFailed(item: OutboxItem, reason: FailureReason): void {
    this.transientErrors.delete(item.clientMsgId);
    const previous = item.state;
    item.state = "failed";
    item.error = reason;
    this.options.persistence.saveOutboxItem(item);
    this.emitState(item, previous);
  }

  private emitState(item: OutboxItem, previous: MessageState | null): void {
    this.options.messageState({
      conversationId: item.conversationId,
      clientMsgId: item.clientMsgId,
      messageId: null,
      seq: null,
      previous,
      state: item.state,
      error: item.error,
    });
    this.options.views.changed(item.conversationId);
  }
}
