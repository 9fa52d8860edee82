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
  /**
   * A run is consecutive messages of one sender, each within RUN_GAP_MS of the one before, not
   * across a day separator, the "new messages" marker or a system row. `first`: it starts a run
   * (name and avatar shown); `last`: it ends one (its time shown); `newestOwn`: my newest stored
   * message (its delivery state shown: the others' follow from it, as in every chat app).
   */
  | { kind: "message"; key: string; message: ChatMessage; first: boolean; last: boolean; newestOwn: boolean }
  /** Messages not loaded between a jump's page and the rest (DimClient.gaps): `afterSeq` loads them. */
  | { kind: "gap"; key: string; afterSeq: number; missing: number }
  /** A group change, shown centred in words; `system` null when the client did not give its event. */
  | { kind: "system"; key: string; message: ChatMessage; system: SystemEvent | null };

/** Messages of one sender this close together form one run. */
export const RUN_GAP_MS = 5 * 60_000;

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
export function chatRows(
  messages: readonly ChatMessage[],
  unreadAfterSeq: number | null,
  gaps: ReadonlyArray<{ afterSeq: number; beforeSeq: number }> = [],
): ChatRow[] {
  const rows: ChatRow[] = [];
  let day: string | null = null;
  let marked = false;
  let nextGap = 0;
  for (const m of messages) {
    // A gap goes before the first message above it (and breaks a run).
    while (m.seq !== null && nextGap < gaps.length && m.seq >= gaps[nextGap]!.beforeSeq) {
      const g = gaps[nextGap++]!;
      rows.push({ kind: "gap", key: `gap:${g.afterSeq}`, afterSeq: g.afterSeq, missing: g.beforeSeq - g.afterSeq - 1 });
    }
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
    const continued =
      before?.kind === "message" &&
      before.message.senderId === m.senderId &&
      before.message.own === m.own &&
      Math.abs(new Date(m.createdAt).getTime() - new Date(before.message.createdAt).getTime()) <= RUN_GAP_MS;
    if (continued) before.last = false;
    rows.push({ kind: "message", key, message: m, first: !continued, last: true, newestOwn: false });
  }
  // My newest stored message shows its state (an unsent one shows "Sending…" / "Failed" anyway).
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!;
    if (r.kind === "message" && r.message.own && r.message.seq !== null) {
      r.newestOwn = true;
      break;
    }
  }
  return rows;
}
