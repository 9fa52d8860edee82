/**
 * Every sentence the app shows about images and files, in one place: previews in the list and
 * notifications, upload states, and why an upload was refused (from the server's typed error, or
 * from the size check before queuing — both read the same). In the UI's language.
 */
import { ClientErrorCode, formatBytes, type ChatAttachment, type FailureReason } from "@dim/client";
import { ErrorCode, type AttachmentRef, type UploadRejectReason } from "@dim/shared";
import type { Translator } from "@/i18n";

/** "Photo", "Photo: caption", or the file's name (with its caption), for one-line previews. */
export function attachmentPreview(kind: string, attachment: Pick<AttachmentRef, "name"> | Pick<ChatAttachment, "name"> | null | undefined, caption: string, t: Translator): string {
  const what = kind === "image" ? t("attachments.photo") : kind === "file" ? (attachment?.name ?? t("attachments.file")) : null;
  if (what === null) return caption;
  return caption.trim() ? t("attachments.withCaption", { what, caption }) : what;
}

export function tooBigText(name: string, size: number, maxBytes: number, t: Translator): string {
  return t("attachments.tooBig", { name, size: formatBytes(size), max: formatBytes(maxBytes) });
}

/** A paste over the text limit, held back rather than cut (the composer offers a text file). */
export function longPasteText(chars: number, max: number, t: Translator): string {
  return t("attachments.longPaste", { chars, max });
}

const REJECTED = ["empty", "truncated", "type_mismatch", "too_many_pixels", "corrupt_image", "bad_filename", "not_an_image"] as const satisfies readonly UploadRejectReason[];

function isRejectReason(value: unknown): value is (typeof REJECTED)[number] {
  return (REJECTED as readonly unknown[]).includes(value);
}

/** Why an attachment message failed, in words (its upload refused, or its `send`). */
export function attachmentFailureText(error: FailureReason, attachment: ChatAttachment | null, t: Translator): string {
  const details = error.details ?? {};
  switch (error.code) {
    case ErrorCode.PayloadTooLarge:
      return typeof details.maxBytes === "number" && attachment ? tooBigText(attachment.name, attachment.size, details.maxBytes, t) : t("attachments.tooLarge");
    case ErrorCode.InvalidAttachment:
      return isRejectReason(details.reason) ? t(`attachments.rejected.${details.reason}`) : t("errors.INVALID_ATTACHMENT");
    case ErrorCode.RateLimited:
      return t("attachments.rateLimited");
    case ErrorCode.Unauthorized:
      return t("attachments.signedOut");
    case ClientErrorCode.AckTimeout:
      return t("attachments.ackTimeout");
    case ErrorCode.NotFound:
      return t("attachments.gone");
    default:
      return (Object.values(ClientErrorCode) as string[]).includes(error.code) ? t(`errors.${error.code as ClientErrorCode}`) : t("errors.unknown");
  }
}

export function uploadStatusText(status: "waiting" | "uploading" | "uploaded", loaded: number, total: number, online: boolean, t: Translator): string {
  if (status === "waiting") return online ? t("attachments.waiting") : t("attachments.waitingOffline");
  if (status === "uploading") return t("attachments.uploading", { loaded: formatBytes(loaded), total: formatBytes(total) });
  return t("attachments.sending");
}

const KNOWN_TYPES = { "application/pdf": "pdf", "application/zip": "zip", "text/plain": "text", "application/octet-stream": "file" } as const;

/** The kind of file, for its card: "PDF document", "ZIP archive", else the subtype in capitals. */
export function fileTypeLabel(mime: string, name: string, t: Translator): string {
  const known = KNOWN_TYPES[mime as keyof typeof KNOWN_TYPES];
  if (known) return t(`attachments.types.${known}`);
  const ext = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toUpperCase() : "";
  return ext ? t("attachments.types.ext", { ext }) : t("attachments.types.file");
}

