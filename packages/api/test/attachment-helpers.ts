/** Uploads and fixtures for the attachment tests: real images made by sharp, raw HTTP. */
import { deflateSync, crc32 } from "node:zlib";
import sharp from "sharp";
import { UPLOAD_ENDPOINT } from "@dim/shared";
import type { TestGateway } from "./helpers";

export function upload(gw: TestGateway, token: string | null, name: string | null, body: RequestInit["body"], headers: Record<string, string> = {}) {
  const query = name === null ? "" : `?name=${encodeURIComponent(name)}`;
  return fetch(`${gw.server.url}${UPLOAD_ENDPOINT}${query}`, {
    method: "POST",
    body,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });
}

export function download(gw: TestGateway, token: string | null, path: string, headers: Record<string, string> = {}) {
  return fetch(`${gw.server.url}${path}`, { headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
}

/** A 64 × 32 JPEG whose EXIF says "rotate 90°" (orientation 6) and holds GPS and a camera model. */
export function orientedJpeg(): Promise<Buffer> {
  return sharp({ create: { width: 64, height: 32, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExifMerge({
      IFD0: { Model: "SecretCam 3000" },
      IFD3: { GPSLatitudeRef: "N", GPSLatitude: "48/1 51/1 0/1", GPSLongitudeRef: "E", GPSLongitude: "2/1 21/1 0/1" },
    })
    .toBuffer();
}

export function png(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 120, b: 255, alpha: 1 } } }).png().toBuffer();
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** A valid-looking PNG of a few hundred bytes that claims width × height pixels (a decompression bomb). */
export function bombPng(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 0, 0, 0, 0], 8); // 8-bit greyscale
  // The first rows of zeros; the decoder would inflate far more from a stream like this.
  const idat = deflateSync(Buffer.alloc(64 * 1024));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr), chunk("IDAT", idat), chunk("IEND", Buffer.alloc(0))]);
}

/** A minimal PDF (file-type knows it by its %PDF- magic). */
export const PDF = Buffer.from("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

export async function countStored(gw: TestGateway, blobDir: string): Promise<{ rows: number; blobs: number }> {
  const { readdir } = await import("node:fs/promises");
  const rows = await gw.prisma.attachment.count();
  let blobs = 0;
  try {
    // Every file counts, the temporary ones too: a half-stored upload would show here.
    for (const d of await readdir(blobDir)) blobs += (await readdir(`${blobDir}/${d}`)).length;
  } catch {
    /* no directory yet: no blobs */
  }
  return { rows, blobs };
}
