"use client";
import type { ConversationSummary } from "@dim/shared";
import { useTranslations } from "@/i18n";

/** Where the composer was, in a group I left or was removed from. */
export function ReadOnlyNotice({ membership }: { membership: ConversationSummary["membership"] }) {
  const t = useTranslations("readOnly");
  return (
    <div className="border-t border-slate-200 bg-surface px-4 py-3 text-center text-sm text-slate-600" data-testid="read-only">
      {membership === "removed" ? t("removed") : t("left")}
    </div>
  );
}
