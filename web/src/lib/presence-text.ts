import type { ContactPresence } from "@dim/shared";

/** "online", "last seen 5 min ago", … or null (unknown, never seen, or hidden by either side). */
export function presenceText(p: ContactPresence | undefined, now: Date = new Date()): string | null {
  if (!p) return null;
  if (p.online) return "online";
  if (!p.lastSeenAt) return null;
  return `last seen ${relativeTime(p.lastSeenAt, now)}`;
}

/** "just now", "5 min ago", "2 h ago", "yesterday", "3 days ago", or a date. */
export function relativeTime(iso: string, now: Date = new Date()): string {
  const seconds = Math.max(0, (now.getTime() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days === 1) return "yesterday";
  if (days < 7) return `${days} days ago`;
  return `on ${new Date(iso).toLocaleDateString(undefined, { day: "numeric", month: "short", year: "numeric" })}`;
}

/** "Ana is typing…", "Ana and Ben are typing…", up to three names, then "Several people are typing…". */
export function typingText(names: readonly string[]): string | null {
  if (names.length === 0) return null;
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length > 3) return "Several people are typing…";
  const list = names.length === 2 ? `${names[0]} and ${names[1]}` : `${names[0]}, ${names[1]} and ${names[2]}`;
  return `${list} are typing…`;
}
