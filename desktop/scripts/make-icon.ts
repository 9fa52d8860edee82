/**
 * Draws the app icon (build/icon.png, 512×512) from shapes, so the repository needs no design tool and
 * nothing is fetched: a brand-blue rounded square with a white speech bubble. electron-builder derives
 * the macOS .icns and Windows .ico from it.  Usage: npm run icon -w @dim/desktop
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateSync } from "node:zlib";

const SIZE = 512;
const SAMPLES = 4; // 4×4 supersampling for smooth edges

type RGBA = [number, number, number, number];
const brandTop: RGBA = [0x2f, 0x7b, 0xf6, 255]; // brand-500
const brandBottom: RGBA = [0x1a, 0x4f, 0xae, 255]; // brand-700
const white: RGBA = [255, 255, 255, 255];

/** Signed distance to a rounded rectangle (negative inside). */
function roundedRect(px: number, py: number, x0: number, y0: number, x1: number, y1: number, r: number): number {
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const hx = (x1 - x0) / 2 - r;
  const hy = (y1 - y0) / 2 - r;
  const dx = Math.abs(px - cx) - hx;
  const dy = Math.abs(py - cy) - hy;
  return Math.hypot(Math.max(dx, 0), Math.max(dy, 0)) + Math.min(Math.max(dx, dy), 0) - r;
}

function insideTriangle(px: number, py: number, [ax, ay]: number[], [bx, by]: number[], [cx, cy]: number[]): boolean {
  const s = (x1: number, y1: number, x2: number, y2: number) => (px - x2) * (y1 - y2) - (x1 - x2) * (py - y2);
  const d1 = s(ax!, ay!, bx!, by!);
  const d2 = s(bx!, by!, cx!, cy!);
  const d3 = s(cx!, cy!, ax!, ay!);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}

/** The colour of one sample point, or null for transparent. */
function sample(x: number, y: number): RGBA | null {
  if (roundedRect(x, y, 16, 16, 496, 496, 112) > 0) return null;
  const t = (y - 16) / 480;
  const background = brandTop.map((c, i) => Math.round(c + (brandBottom[i]! - c) * t)) as RGBA;
  const inBubble = roundedRect(x, y, 104, 128, 408, 344, 72) <= 0 || insideTriangle(x, y, [150, 330], [230, 330], [128, 410]);
  if (!inBubble) return background;
  for (const cx of [184, 256, 328]) if (Math.hypot(x - cx, y - 236) <= 26) return background;
  return white;
}

function render(): Buffer {
  const rows = Buffer.alloc(SIZE * (SIZE * 4 + 1));
  for (let y = 0; y < SIZE; y++) {
    rows[y * (SIZE * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < SIZE; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < SAMPLES; sy++) {
        for (let sx = 0; sx < SAMPLES; sx++) {
          const c = sample(x + (sx + 0.5) / SAMPLES, y + (sy + 0.5) / SAMPLES);
          if (!c) continue;
          r += c[0]; g += c[1]; b += c[2]; a += c[3];
        }
      }
      const n = SAMPLES * SAMPLES;
      const covered = a / 255; // samples covered
      const o = y * (SIZE * 4 + 1) + 1 + x * 4;
      rows[o] = covered ? Math.round(r / covered) : 0;
      rows[o + 1] = covered ? Math.round(g / covered) : 0;
      rows[o + 2] = covered ? Math.round(b / covered) : 0;
      rows[o + 3] = Math.round(a / n);
    }
  }
  return rows;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export function iconPng(): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(SIZE, 0);
  header.writeUInt32BE(SIZE, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(render(), { level: 9 })),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = join(dirname(fileURLToPath(import.meta.url)), "..", "build", "icon.png");
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, iconPng());
  console.log(`wrote ${out}`);
}
