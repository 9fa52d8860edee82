"use client";
import { setLinkPreviewsOn, useLinkPreviewsOn } from "@/lib/link-preview-setting";

/** Choices of this device: link previews. */
export function PreferencesSection() {
  const previews = useLinkPreviewsOn();
  return (
    <section aria-labelledby="settings-preferences" className="space-y-2">
      <h3 id="settings-preferences" className="text-sm font-semibold text-slate-900">
        On this device
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
          Show link previews
          <span id="settings-previews-help" className="block text-xs text-slate-600">
            A card under a message with a link: its title and description, fetched by your DIM server (never by this browser). Off: none is fetched.
          </span>
        </span>
      </label>
    </section>
  );
}
