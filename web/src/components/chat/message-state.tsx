import type { MessageState } from "@dim/client";

const LABEL: Record<MessageState, string> = {
  sending: "Sending…",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Failed",
};

const ICON: Record<MessageState, string> = { sending: "◷", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "!" };

const COLOR: Record<MessageState, string> = {
  sending: "text-slate-500",
  sent: "text-slate-500",
  delivered: "text-slate-500",
  read: "text-brand-600 dark:text-sky-300",
  failed: "text-red-600 font-semibold",
};

/** The state of an own message, in words (and a tick mark for quick scanning). */
export function MessageStateLabel({ state, compact = false }: { state: MessageState; compact?: boolean }) {
  return (
    <span className={`inline-flex items-center gap-1 ${COLOR[state]}`} data-state={state}>
      <span aria-hidden>{ICON[state]}</span>
      {compact ? <span className="sr-only">{LABEL[state]}</span> : <span>{LABEL[state]}</span>}
    </span>
  );
}
