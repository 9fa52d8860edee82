import type { Formatter } from "@/i18n";

/** Short time for a message: "14:05" today, "Mon 14:05" this week, "12 Mar" before (in the UI's locale). */
export function shortTime(iso: string, format: Formatter, now: Date = new Date()): string {
  const d = new Date(iso);
  const time = format.dateTime(d, { hour: "2-digit", minute: "2-digit" });
  const sameDay = d.toDateString() === now.toDateString();
  if (sameDay) return time;
  const days = (now.getTime() - d.getTime()) / 86_400_000;
  if (days < 6) return `${format.dateTime(d, { weekday: "short" })} ${time}`;
  return format.dateTime(d, { day: "numeric", month: "short" });
}

/** One or two initials for an avatar. */
export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? `${parts[0]![0]}${parts[1]![0]}` : (parts[0] ?? "?").slice(0, 2);
  return letters.toUpperCase();
}
