"use client";
import { useId } from "react";
import { PUSH_PREVIEWS } from "@dim/shared";
import type { NotificationSettingsState } from "@/hooks/use-notification-settings";
import { useTranslations } from "@/i18n";

/**
 * Do not disturb and what a push notification may show (sent while none of your devices is
 * connected, so it passes through your browser's push service). Stored on the server: every
 * device follows.
 */
export function NotificationsSection({ state }: { state: NotificationSettingsState }) {
  const id = useId();
  const t = useTranslations("notifications");
  const { settings, loaded, saving, error, update } = state;
  const disabled = !loaded || saving;
  return (
    <section aria-labelledby={`${id}-title`} data-testid="notification-settings">
      <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
        {t("heading")}
      </h3>
      <label htmlFor={`${id}-dnd`} className="mt-2 flex items-start gap-2 text-sm text-slate-800">
        <input
          id={`${id}-dnd`}
          type="checkbox"
          className="mt-0.5 h-4 w-4 accent-brand-600"
          data-testid="dnd"
          checked={settings.dnd}
          disabled={disabled}
          onChange={(e) => void update({ dnd: e.currentTarget.checked })}
        />
        <span>
          {t("dnd")} <span className="block text-xs text-slate-600">{t("dndHint")}</span>
        </span>
      </label>
      <fieldset className="mt-3" disabled={disabled}>
        <legend className="text-sm text-slate-800">{t("previewLegend")}</legend>
        <div className="mt-1 space-y-1">
          {PUSH_PREVIEWS.map((p) => (
            <label key={p} className="flex items-center gap-2 text-sm text-slate-800">
              <input
                type="radio"
                name={`${id}-preview`}
                value={p}
                className="h-4 w-4 accent-brand-600"
                data-testid={`preview-${p}`}
                checked={settings.preview === p}
                onChange={() => void update({ preview: p })}
              />
              {t(`preview.${p}.label`)} <span className="text-xs text-slate-600">{t(`preview.${p}.hint`)}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {error ? (
        <p role="alert" className="mt-1 text-xs text-red-700">
          {error}
        </p>
      ) : null}
    </section>
  );
}
