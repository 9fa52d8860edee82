import type { ContactPresence } from "@dim/shared";
import type { Formatter, Translator } from "@/i18n";

/** "online", "last seen 5 min ago", … or null (unknown, never seen, or hidden by either side). */
export function presenceText(p: ContactPresence | undefined, t: Translator, format: Formatter, now: Date = new Date()): string | null {
  if (!p) return null;
  if (p.online) return t("presence.online");
  if (!p.lastSeenAt) return null;
  return t("presence.lastSeen", { when: relativeTime(p.lastSeenAt, t, format, now) });
}

/** "just now", "5 min ago", "2 h ago", "yesterday", "3 days ago", or a date (in the UI's language). */
export function relativeTime(iso: string, t: Translator, format: Formatter, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return t("time.justNow");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t("time.minutesAgo", { minutes });
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return t("time.hoursAgo", { hours });
  const days = Math.floor(hours / 24);
  if (days === 1) return t("time.yesterday");
  if (days < 7) return t("time.daysAgo", { days });
  return t("time.onDate", { date: format.dateTime(new Date(iso), { day: "numeric", month: "short", year: "numeric" }) });
}

/** "Ana is typing…", "Ana and Ben are typing…", up to three names, then "Several people are typing…". */
export function typingText(names: readonly string[], t: Translator): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return t("typing.one", { name: names[0]! });
  if (names.length === 2) return t("typing.two", { first: names[0]!, second: names[1]! });
  if (names.length === 3) return t("typing.three", { first: names[0]!, second: names[1]!, third: names[2]! });
  return t("typing.several");
}
