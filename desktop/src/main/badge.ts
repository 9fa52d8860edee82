/**
 * The unread badge, platform by platform: macOS shows dock text, Linux launchers a count, Windows an
 * overlay icon on the taskbar button. This module computes what to show; the Electron side shows it.
 */

/** Dock / launcher text: "" for none, the number up to 99, then "99+". */
export function badgeText(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return "";
  const n = Math.floor(count);
  return n > 99 ? "99+" : String(n);
}

/** Accessible description of the Windows overlay icon. */
export function badgeDescription(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return "";
  const n = Math.floor(count);
  return n === 1 ? "1 unread message" : `${n} unread messages`;
}

/** Overlay label: the Windows overlay is 16 px, so it holds at most two characters ("9+" above 9). */
export function overlayLabel(count: number): string {
  if (!Number.isFinite(count) || count <= 0) return "";
  const n = Math.floor(count);
  return n > 9 ? "9+" : String(n);
}

// A 3×5 pixel font for the overlay's characters (rows top to bottom, bit 2 = left column).
const GLYPHS: Record<string, readonly number[]> = {
  "0": [0b111, 0b101, 0b101, 0b101, 0b111],
  "1": [0b010, 0b110, 0b010, 0b010, 0b111],
  "2": [0b111, 0b001, 0b111, 0b100, 0b111],
  "3": [0b111, 0b001, 0b111, 0b001, 0b111],
  "4": [0b101, 0b101, 0b111, 0b001, 0b001],
  "5": [0b111, 0b100, 0b111, 0b001, 0b111],
  "6": [0b111, 0b100, 0b111, 0b101, 0b111],
  "7": [0b111, 0b001, 0b010, 0b010, 0b010],
  "8": [0b111, 0b101, 0b111, 0b101, 0b111],
  "9": [0b111, 0b101, 0b111, 0b001, 0b111],
  "+": [0b000, 0b010, 0b111, 0b010, 0b000],
};

export interface Bitmap {
  width: number;
  height: number;
  /** BGRA, premultiplied, row-major: what nativeImage.createFromBitmap expects. */
  data: Uint8Array;
}

/** Brand-coloured disc with the label in white; null when there is nothing to show. */
export function renderOverlayBitmap(count: number, size = 16): Bitmap | null {
  const label = overlayLabel(count);
  if (label === "") return null;
  const data = new Uint8Array(size * size * 4);
  const put = (x: number, y: number, [b, g, r]: readonly [number, number, number], alpha: number) => {
    if (x < 0 || y < 0 || x >= size || y >= size) return;
    const i = (y * size + x) * 4;
    data[i] = Math.round((b * alpha) / 255);
    data[i + 1] = Math.round((g * alpha) / 255);
    data[i + 2] = Math.round((r * alpha) / 255);
    data[i + 3] = alpha;
  };
  const disc: [number, number, number] = [0x2a, 0x26, 0xdc]; // #dc262a (BGR order)
  const white: [number, number, number] = [0xff, 0xff, 0xff];
  const c = (size - 1) / 2;
  const radius = size / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const d = Math.hypot(x - c, y - c);
      // one pixel of anti-aliasing at the rim
      const coverage = Math.max(0, Math.min(1, radius - d));
      if (coverage > 0) put(x, y, disc, Math.round(coverage * 255));
    }
  }
  // One character is drawn twice as large as two.
  const scale = label.length === 1 ? Math.max(1, Math.floor(size / 8)) : Math.max(1, Math.floor(size / 16));
  const glyphs = [...label].map((ch) => GLYPHS[ch] ?? GLYPHS["+"]!);
  const textWidth = (glyphs.length * 3 + (glyphs.length - 1)) * scale;
  const textHeight = 5 * scale;
  const left = Math.floor((size - textWidth) / 2);
  const top = Math.floor((size - textHeight) / 2);
  glyphs.forEach((rows, gi) => {
    rows.forEach((bits, row) => {
      for (let col = 0; col < 3; col++) {
        if (!(bits & (0b100 >> col))) continue;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            put(left + (gi * 4 + col) * scale + dx, top + row * scale + dy, white, 255);
          }
        }
      }
    });
  });
  return { width: size, height: size, data };
}
