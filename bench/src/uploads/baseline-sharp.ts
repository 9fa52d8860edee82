/**
 * The image baseline: the sharp work an upload needs, in the bench process with nothing around
 * it (no HTTP, temp file, hashing, blob store or database) — decode, orient and re-encode as the
 * gateway does (packages/api/src/attachments/process-image.ts), the 320 px WebP thumbnail and the
 * 100 px raw image the placeholder is made from.
 */
import sharp from "sharp";
import { THUMBNAIL_MAX_EDGE } from "@dim/shared";

export async function sharpPipelineMs(bytes: Buffer, format: "jpeg" | "png"): Promise<number> {
  const t0 = performance.now();
  await sharp(bytes).metadata();
  const pipeline = sharp(bytes, { failOn: "warning" }).autoOrient();
  const encoded = await (format === "jpeg" ? pipeline.jpeg({ quality: 85, mozjpeg: true }) : pipeline.png()).toBuffer();
  await sharp(encoded).resize(THUMBNAIL_MAX_EDGE, THUMBNAIL_MAX_EDGE, { fit: "inside", withoutEnlargement: true }).webp({ quality: 70 }).toBuffer();
  await sharp(encoded).resize(100, 100, { fit: "inside" }).ensureAlpha().raw().toBuffer();
  return performance.now() - t0;
}
