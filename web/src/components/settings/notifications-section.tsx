"use client";
import { useId } from "react";
import { PUSH_PREVIEWS, type PushPreview } from "@dim/shared";
import type { NotificationSettingsState } from "@/hooks/use-notification-settings";

const PREVIEW_LABEL: Record<PushPreview, { label: string; hint: string }> = {
  none: { label: "Nothing", hint: "“New message” only" },
  name: { label: "Name only", hint: "who wrote, and the group" },
  text: { label: "Name and message", hint: "the text too" },
};

/**
 * Do not disturb and what a push notification may show (sent while none of your devices is
 * connected, so it passes through your browser's push service). Stored on the server: every
 * device follows.
 */
export function NotificationsSection({ state }: { state: NotificationSettingsState }) {
  const id = useId();
  const { settings, loaded, saving, error, update } = state;
  const disabled = !loaded || saving;
  return (
    <section aria-labelledby={`${id}-title`} data-testid="notification-settings">
      <h3 id={`${id}-title`} className="text-sm font-semibold text-slate-900">
        Notifications
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
          Do not disturb <span className="block text-xs text-slate-600">No notifications from any conversation, mentions included.</span>
        </span>
      </label>
      <fieldset className="mt-3" disabled={disabled}>
        <legend className="text-sm text-slate-800">Notifications while you are away show</legend>
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
              {PREVIEW_LABEL[p].label} <span className="text-xs text-slate-600">({PREVIEW_LABEL[p].hint})</span>
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
