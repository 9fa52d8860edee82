"use client";
import { useTranslations } from "@/i18n";
import { setLinkPreviewsOn, useLinkPreviewsOn } from "@/lib/link-preview-setting";

/** Choices of this device: link previews. */
export function PreferencesSection() {
  const previews = useLinkPreviewsOn();
  const t = useTranslations("linkPreviews");
  return (
    <section aria-labelledby="settings-preferences" className="space-y-2">
      <h3 id="settings-preferences" className="text-sm font-semibold text-slate-900">
        {t("heading")}
      </h3>
      <label className="flex cursor-pointer items-start gap-3">
        <input
          type="checkbox"
          checked={previews}
          onChange={(e) => setLinkPreviewsOn(e.target.checked)}
          className="mt-0.5 h-4 w-4 shrink-0 accent-brand-600"
          aria-describedby="settings-previews-help"
          data-testid="link-previews-setting"
        />
        <span className="text-sm text-slate-900">
          {t("show")}
          <span id="settings-previews-help" className="block text-xs text-slate-600">
            {t("help")}
          </span>
        </span>
      </label>
    </section>
  );
}
