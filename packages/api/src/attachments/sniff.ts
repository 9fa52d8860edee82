/**
 * What an upload is, from its first bytes (file-type), never from its name or headers; those
 * are only checked against it: a name or Content-Type that claims an image the bytes are not is a
 * lie (type_mismatch). Other claims (image/svg+xml, text/html, …) are simply not believed.
 */
import { fileTypeFromBuffer } from "file-type";
import { extensionOf } from "./file-name";
import { rejectUpload } from "./reject";

/** The image formats we decode and re-encode (HEIC: when the libheif in sharp can read it). */
export const IMAGE_MIMES = ["image/jpeg", "image/png", "image/webp", "image/gif", "image/avif", "image/heic", "image/heif"] as const;
export type ImageMime = (typeof IMAGE_MIMES)[number];

const MIME_OF_EXTENSION: Record<string, ImageMime> = {
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  jfif: "image/jpeg",
  png: "image/png",
  webp: "image/webp",
  gif: "image/gif",
  avif: "image/avif",
  heic: "image/heic",
  heif: "image/heif",
};

const sameFamily = (a: string, b: string) => a === b || ((a === "image/heic" || a === "image/heif") && (b === "image/heic" || b === "image/heif"));

export interface Sniffed {
  mime: string;
  image: ImageMime | null;
}

export async function sniff(head: Buffer, name: string, declaredType: string | null): Promise<Sniffed> {
  const found = await fileTypeFromBuffer(head);
  const mime = found?.mime ?? "application/octet-stream";
  const image = (IMAGE_MIMES as readonly string[]).includes(mime) ? (mime as ImageMime) : null;
  const claimedByName = MIME_OF_EXTENSION[extensionOf(name)];
  if (claimedByName && !sameFamily(claimedByName, mime)) {
    throw rejectUpload("type_mismatch", `the name says ${claimedByName} but the bytes are ${mime}`);
  }
  const claimedByHeader = declaredType?.split(";")[0]?.trim().toLowerCase();
  const claimsOurImage = claimedByHeader === "image/jpg" || (IMAGE_MIMES as readonly string[]).includes(claimedByHeader ?? "");
  if (claimedByHeader && claimsOurImage && !sameFamily(claimedByHeader === "image/jpg" ? "image/jpeg" : claimedByHeader, mime)) {
    throw rejectUpload("type_mismatch", `the Content-Type says ${claimedByHeader} but the bytes are ${mime}`);
  }
  return { mime, image };
}
