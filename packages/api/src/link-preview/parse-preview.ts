/**
 * What a preview card shows, read from the start of an HTML page: og:title (else twitter:title,
 * else <title>), og:description (else twitter:description, else the description meta),
 * og:site_name. Tolerant of any markup (a regex scan of tags, no DOM, no script), entities
 * decoded, whitespace collapsed, control characters dropped, each field bounded. Images are not
 * read: DIM shows no preview image (docs/security.md § link previews).
 */
import type { LinkPreview } from "@dim/shared";

export const PREVIEW_FIELD_MAX = { title: 300, description: 500, siteName: 100 } as const;

/** The page's fields, or null when it names none of them. */
export function parsePreview(body: Buffer, contentType: string): Omit<LinkPreview, "url"> | null {
  const html = decode(body, contentType);
  const head = html.slice(0, headEnd(html));
  const metas = new Map<string, string>();
  for (const tag of head.matchAll(/<meta\b([^>]*)>/gi)) {
    const attrs = attributes(tag[1]!);
    const key = (attrs.get("property") ?? attrs.get("name") ?? "").toLowerCase();
    const content = attrs.get("content");
    if (key && content !== undefined && !metas.has(key)) metas.set(key, content);
  }
  const titleTag = /<title\b[^>]*>([\s\S]*?)<\/title>/i.exec(head)?.[1];
  const title = clean(metas.get("og:title") ?? metas.get("twitter:title") ?? titleTag, PREVIEW_FIELD_MAX.title);
  const description = clean(metas.get("og:description") ?? metas.get("twitter:description") ?? metas.get("description"), PREVIEW_FIELD_MAX.description);
  const siteName = clean(metas.get("og:site_name"), PREVIEW_FIELD_MAX.siteName);
  if (!title && !description && !siteName) return null;
  return { title, description, siteName };
}

/** Where the head ends (</head> or the first <body>); the whole text when neither is there. */
function headEnd(html: string): number {
  const m = /<\/head\s*>|<body\b/i.exec(html);
  return m ? m.index : html.length;
}

function decode(body: Buffer, contentType: string): string {
  const declared = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1] ?? /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(body.subarray(0, 2048).toString("latin1"))?.[1];
  try {
    return new TextDecoder(declared ?? "utf-8").decode(body);
  } catch {
    return new TextDecoder("utf-8").decode(body); // an unknown label
  }
}

function attributes(text: string): Map<string, string> {
  const attrs = new Map<string, string>();
  for (const m of text.matchAll(/([^\s=/"'>]+)\s*(?:=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?/g)) {
    const name = m[1]!.toLowerCase();
    if (!attrs.has(name)) attrs.set(name, m[2] ?? m[3] ?? m[4] ?? "");
  }
  return attrs;
}

const NAMED: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: " ", hellip: "…", mdash: "—", ndash: "–", rsquo: "’", lsquo: "‘", rdquo: "”", ldquo: "“", copy: "©", reg: "®", trade: "™", middot: "·" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : "";
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

function clean(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  const text = decodeEntities(value.replace(/<[^>]*>/g, ""))
    // Control and format characters (bidi overrides included) never reach the card.
    .replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (!text) return null;
  return [...text].length > max ? `${[...text].slice(0, max - 1).join("")}…` : text;
}
