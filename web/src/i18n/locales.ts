/** The UI languages, how one is chosen, and where the choice is kept. No React here. */
export const LOCALES = ["en", "zh-CN"] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = "en";

/** "system" follows the browser's languages (navigator.languages / Accept-Language). */
export type LocaleChoice = Locale | "system";

/** localStorage key and cookie name of an explicit choice (the cookie lets the server render in it). */
export const LOCALE_KEY = "dim-locale";

export function isLocale(value: unknown): value is Locale {
  return typeof value === "string" && (LOCALES as readonly string[]).includes(value);
}

/**
 * The first of the browser's languages that we have: any Chinese tag → zh-CN (our only Chinese),
 * any English one → en; none → English.
 */
export function matchLocale(languages: readonly string[]): Locale {
  for (const tag of languages) {
    const lower = tag.trim().toLowerCase();
    if (lower === "zh" || lower.startsWith("zh-")) return "zh-CN";
    if (lower === "en" || lower.startsWith("en-")) return "en";
  }
  return DEFAULT_LOCALE;
}

/** An Accept-Language header's tags, most wanted first ("zh-CN,zh;q=0.9,en;q=0.8"). */
export function acceptedLanguages(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(",")
    .map((part, index) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      const quality = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), quality: Number.isFinite(quality) ? quality : 0, index };
    })
    .filter((entry) => entry.tag && entry.tag !== "*" && entry.quality > 0)
    .sort((a, b) => b.quality - a.quality || a.index - b.index)
    .map((entry) => entry.tag);
}

/** The locale for a choice: an explicit one, or the best match of the browser's languages. */
export function resolveLocale(choice: LocaleChoice, languages: readonly string[]): Locale {
  return choice === "system" ? matchLocale(languages) : choice;
}
