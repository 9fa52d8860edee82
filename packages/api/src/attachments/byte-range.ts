/** One `Range: bytes=…` of a GET (RFC 9110 §14): a single range, else the whole body. */
import type { BlobRange } from "@dim/infra";

/** The range asked for, null for the whole body, or "unsatisfiable" (→ 416). Several ranges: the whole body. */
export function parseRange(header: string | null, size: number): BlobRange | null | "unsatisfiable" {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return "unsatisfiable";
  return { start, end };
}
