"use client";
import type { ChatMessage } from "@dim/client";
import { useFormatter, useTranslations } from "@/i18n";

/**
 * The reactions under a bubble: each emoji with its count, pressed when one of them is mine, its
 * title saying who (display names); a click toggles mine to that emoji.
 */
export function ReactionsRow({
  message,
  nameOf,
  onToggle,
}: {
  message: ChatMessage;
  nameOf: (userId: string) => string;
  onToggle: (emoji: string) => void;
}) {
  const t = useTranslations("reactions");
  const format = useFormatter();
  if (message.reactions.length === 0 || message.deleted) return null;
  return (
    <ul className={`mt-0.5 flex flex-wrap gap-1 px-1 ${message.own ? "justify-end" : ""}`} aria-label={t("label")} data-testid="reactions">
      {message.reactions.map((r) => {
        const mine = message.myReaction === r.emoji;
        const who = format.list(r.userIds.map(nameOf), { type: "conjunction" });
        return (
          <li key={r.emoji}>
            <button
              type="button"
              aria-pressed={mine}
              title={who}
              aria-label={t("button", { emoji: r.emoji, count: r.count, who, mine: mine ? "yes" : "no" })}
              data-testid="reaction"
              data-emoji={r.emoji}
              onClick={() => onToggle(r.emoji)}
              className={`inline-flex items-center gap-1 rounded-full border px-2 py-0.5 text-xs ${
                mine ? "border-brand-500 bg-brand-50 text-slate-900" : "border-slate-200 bg-surface text-slate-700 hover:bg-slate-100"
              }`}
            >
              <span aria-hidden>{r.emoji}</span>
              <span aria-hidden data-testid="reaction-count">{r.count}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
