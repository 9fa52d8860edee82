/**
 * Pure view logic of the chat view: where day separators and the "new messages" marker go.
 * (The messages themselves — held, paged or queued — come whole from the client library.)
 */
import type { ChatMessage } from "@dim/client";
import type { SystemEvent } from "@dim/shared";
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
  | { kind: "day"; key: string; label: string; dateTime: string }
  | { kind: "unread"; key: string }
  /** `continued`: same sender as the row just before (groups show the name once per run). */
  | { kind: "message"; key: string; message: ChatMessage; continued: boolean }
  /** A group change, shown centred in words; `system` null when the client did not give its event. */
  | { kind: "system"; key: string; message: ChatMessage; system: SystemEvent | null };

/** "Today", "Yesterday", a weekday this week, else a date. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const d = new Date(iso);
  const startOf = (x: Date) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(now) - startOf(d)) / 86_400_000);
  if (days === 0) return "Today";
  if (days === 1) return "Yesterday";
  if (days > 1 && days < 7) return d.toLocaleDateString(undefined, { weekday: "long" });
  return d.toLocaleDateString(undefined, { day: "numeric", month: "long", ...(d.getFullYear() === now.getFullYear() ? {} : { year: "numeric" }) });
}

function dayKey(iso: string): string {
  const d = new Date(iso);
  return `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}`;
}

/**
 * Messages with a separator before each new (local) day, and the "new messages" marker before the
 * first message from someone else after `unreadAfterSeq` (the read cursor when the chat opened).
 */
export function chatRows(messages: readonly ChatMessage[], unreadAfterSeq: number | null, now: Date = new Date()): ChatRow[] {
  const rows: ChatRow[] = [];
  let day: string | null = null;
  let marked = false;
  for (const m of messages) {
    const k = dayKey(m.createdAt);
    if (k !== day) {
      day = k;
      rows.push({ kind: "day", key: `day:${k}`, label: dayLabel(m.createdAt, now), dateTime: k });
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
