/**
 * Images and files in the client: queues a picked file (attachment-send.ts), runs its upload
 * through the UploadQueue, and serves thumbnails cache-first (ThumbnailLoader) so history keeps
 * its pictures offline.
 */
import { AppError, ErrorCode } from "@dim/shared";
import { sendAttachment, type AttachmentSendContext, type SendAttachmentOptions } from "./attachment-send";
import type { BackoffOptions } from "./backoff";
import type { FileClient } from "./file-client";
import type { FrameWriter } from "./node-link";
import type { SenderLeg } from "./sender-leg";
import { ThumbnailLoader, type ThumbnailCache } from "./thumbnail-cache";
import type { ChatMessage } from "./types";
import { UploadQueue } from "./upload-queue";

export interface AttachmentLegOptions extends Omit<AttachmentSendContext, "sender"> {
  files: FileClient | null;
  thumbnails: ThumbnailCache;
  sender: AttachmentSendContext["sender"] & Pick<SenderLeg, "uploaded" | "uploadFailed">;
  link: Pick<FrameWriter, "welcomed">;
  changed(conversationId: string): void;
  backoff: BackoffOptions;
  random: () => number;
}

export class AttachmentLeg {
  readonly uploads: UploadQueue;
  private readonly loader: ThumbnailLoader;

  constructor(private readonly options: AttachmentLegOptions) {
    this.uploads = new UploadQueue({
      files: options.files,
      canUpload: () => options.link.welcomed,
      uploaded: (item) => options.sender.uploaded(item),
      failed: (item, reason) => options.sender.uploadFailed(item, reason),
      changed: (id) => options.changed(id),
      backoff: options.backoff,
      random: options.random,
    });
    this.loader = new ThumbnailLoader(options.thumbnails, (id) => this.files().thumbnail(id));
  }

  send(conversationId: string, file: Blob, o?: SendAttachmentOptions): ChatMessage {
    this.files();
    return sendAttachment(this.options, conversationId, file, o);
  }

  /** An image attachment's thumbnail: from the cache, else fetched (and kept). */
  thumbnail(attachmentId: string): Promise<Blob> {
    try {
      this.files();
    } catch (error) {
      return Promise.reject(error);
    }
    return this.loader.load(attachmentId);
  }

  /** Logout: stop uploads and forget the cached thumbnails. */
  async forget(): Promise<void> {
    this.uploads.reset();
    await this.options.thumbnails.clear().catch(() => {});
  }

  private files(): FileClient {
    if (!this.options.files) throw new AppError(ErrorCode.InvalidConfig, "no file client: pass options.files (createFileClient) to send or show attachments");
    return this.options.files;
  }
}
