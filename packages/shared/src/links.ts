/**
 * Finds the web links in a message body, for the bubble to make them clickable and the gateway
 * to make a preview of the first one (the same rule on both sides). Only http(s)
 * URLs written out in full are links: never `javascript:`, `data:` or any other scheme, and no
 * guessing at bare domains ("www.x" stays text). Punctuation that ends a sentence is not part of
 * the link ("see https://a.example/x." links to …/x); a closing bracket is kept only when the
 * link opened one (Wikipedia-style paths).
 */
export type TextPart = { kind: "text"; text: string } | { kind: "link"; text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`/][^\s<>"'`]*/gi;
const TRAILING = /[.,;:!?'"’”]$/;
const PAIRS: Record<string, string> = { ")": "(", "]": "[", "}": "{" };

function trimEnd(url: string): string {
  let s = url;
  for (;;) {
    const last = s.at(-1);
    if (last === undefined) return s;
    if (TRAILING.test(last)) {
      s = s.slice(0, -1);
      continue;
    }
    const open = PAIRS[last];
    if (open && count(s, open) < count(s, last)) {
      s = s.slice(0, -1);
      continue;
    }
    return s;
  }
}

function count(s: string, ch: string): number {
  return s.split(ch).length - 1;
}

/** An http(s) URL the browser parses as such, or null. */
function safeHref(text: string): string | null {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname ? url.href : null;
  } catch {
    return null;
  }
}

export function linkParts(body: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of body.matchAll(CANDIDATE)) {
    const start = match.index;
    const text = trimEnd(match[0]);
    const href = safeHref(text);
    if (!href) continue;
    if (start > at) parts.push({ kind: "text", text: body.slice(at, start) });
    parts.push({ kind: "link", text, href });
    at = start + text.length;
  }
  if (at < body.length) parts.push({ kind: "text", text: body.slice(at) });
  return parts;
}

/** The first http(s) link of a body (the one a link preview is made for), or null. */
export function firstLink(body: string): string | null {
  for (const part of linkParts(body)) if (part.kind === "link") return part.href;
  return null;
}
