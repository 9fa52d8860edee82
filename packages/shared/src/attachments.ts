/**
 * Attachments (images and files) as the protocol shows them: the upload route's answer, the
 * `attachment` of an image / file message, the reasons an upload is refused and the URLs that
 * serve the bytes. docs/protocol.md describes them for people.
 */
import { z } from "zod";
import { Limits } from "./limits";

/** Where the gateway takes uploads (POST, the raw bytes as body, `?name=` the file name). */
export const UPLOAD_ENDPOINT = "/api/files";

/** The original bytes of an attachment (images: re-encoded, metadata stripped). */
export function attachmentUrl(id: string): string {
  return `${UPLOAD_ENDPOINT}/${id}`;
}

/** The thumbnail of an image attachment (WebP, at most THUMBNAIL_MAX_EDGE on its longer side). */
export function thumbnailUrl(id: string): string {
  return `${UPLOAD_ENDPOINT}/${id}/thumb`;
}

export const THUMBNAIL_MAX_EDGE = 320;

/** `details.reason` of an INVALID_ATTACHMENT error. */
export const UPLOAD_REJECT_REASONS = [
  /** Zero bytes. */
  "empty",
  /** The body ended before its Content-Length (or the connection broke). */
  "truncated",
  /** The name's extension or the Content-Type header claims a type the bytes are not. */
  "type_mismatch",
  /** An image larger than the configured pixel cap (a decompression bomb). */
  "too_many_pixels",
  /** Bytes that claim to be an image but do not decode. */
  "corrupt_image",
  /** No name, or one with path parts, control characters or too long. */
  "bad_filename",
  /** account.setAvatar with an upload that is not an image. */
  "not_an_image",
] as const;
export type UploadRejectReason = (typeof UPLOAD_REJECT_REASONS)[number];

/** "image": decoded and re-encoded, has width, height, a thumbnail and a placeholder. */
export const attachmentKind = z.enum(["image", "file"]);
export type AttachmentKind = z.infer<typeof attachmentKind>;

/**
 * What a message carries about its attachment: enough to draw an image bubble (its size box and
 * placeholder) or a file card before any byte is fetched.
 */
export const attachmentRef = z.strictObject({
  id: z.uuid(),
  kind: attachmentKind,
  /** Sniffed from the bytes (for images: the re-encoded format), never taken from the client. */
  mime: z.string().min(1).max(255),
  name: z.string().min(1).max(Limits.attachmentNameMax),
  size: z.number().int().positive(),
  width: z.number().int().positive().optional(),
  height: z.number().int().positive().optional(),
  /** A ThumbHash, base64: decode with `thumbhash`'s thumbHashToDataURL for a blurred preview. */
  placeholder: z.string().max(128).optional(),
});
export type AttachmentRef = z.infer<typeof attachmentRef>;

/** The upload route's answer (201). The attachment is yours, unsent, until a `send` uses it. */
export const uploadResponse = z.strictObject({ attachment: attachmentRef });
export type UploadResponse = z.infer<typeof uploadResponse>;

/** The error body of the upload and download routes (not tRPC: plain JSON). */
export const fileRouteError = z.strictObject({
  error: z.strictObject({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});
export type FileRouteError = z.infer<typeof fileRouteError>;
