/**
 * The sender leg: own messages from `send` until the server confirms them — the outbox (in
 * order, persisted), the ACK clock per written `send` (one re-send, then failed), transient
 * server errors that leave the clock running, manual retry with the same clientMsgId.
 */
import { AppError, ErrorCode, sendFrame, type ErrorFrame, type Message, type SentFrame } from "@dim/shared";
import { AckClock } from "./ack-clock";
import { ClientErrorCode } from "./client-error-code";
import type { ConversationViews } from "./conversation-views";
import type { Outbox } from "./outbox";
import type { ClientPersistence } from "./persistence";
import type { FrameWriter } from "./node-link";
import { sendFrameOf, storedFieldsOf } from "./outbox-frame";
import type { ChatMessage, FailureReason, MessageState, MessageStateChange, OutboxItem } from "./types";

/** What `queue` sends: a text (a reply with replyTo) or an event on targetSeq. */
export type QueuedSend = Pick<OutboxItem, "kind" | "body" | "replyTo" | "targetSeq">;

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
}

export class SenderLeg {
  private readonly outbox: Outbox;
  /** Last transient server error (rate limit, internal) per clientMsgId still on its clock. */
  private readonly transientErrors = new Map<string, FailureReason>();
  private readonly ackClock: AckClock;

  constructor(private readonly options: SenderLegOptions) {
    this.outbox = options.outbox;
    this.ackClock = new AckClock(options.ackTimeoutMs, {
      resend: (id) => this.resendOnTimeout(id),
      fail: (id) => this.failOnTimeout(id),
    });
  }

  /** Queues a text message and writes it if connected. Bad input throws AppError and queues nothing. */
  send(conversationId: string, body: string, clientMsgId = this.options.newClientMsgId()): ChatMessage {
    return this.queue(conversationId, { kind: "text", body }, clientMsgId);
  }

  /**
   * Queues a text, a reply or an event (edit, delete, reaction) with the same outbox, ACK clock
   * and idempotent re-sends as any message. Bad input throws AppError and queues nothing.
   */
  queue(conversationId: string, spec: QueuedSend, clientMsgId = this.options.newClientMsgId()): ChatMessage {
    const draft: OutboxItem = { clientMsgId, conversationId, ...spec, createdAt: "", state: "sending", error: null };
    const parsed = sendFrame.safeParse(sendFrameOf(draft));
    if (!parsed.success) {
      throw new AppError(ErrorCode.BadRequest, `invalid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    if (this.outbox.has(clientMsgId) || this.options.views.hasOwnStored(conversationId, clientMsgId)) {
      throw new AppError(ErrorCode.Conflict, `clientMsgId ${clientMsgId} is already used`);
    }
    const item: OutboxItem = { ...draft, createdAt: this.options.now().toISOString() };
    this.outbox.add(item);
    this.options.persistence.saveOutboxItem(item);
    this.emitState(item, null);
    this.writeSend(item);
    return this.options.views.viewOfOutbox(item);
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
    this.outbox.prepend(items);
  }

  /** Forgets the queue (logout, another user). */
  reset(): void {
    this.outbox.clear();
    this.transientErrors.clear();
    this.ackClock.stopAll();
  }

  /** The item is stored on the server: it leaves the outbox for its conversation. */
  private confirm(item: OutboxItem, message: Message): void {
    this.outbox.remove(item.clientMsgId);
    this.transientErrors.delete(item.clientMsgId);
    this.options.persistence.deleteOutboxItem(item.clientMsgId);
    this.options.confirmed.storeOwn(message, item.state);
  }

  private writeSend(item: OutboxItem): void {
    if (item.state !== "sending") return;
    const written = this.options.link.write(sendFrameOf(item));
    if (written) this.ackClock.start(item.clientMsgId);
  }

  private resendOnTimeout(clientMsgId: string): void {
    const item = this.outbox.get(clientMsgId);
    if (!item || item.state !== "sending") return this.ackClock.stop(clientMsgId);
    this.options.link.write(sendFrameOf(item));
  }

  private failOnTimeout(clientMsgId: string): void {
    const item = this.outbox.get(clientMsgId);
    if (!item || item.state !== "sending") return;
    this.markFailed(
      item,
      this.transientErrors.get(clientMsgId) ?? {
        code: ClientErrorCode.AckTimeout,
        message: `no server ACK after ${(2 * this.options.ackTimeoutMs) / 1000} s and one re-send`,
      },
    );
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
