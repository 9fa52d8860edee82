/**
 * Every sentence the app shows about images and files, in one place: previews in the list and
 * notifications, upload states, and why an upload was refused (from the server's typed error, or
 * from the size check before queuing — both read the same).
 */
import { ClientErrorCode, formatBytes, type ChatAttachment, type FailureReason } from "@dim/client";
import { ErrorCode, type AttachmentRef, type UploadRejectReason } from "@dim/shared";

/** "Photo", "Photo: caption", or the file's name (with its caption), for one-line previews. */
export function attachmentPreview(kind: string, attachment: Pick<AttachmentRef, "name"> | Pick<ChatAttachment, "name"> | null | undefined, caption: string): string {
  const what = kind === "image" ? "Photo" : kind === "file" ? (attachment?.name ?? "File") : null;
  if (what === null) return caption;
  return caption.trim() ? `${what}: ${caption}` : what;
}

export function tooBigText(name: string, size: number, maxBytes: number): string {
  return `“${name}” is ${formatBytes(size)}: files can be at most ${formatBytes(maxBytes)}.`;
}

/** A paste over the text limit, held back rather than cut (the composer offers a text file). */
export function longPasteText(chars: number, max: number): string {
  return `The pasted text has ${chars.toLocaleString("en-US")} characters; a message can hold ${max.toLocaleString("en-US")}. It was not pasted. Send it as a text file instead?`;
}

const REJECTED: Record<UploadRejectReason, string> = {
  empty: "The file is empty.",
  truncated: "The upload broke off before the end. Try again.",
  type_mismatch: "The file is not what its name says (its contents are of another type).",
  too_many_pixels: "The image has too many pixels to be sent.",
  corrupt_image: "The image is damaged and cannot be opened.",
  bad_filename: "The file name cannot be used. Rename the file and try again.",
  not_an_image: "A profile picture must be an image (JPEG, PNG, WebP or GIF).",
};

/** Why an attachment message failed, in words (its upload refused, or its `send`). */
export function attachmentFailureText(error: FailureReason, attachment: ChatAttachment | null): string {
  const details = error.details ?? {};
  switch (error.code) {
    case ErrorCode.PayloadTooLarge:
      return typeof details.maxBytes === "number" && attachment ? tooBigText(attachment.name, attachment.size, details.maxBytes) : "The file is too large to be sent.";
    case ErrorCode.InvalidAttachment: {
      const reason = details.reason as UploadRejectReason | undefined;
      return (reason && REJECTED[reason]) || error.message;
    }
    case ErrorCode.RateLimited:
      return "You have sent a lot of files just now. Wait a little and retry.";
    case ErrorCode.Unauthorized:
      return "Your session has ended. Sign in again to send it.";
    case ClientErrorCode.AckTimeout:
      return "The server did not confirm it (sent twice). Retry sends it again, once.";
    case ErrorCode.NotFound:
      return "The file is no longer on this device. Remove this message and pick the file again.";
    default:
      return error.message;
  }
}

export function uploadStatusText(status: "waiting" | "uploading" | "uploaded", loaded: number, total: number, online: boolean): string {
  if (status === "waiting") return online ? "Waiting to upload…" : "Waiting for the connection: it uploads when you are back online.";
  if (status === "uploading") return `Uploading… ${formatBytes(loaded)} of ${formatBytes(total)}`;
  return "Sending…";
}

/** The kind of file, for its card: "PDF document", "ZIP archive", else the subtype in capitals. */
export function fileTypeLabel(mime: string, name: string): string {
  const known: Record<string, string> = {
    "application/pdf": "PDF document",
    "application/zip": "ZIP archive",
    "text/plain": "Text file",
    "application/octet-stream": "File",
  };
  if (known[mime]) return known[mime];
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toUpperCase() : "";
  return ext ? `${ext} file` : "File";
}
