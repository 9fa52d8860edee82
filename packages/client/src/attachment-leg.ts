/**
 * Images and files: queues a picked file as an outbox item (checked first: nothing is queued for
 * input the server would refuse outright), runs its upload through the UploadQueue, and serves
 * thumbnails cache-first (ThumbnailLoader) so history keeps its pictures offline.
 */
import { AppError, ErrorCode, sendAttachmentFrame, type AttachmentKind } from "@dim/shared";
import type { BackoffOptions } from "./backoff";
import type { FileClient } from "./file-client";
import type { FrameWriter } from "./node-link";
import type { SenderLeg } from "./sender-leg";
import { ThumbnailLoader, type ThumbnailCache } from "./thumbnail-cache";
import type { ChatMessage } from "./types";
import { UploadQueue } from "./upload-queue";

/** The types the server decodes as images (the rest are files): only a guess until the upload answers. */
const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/heic", "image/heif"]);
/** Any valid UUID: lets the shared schema check the rest of a `send` before the upload has an id. */
const SOME_ID = "00000000-0000-4000-8000-000000000000";

export interface SendAttachmentOptions {
  /** Default: the File's own name. */
  name?: string;
  caption?: string;
  /** The image's size when the UI knows it (for the bubble's box before the upload answers). */
  width?: number;
  height?: number;
  clientMsgId?: string;
}

export interface AttachmentLegOptions {
  files: FileClient | null;
  thumbnails: ThumbnailCache;
  /** Refused before queuing when larger (the server's limit, if the app knows it). */
  maxUploadBytes: number | null;
  sender: Pick<SenderLeg, "enqueue" | "isUsed" | "uploaded" | "uploadFailed">;
  link: Pick<FrameWriter, "welcomed">;
  changed(conversationId: string): void;
  backoff: BackoffOptions;
  random: () => number;
  newClientMsgId: () => string;
  now: () => Date;
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

  send(conversationId: string, file: Blob, o: SendAttachmentOptions = {}): ChatMessage {
    this.files();
    const clientMsgId = o.clientMsgId ?? this.options.newClientMsgId();
    const caption = o.caption?.trim() ? o.caption : undefined;
    const parsed = sendAttachmentFrame.safeParse({ type: "send", conversationId, clientMsgId, kind: "file", attachmentId: SOME_ID, ...(caption ? { caption } : {}) });
    if (!parsed.success) {
      throw new AppError(ErrorCode.BadRequest, `invalid message: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
    }
    const name = o.name ?? (file as Blob & { name?: string }).name ?? "";
    if (!name.trim()) throw new AppError(ErrorCode.InvalidAttachment, "the file has no name", { reason: "bad_filename" });
    if (file.size === 0) throw new AppError(ErrorCode.InvalidAttachment, "the file is empty", { reason: "empty" });
    const max = this.options.maxUploadBytes;
    if (max !== null && file.size > max) throw new AppError(ErrorCode.PayloadTooLarge, `an upload may hold at most ${max} bytes`, { maxBytes: max, size: file.size });
    if (this.options.sender.isUsed(conversationId, clientMsgId)) throw new AppError(ErrorCode.Conflict, `clientMsgId ${clientMsgId} is already used`);
    const kind: AttachmentKind = IMAGE_TYPES.has(file.type.toLowerCase()) ? "image" : "file";
    return this.options.sender.enqueue({
      clientMsgId,
      conversationId,
      kind,
      body: caption ?? "",
      createdAt: this.options.now().toISOString(),
      state: "sending",
      error: null,
      attachment: {
        file,
        name,
        ...(o.width ? { width: o.width } : {}),
        ...(o.height ? { height: o.height } : {}),
        uploaded: null,
        progress: { status: "waiting", loaded: 0, total: file.size },
      },
    });
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
