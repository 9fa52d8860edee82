/**
 * Pure view logic of the chat view: where day separators and the "new messages" marker go.
 * (The messages themselves — held, paged or queued — come whole from the client library.)
 */
import type { ChatMessage } from "@dim/client";
import type { SystemEvent } from "@dim/shared";
import type { Formatter, Translator } from "@/i18n";
import { systemOf } from "./group-client";

/** Lowest stored seq shown (for paging back), or null when nothing stored is shown. */
export function lowestSeq(messages: readonly ChatMessage[]): number | null {
  let lowest: number | null = null;
  for (const m of messages) if (m.seq !== null && (lowest === null || m.seq < lowest)) lowest = m.seq;
  return lowest;
}

/** Highest stored seq among these messages (0 when none). */
export function highestSeq(messages: readonly ChatMessage[]): number {
  let highest = 0;
  for (const m of messages) if (m.seq !== null && m.seq > highest) highest = m.seq;
  return highest;
}

export type ChatRow =
  /** `at`: the first message of that day (its label is `dayLabel(at, …)`, in the UI's language). */
  | { kind: "day"; key: string; at: string; dateTime: string }
  | { kind: "unread"; key: string }
  /** `continued`: same sender as the row just before (groups show the name once per run). */
  | { kind: "message"; key: string; message: ChatMessage; continued: boolean }
  /** A group change, shown centred in words; `system` null when the client did not give its event. */
  | { kind: "system"; key: string; message: ChatMessage; system: SystemEvent | null };

/** "Today", "Yesterday", a weekday this week, else a date (in the UI's language). */
export function dayLabel(iso: string, t: Translator, format: Formatter, now: Date = new Date()): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(d)) / 86_400_000);
  if (days === 0) return t("time.today");
  if (days === 1) return t("time.yesterdayDay");
  if (days > 1 && days < 7) return format.dateTime(d, { weekday: "long" });
  return format.dateTime(d, { day: "numeric", month: "long", ...(d.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }) });
}

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/**
 * Messages with a separator before each new (local) day, and the "new messages" marker before the
 * first message from someone else after `unreadAfterSeq` (the read cursor when the chat opened).
 */
export function chatRows(messages: readonly ChatMessage[], unreadAfterSeq: number | null): ChatRow[] {
  const rows: ChatRow[] = [];
  let day: string | null = null;
  let marked = false;
  for (const m of messages) {
    const k = dayKey(m.createdAt);
    if (k !== day) {
      day = k;
      rows.push({ kind: "day", key: `day:${k}`, at: m.createdAt, dateTime: k });
    }
    if (!marked && unreadAfterSeq !== null && !m.own && m.seq !== null && m.seq > unreadAfterSeq) {
      marked = true;
      rows.push({ kind: "unread", key: "unread" });
    }
    const key = `${m.own ? "me" : m.senderId}:${m.clientMsgId}`;
    if (m.kind === "system") {
      rows.push({ kind: "system", key, message: m, system: systemOf(m) });
      continue;
    }
    const before = rows[rows.length - 1];
    const continued = before?.kind === "message" && before.message.senderId === m.senderId && before.message.own === m.own;
    rows.push({ kind: "message", key, message: m, continued });
  }
  return rows;
}
