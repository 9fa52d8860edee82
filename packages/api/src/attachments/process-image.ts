/**
 * An uploaded image, decoded and re-encoded by sharp: orientation applied, every metadata chunk
 * (EXIF, GPS, XMP, ICC comments) dropped by the re-encode, dimensions read from the result, a
 * WebP thumbnail and a ThumbHash placeholder made. The pixel cap is checked on the header before
 * anything is decoded (a tiny PNG that claims 100000 × 100000 never reaches the decoder), and
 * again by sharp's own limit while decoding.
 */
import sharp, { type Metadata, type OutputInfo } from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { THUMBNAIL_MAX_EDGE } from "@dim/shared";
import { rejectUpload } from "./reject";
import type { ImageMime } from "./sniff";

export interface ProcessedImage {
  bytes: Buffer;
  mime: string;
  width: number;
  height: number;
  thumbnail: Buffer;
  placeholder: string;
}

/** What each format is re-encoded as: itself, except formats that are slow to encode or rarely displayable. */
const OUTPUT: Record<ImageMime, "jpeg" | "png" | "webp" | "gif"> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "webp",
  "image/heic": "jpeg",
  "image/heif": "jpeg",
};

const corrupt = (why: string) => rejectUpload("corrupt_image", `the image cannot be decoded (${why})`);

/** null: a HEIC/HEIF this sharp cannot decode (no HEVC decoder in the prebuilt libvips): kept as a file. */
export async function processImage(path: string, mime: ImageMime, maxPixels: number): Promise<ProcessedImage | null> {
  const heif = mime === "image/heic" || mime === "image/heif";
  let meta: Metadata;
  try {
    meta = await sharp(path, { limitInputPixels: false }).metadata();
  } catch (err) {
    if (heif) return null;
    throw corrupt(err instanceof Error ? err.message : "unreadable header");
  }
  const frames = meta.pages ?? 1;
  const frameHeight = meta.pageHeight ?? meta.height ?? 0;
  if (!meta.width || !frameHeight) throw corrupt("no dimensions");
  if (meta.width * frameHeight * frames > maxPixels) {
    throw rejectUpload("too_many_pixels", `the image has ${meta.width} × ${frameHeight}${frames > 1 ? ` × ${frames} frames` : ""} pixels, more than ${maxPixels}`);
  }
  const animated = mime === "image/gif" && frames > 1;
  const format = OUTPUT[mime];
  let bytes: Buffer;
  let info: OutputInfo;
  try {
    // failOn "warning" (sharp's default made explicit): a truncated or damaged file is refused.
    const pipeline = sharp(path, { limitInputPixels: maxPixels, animated, failOn: "warning" }).autoOrient();
    const encoded =
      format === "jpeg" ? pipeline.jpeg({ quality: 85, mozjpeg: true }) : format === "png" ? pipeline.png() : format === "webp" ? pipeline.webp({ quality: 85 }) : pipeline.gif();
    ({ data: bytes, info } = await encoded.toBuffer({ resolveWithObject: true }));
  } catch (err) {
    if (heif) return null;
    throw corrupt(err instanceof Error ? err.message : "decode failed");
  }
  const width = info.width;
  const height = info.pageHeight ?? info.height;
  // The first frame is enough for the thumbnail and the placeholder.
  const thumbnail = await sharp(bytes)
    .resize(THUMBNAIL_MAX_EDGE, THUMBNAIL_MAX_EDGE, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: 70 })
    .toBuffer();
  const small = await sharp(bytes).resize(100, 100, { fit: "inside" }).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const placeholder = Buffer.from(rgbaToThumbHash(small.info.width, small.info.height, small.data)).toString("base64");
  return { bytes, mime: `image/${format}`, width, height, thumbnail, placeholder };
}
