import type { SearchSnippet } from "@dim/shared";

/** A snippet cut at its highlight ranges: plain text pieces, the marked ones to wrap in <mark>. */
export function snippetParts(snippet: SearchSnippet): { text: string; marked: boolean }[] {
  const parts: { text: string; marked: boolean }[] = [];
  let at = 0;
  for (const r of snippet.highlights) {
    if (r.start < at || r.end > snippet.text.length) continue; // not ours: never trust the shape blindly
    if (r.start > at) parts.push({ text: snippet.text.slice(at, r.start), marked: false });
    parts.push({ text: snippet.text.slice(r.start, r.end), marked: true });
    at = r.end;
  }
  if (at < snippet.text.length) parts.push({ text: snippet.text.slice(at), marked: false });
  if (snippet.cutBefore && parts[0]) parts[0] = { ...parts[0], text: `…${parts[0].text}` };
  const last = parts.at(-1);
  if (snippet.cutAfter && last) parts[parts.length - 1] = { ...last, text: `${last.text}…` };
  return parts;
}
