"use client";
import type { ComposerMode } from "@/hooks/use-message-actions";
import { useTranslations } from "@/i18n";
import { snippetOf } from "./reply-quote";

/** Above the composer in reply or edit mode: what is replied to / edited, and Cancel (or Esc). */
export function ComposerModeBar({ mode, author, onCancel }: { mode: NonNullable<ComposerMode>; author: string; onCancel: () => void }) {
  const t = useTranslations("composer");
  const tAll = useTranslations();
  return (
    <div className="mb-2 flex items-center gap-2 rounded-md border-l-4 border-brand-500 bg-slate-100 px-3 py-1.5 text-xs text-slate-700" data-testid="composer-mode">
      <span className="min-w-0 flex-1 truncate">
        <span className="font-semibold text-slate-800">{mode.kind === "reply" ? t("replyingTo", { author }) : t("editing")}</span>
        {": "}
        {snippetOf(mode.message, tAll)}
      </span>
      <button type="button" onClick={onCancel} className="rounded px-2 py-0.5 font-medium text-slate-700 hover:bg-slate-200" aria-label={mode.kind === "reply" ? t("cancelReply") : t("cancelEdit")}>
        {t("cancel")}
      </button>
    </div>
  );
}
