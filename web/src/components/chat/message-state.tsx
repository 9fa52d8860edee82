"use client";
import type { MessageState } from "@dim/client";
import { useTranslations } from "@/i18n";

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
  const t = useTranslations("messageState");
  const label = t(state);
  return (
    <span className={`inline-flex items-center gap-1 ${COLOR[state]}`} data-state={state}>
      <span aria-hidden>{ICON[state]}</span>
      {compact ? <span className="sr-only">{label}</span> : <span>{label}</span>}
    </span>
  );
}
