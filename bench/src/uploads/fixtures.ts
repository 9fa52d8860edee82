/**
 * Generated upload material for the upload extras: images whose content compresses like real
 * ones (not flat colour, which any codec shrinks to nothing, nor pure noise, which none can), and
 * a file of random bytes.
 *  - JPEG "photos": smooth random shapes (a tiny random image upscaled with a cubic kernel) plus
 *    sensor-like grain, at quality 90.
 *  - PNG "screenshots": flat random blocks with smooth shading, no grain (PNG is what screenshots
 *    are; grain would make a 24 MP PNG larger than the upload limit).
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";

export interface GeneratedImage {
  format: "jpeg" | "png";
  megapixels: number;
  width: number;
  height: number;
  bytes: Buffer;
}

/** 4:3 dimensions of about `megapixels` million pixels. */
export function dimensionsOf(megapixels: number): { width: number; height: number } {
  const width = Math.max(8, Math.round(Math.sqrt((megapixels * 1e6 * 4) / 3)));
  return { width, height: Math.max(6, Math.round((width * 3) / 4)) };
}

/** Adds ±amplitude grain with a cheap xorshift (Math.random over 72 M channels is slow). */
function addGrain(px: Buffer, amplitude: number): void {
  let x = 0x9e3779b9 ^ (px.length | 0);
  for (let i = 0; i < px.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const v = px[i]! + ((x & 0xff) / 255 - 0.5) * 2 * amplitude;
    px[i] = v < 0 ? 0 : v > 255 ? 255 : v;
  }
}

export async function generateImage(format: "jpeg" | "png", megapixels: number): Promise<GeneratedImage> {
  const { width, height } = dimensionsOf(megapixels);
  const cell = format === "jpeg" ? 24 : 8;
  const sw = Math.max(2, Math.ceil(width / cell));
  const sh = Math.max(2, Math.ceil(height / cell));
  const small = sharp(randomBytes(sw * sh * 3), { raw: { width: sw, height: sh, channels: 3 } });
  let bytes: Buffer;
  if (format === "jpeg") {
    const px = await small.resize(width, height, { kernel: "cubic" }).raw().toBuffer();
    addGrain(px, 10);
    bytes = await sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  } else {
    // Blocks (nearest neighbour) shaded by a smooth random field: UI-like areas with gradients.
    const blocks = await small.resize(width, height, { kernel: "nearest" }).raw().toBuffer();
    const shade = await sharp(randomBytes(16 * 12), { raw: { width: 16, height: 12, channels: 1 } })
      .resize(width, height, { kernel: "cubic" })
      .raw()
      .toBuffer();
    for (let i = 0; i < blocks.length; i++) blocks[i] = (blocks[i]! * (192 + (shade[(i / 3) | 0]! >> 2))) >> 8;
    bytes = await sharp(blocks, { raw: { width, height, channels: 3 } }).png().toBuffer();
  }
  return { format, megapixels, width, height, bytes };
}

export function randomFile(megabytes: number): Buffer {
  return randomBytes(Math.round(megabytes * 1e6));
}
