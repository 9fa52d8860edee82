/**
 * Sending an image or file: the checks before anything is queued (what the server would refuse
 * outright: a bad caption, no name, empty, over the known limit, a re-used clientMsgId), then the
 * outbox item that waits for its upload. The upload itself is the UploadQueue's job.
 */
import { AppError, ErrorCode, sendAttachmentFrame, type AttachmentKind } from "@dim/shared";
import { invalidMessage } from "./invalid-message";
import type { SenderLeg } from "./sender-leg";
import type { ChatMessage } from "./types";

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

export interface AttachmentSendContext {
  sender: Pick<SenderLeg, "enqueue" | "isUsed">;
  /** Refused before queuing when larger (the server's limit, if the app knows it). */
  maxUploadBytes: number | null;
  newClientMsgId: () => string;
  now: () => Date;
}

/** Checks a picked file and queues it; bad input throws AppError and queues nothing. */
export function sendAttachment(ctx: AttachmentSendContext, conversationId: string, file: Blob, o: SendAttachmentOptions = {}): ChatMessage {
  const clientMsgId = o.clientMsgId ?? ctx.newClientMsgId();
  const caption = o.caption?.trim() ? o.caption : undefined;
  const parsed = sendAttachmentFrame.safeParse({ type: "send", conversationId, clientMsgId, kind: "file", attachmentId: SOME_ID, ...(caption ? { caption } : {}) });
  if (!parsed.success) throw invalidMessage(parsed.error);
  const name = o.name ?? (file as Blob & { name?: string }).name ?? "";
  if (!name.trim()) throw new AppError(ErrorCode.InvalidAttachment, "the file has no name", { reason: "bad_filename" });
  if (file.size === 0) throw new AppError(ErrorCode.InvalidAttachment, "the file is empty", { reason: "empty" });
  const max = ctx.maxUploadBytes;
  if (max !== null && file.size > max) throw new AppError(ErrorCode.PayloadTooLarge, `an upload may hold at most ${max} bytes`, { maxBytes: max, size: file.size });
  if (ctx.sender.isUsed(conversationId, clientMsgId)) throw new AppError(ErrorCode.Conflict, `clientMsgId ${clientMsgId} is already used`);
  const kind: AttachmentKind = IMAGE_TYPES.has(file.type.toLowerCase()) ? "image" : "file";
  return ctx.sender.enqueue({
    clientMsgId,
    conversationId,
    kind,
    body: caption ?? "",
    createdAt: ctx.now().toISOString(),
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
