import { SearchLimits, type HighlightRange, type SearchSnippet } from "@dim/shared";

/** The query's words and the whole query, longest first (so the phrase wins an overlap). */
function needles(query: string): string[] {
  const words = query.split(/\s+/u).filter((w) => w.length > 0);
  return [...new Set([query, ...words])].sort((a, b) => b.length - a.length);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Where the query occurs in `body` (case-insensitive), merged, ascending. */
export function matchRanges(body: string, query: string): HighlightRange[] {
  const found: HighlightRange[] = [];
  for (const n of needles(query.trim())) {
    for (const m of body.matchAll(new RegExp(escape(n), "giu"))) found.push({ start: m.index, end: m.index + m[0].length });
  }
  found.sort((a, b) => a.start - b.start || b.end - a.end);
  const merged: HighlightRange[] = [];
  for (const r of found) {
    const last = merged.at(-1);
    if (last && r.start <= last.end) last.end = Math.max(last.end, r.end);
    else merged.push({ ...r });
  }
  return merged;
}

/**
 * A plain-text window of `body` around its first match, with the matches in it (indices into
 * the window). A word match the ranges miss (the database found it, JS did not) still gives the
 * start of the message, unhighlighted.
 */
export function buildSnippet(body: string, query: string, max: number = SearchLimits.snippetMax): SearchSnippet {
  const ranges = matchRanges(body, query);
  if (body.length <= max) return { text: body, highlights: ranges, cutBefore: false, cutAfter: false };
  const first = ranges[0]?.start ?? 0;
  // Some context before the match, never splitting a surrogate pair at either end.
  let start = Math.max(0, Math.min(first - Math.floor(max / 4), body.length - max));
  if (start > 0 && /[\uDC00-\uDFFF]/.test(body[start] ?? "")) start -= 1;
  let end = Math.min(body.length, start + max);
  if (end < body.length && /[\uD800-\uDBFF]/.test(body[end - 1] ?? "")) end -= 1;
  const highlights = ranges
    .filter((r) => r.end > start && r.start < end)
    .map((r) => ({ start: Math.max(r.start, start) - start, end: Math.min(r.end, end) - start }));
  return { text: body.slice(start, end), highlights, cutBefore: start > 0, cutAfter: end < body.length };
}
