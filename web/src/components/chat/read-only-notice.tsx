"use client";
import type { ConversationSummary } from "@dim/shared";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import type { DirectState } from "@/lib/direct-state";

/**
 * Where the composer was: in a group I left or was removed from, or in a direct conversation I
 * may read but not write (no longer contacts, I blocked them — with "Unblock" —, or a deleted account).
 */
export function ReadOnlyNotice(props: {
  membership: ConversationSummary["membership"];
  direct?: { state: Exclude<DirectState, "open">; name: string; onUnblock: () => void } | null;
}) {
  const t = useTranslations("readOnly");
  const direct = props.direct;
  const text = direct
    ? direct.state === "blocked"
      ? t("youBlocked", { name: direct.name })
      : direct.state === "deleted"
        ? t("deleted")
        : t("notContacts", { name: direct.name })
    : props.membership === "removed"
      ? t("removedFromGroup")
      : t("leftGroup");
  return (
    <div
      className="flex flex-wrap items-center justify-center gap-2 border-t border-slate-200 bg-surface px-4 py-3 text-center text-sm text-slate-600"
      data-testid="read-only"
      data-reason={direct?.state ?? props.membership}
    >
      <span>{text}</span>
      {direct?.state === "blocked" ? (
        <Button variant="secondary" size="sm" onClick={direct.onUnblock} data-testid="read-only-unblock">
          {t("unblock")}
        </Button>
      ) : null}
    </div>
  );
}
