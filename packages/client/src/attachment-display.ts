/**
 * What a UI needs to draw an attachment before any byte of it arrives: the ThumbHash placeholder
 * as an image URL, the box an image takes at its aspect ratio, and a file's size in words.
 */
import { thumbHashToApproximateAspectRatio, thumbHashToDataURL } from "thumbhash";

/** A blurred preview (a data: PNG of at most 32 px) from the attachment's ThumbHash; null without one. */
export function placeholderDataUrl(placeholder: string | undefined | null): string | null {
  if (!placeholder) return null;
  try {
    return thumbHashToDataURL(base64ToBytes(placeholder));
  } catch {
    return null; // a malformed hash only costs the blur
  }
}

/**
 * The size to show an image at: its own aspect ratio (from width/height, else the ThumbHash's),
 * fitted into maxWidth × maxHeight, never enlarged past its own size.
 */
export function fitImage(
  a: { width?: number | undefined; height?: number | undefined; placeholder?: string | undefined | null },
  maxWidth: number,
  maxHeight: number,
): { width: number; height: number } {
  let w = a.width;
  let h = a.height;
  if (!w || !h) {
    const ratio = approximateRatio(a.placeholder) ?? 4 / 3;
    w = maxWidth;
    h = maxWidth / ratio;
  }
  const scale = Math.min(1, maxWidth / w, maxHeight / h);
  return { width: Math.max(1, Math.round(w * scale)), height: Math.max(1, Math.round(h * scale)) };
}

/** "0 B", "999 B", "1.2 KB", "25 MB" (powers of 1024, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

function approximateRatio(placeholder: string | undefined | null): number | null {
  if (!placeholder) return null;
  try {
    const r = thumbHashToApproximateAspectRatio(base64ToBytes(placeholder));
    return Number.isFinite(r) && r > 0 ? r : null;
  } catch {
    return null;
  }
}

function base64ToBytes(b64: string): Uint8Array {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}
