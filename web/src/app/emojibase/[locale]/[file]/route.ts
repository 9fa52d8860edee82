/**
 * The emoji picker's data (emojibase-data, bundled with the app), served from DIM's own origin
 * so the picker never asks a CDN: `/emojibase/<locale>/data.json` and `…/messages.json`, the
 * layout frimousse's `emojibaseUrl` expects. Prerendered at build; the service worker keeps it
 * (web/public/sw.js precaches it with the shell), so the picker works offline from the first visit.
 */
export const dynamic = "force-static";
export const dynamicParams = false;

const FILES = {
  en: {
    "data.json": () => import("emojibase-data/en/data.json"),
    "messages.json": () => import("emojibase-data/en/messages.json"),
  },
  zh: {
    "data.json": () => import("emojibase-data/zh/data.json"),
    "messages.json": () => import("emojibase-data/zh/messages.json"),
  },
} as const;

type Locale = keyof typeof FILES;
type FileName = keyof (typeof FILES)[Locale];

export function generateStaticParams(): Array<{ locale: string; file: string }> {
  return Object.entries(FILES).flatMap(([locale, files]) => Object.keys(files).map((file) => ({ locale, file })));
}

export async function GET(_request: Request, { params }: { params: Promise<{ locale: string; file: string }> }): Promise<Response> {
  const { locale, file } = await params;
  const load = Object.hasOwn(FILES, locale) && Object.hasOwn(FILES[locale as Locale], file) ? FILES[locale as Locale][file as FileName] : null;
  if (!load) return new Response("not found", { status: 404 });
  const data = (await load()).default;
  return new Response(JSON.stringify(data), {
    headers: { "content-type": "application/json; charset=utf-8", "cache-control": "public, max-age=86400" },
  });
}
