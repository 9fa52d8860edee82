/**
 * Uploads of queued image / file messages, one at a time in queue order, while connected. The
 * outbox item holds the picked Blob until the server has it; then the sender leg writes its
 * `send` (with the attachment id, so every re-send is idempotent). Offline, items wait
 * ("waiting") and upload when the connection is back; an upload that reaches no server is tried
 * again with backoff; one the server refuses fails the message with the server's reason.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { backoffDelay, type BackoffOptions } from "./backoff";
import { ClientErrorCode } from "./client-error-code";
import type { FileClient } from "./file-client";
import { isUnreachable } from "./file-route-error";
import type { FailureReason, OutboxItem } from "./types";

export interface UploadQueueOptions {
  files: FileClient | null;
  /** Uploads run only while the client is connected (offline they wait). */
  canUpload(): boolean;
  /** The attachment is on the server (item.attachment.uploaded is set): write the `send`. */
  uploaded(item: OutboxItem): void;
  /** The server refused the upload: the message fails with this reason. */
  failed(item: OutboxItem, reason: FailureReason): void;
  /** Progress moved (or the status changed): re-render the item's conversation. */
  changed(conversationId: string): void;
  backoff: BackoffOptions;
  random: () => number;
}

/**
 * Uploads that break off this many times in a row fail the message (Retry starts over): past
 * that, the cause is likely not the network (a proxy that resets refused bodies, say).
 */
export const MAX_BROKEN_UPLOADS = 5;

export class UploadQueue {
  private readonly waiting: OutboxItem[] = [];
  private running: { item: OutboxItem; controller: AbortController } | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private attempt = 0;

  constructor(private readonly options: UploadQueueOptions) {}

  /** Takes an item whose bytes are not on the server yet (idempotent). */
  add(item: OutboxItem): void {
    if (this.running?.item === item || this.waiting.includes(item)) return;
    this.waiting.push(item);
    this.pump();
  }

  /** Connected again: start what waits (without waiting for a retry timer). */
  resume(): void {
    this.clearRetry();
    this.attempt = 0;
    this.pump();
  }

  /** The item left the outbox: forget it, and stop its upload if it is running. */
  remove(item: OutboxItem): void {
    const i = this.waiting.indexOf(item);
    if (i >= 0) this.waiting.splice(i, 1);
    if (this.running?.item === item) this.running.controller.abort();
  }

  /** Logout or another user: stop everything. */
  reset(): void {
    this.clearRetry();
    this.waiting.length = 0;
    this.running?.controller.abort();
    this.running = null;
  }

  private pump(): void {
    if (this.running || this.retryTimer || !this.options.canUpload()) return;
    const item = this.waiting.shift();
    if (item) void this.start(item);
  }

  private async start(item: OutboxItem): Promise<void> {
    const attachment = item.attachment;
    if (!attachment || attachment.uploaded || item.state !== "sending") return this.pump();
    const files = this.options.files;
    if (!files) return this.refuse(item, new AppError(ErrorCode.InvalidConfig, "this client has no file client to upload with"));
    if (!(attachment.file instanceof Blob)) return this.refuse(item, new AppError(ErrorCode.NotFound, "the file is no longer on this device; pick it again"));
    const controller = new AbortController();
    this.running = { item, controller };
    const total = attachment.file.size;
    let shownPercent = -1;
    attachment.progress = { status: "uploading", loaded: 0, total };
    this.options.changed(item.conversationId);
    try {
      const ref = await files.upload(attachment.file, {
        name: attachment.name,
        signal: controller.signal,
        onProgress: ({ loaded }) => {
          attachment.progress = { status: "uploading", loaded: Math.min(loaded, total), total };
          // Re-render at whole percents, not at every chunk.
          const percent = total > 0 ? Math.floor((100 * loaded) / total) : 100;
          if (percent !== shownPercent) {
            shownPercent = percent;
            this.options.changed(item.conversationId);
          }
        },
      });
      this.attempt = 0;
      attachment.uploaded = ref;
      attachment.progress = { status: "uploaded", loaded: total, total };
      item.kind = ref.kind;
      this.running = null;
      this.options.uploaded(item);
    } catch (error) {
      this.running = null;
      const app = error instanceof AppError ? (error as AppError<ClientErrorCode>) : new AppError(ErrorCode.Internal, String(error));
      attachment.progress = { status: "waiting", loaded: 0, total };
      if (app.code === ClientErrorCode.UploadCancelled) {
        // Discarded (remove): the item is gone from the outbox already.
      } else if (isUnreachable(app as AppError) && this.attempt < MAX_BROKEN_UPLOADS - 1) {
        this.waiting.unshift(item);
        this.scheduleRetry();
        this.options.changed(item.conversationId);
        return;
      } else {
        this.attempt = 0;
        this.refuse(item, app);
        return;
      }
    }
    this.pump();
  }

  private refuse(item: OutboxItem, error: AppError<ClientErrorCode>): void {
    this.options.failed(item, { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) });
    this.pump();
  }

  private scheduleRetry(): void {
    const delay = backoffDelay(this.attempt++, this.options.backoff, this.options.random);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.pump();
    }, delay);
  }

  private clearRetry(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }
}
