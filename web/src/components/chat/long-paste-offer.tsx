"use client";
import { Button } from "@/components/ui/button";
import { useTranslations } from "@/i18n";
import { longPasteText } from "@/lib/attachment-text";

/** Said under the composer when a paste did not fit: send it as a text file, or leave it. */
export function LongPasteOffer({ chars, max, onAttach, onDismiss }: { chars: number; max: number; onAttach: () => void; onDismiss: () => void }) {
  const t = useTranslations();
  return (
    <div data-testid="long-paste" className="mt-2 flex flex-wrap items-center gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-xs text-amber-900">
      <p role="status" className="min-w-0 flex-1 basis-64">
        {longPasteText(chars, max, t)}
      </p>
      <Button size="sm" onClick={onAttach}>
        {t("longPaste.attach")}
      </Button>
      <Button size="sm" variant="secondary" onClick={onDismiss}>
        {t("longPaste.cancel")}
      </Button>
    </div>
  );
}
